using Ironic.Core.Deploy;

namespace Ironic.Core.Tests.Deploy;

public class ImageChecksumTests
{
    [Theory]
    [InlineData("d41d8cd98f00b204e9800998ecf8427e", "md5")]
    [InlineData("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "sha256")]
    [InlineData("sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e", "sha512")]
    [InlineData("SHA-256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256")]
    public void Parse_AcceptsBareDigestsAndAlgoColonHex(string text, string algorithm)
    {
        var checksum = ImageChecksum.Parse(text);
        Assert.Equal(algorithm, checksum.Algorithm);
        Assert.Equal(checksum.Hex.ToLowerInvariant(), checksum.Hex);
    }

    [Theory]
    [InlineData("abc", "bare digest must be md5 (32), sha256 (64) or sha512 (128)")]
    [InlineData("crc32:1234abcd", "supported are md5, sha256, sha512")]
    [InlineData("sha256:1234", "is not 64 hex characters")]
    [InlineData("md5:zz1d8cd98f00b204e9800998ecf8427e", "is not 32 hex characters")]
    public void Parse_ExplainsWhatIsWrong(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => ImageChecksum.Parse(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromInstanceInfo_PrefersImageChecksum_ThenOsHash()
    {
        var sha = new string('1', 64);
        Assert.Equal(new ImageChecksum("sha256", sha), ImageChecksum.FromInstanceInfo(new Dictionary<string, string> { ["image_checksum"] = sha, ["os_hash_algo"] = "md5", ["os_hash_value"] = new string('2', 32) }));
        Assert.Equal(new ImageChecksum("md5", new string('2', 32)), ImageChecksum.FromInstanceInfo(new Dictionary<string, string> { ["os_hash_algo"] = "md5", ["os_hash_value"] = new string('2', 32) }));
        Assert.Null(ImageChecksum.FromInstanceInfo(new Dictionary<string, string>()));
        var e = Assert.Throws<FormatException>(() => ImageChecksum.FromInstanceInfo(new Dictionary<string, string> { ["os_hash_algo"] = "sha512" }));
        Assert.Contains("os_hash_value", e.Message, StringComparison.Ordinal);
    }
}
