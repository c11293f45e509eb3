using Ironic.Core.Inventory;

namespace Ironic.Core.Tests.Inventory;

public sealed class SecretKeySourceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ironic-key-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void KeyFile_IsCreatedOnFirstUse_OwnerOnly_AndReadBackTheSame()
    {
        var file = Path.Combine(_directory, "config", "secret.key");
        var first = SecretKeySource.FromFile(file).LoadKey();
        var second = SecretKeySource.FromFile(file).LoadKey();

        Assert.Equal(SecretKeySource.KeySize, first.Length);
        Assert.Equal(first, second);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void KeyFile_Damaged_SaysNotToReplaceIt()
    {
        var file = Path.Combine(_directory, "secret.key");
        Directory.CreateDirectory(_directory);
        File.WriteAllText(file, "not a key");
        var e = Assert.Throws<CredentialKeyException>(() => SecretKeySource.FromFile(file).LoadKey());
        Assert.Contains("Restore it from a backup", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cipher_RoundTrips_AndBindsTheCiphertextToNodeAndKey()
    {
        var cipher = new CredentialCipher(SecretKeySource.FromKey(new byte[32]));
        var node = Guid.NewGuid();
        var sealedValue = cipher.Protect("p@ss", node, "redfish_password");

        Assert.StartsWith(CredentialCipher.Prefix, sealedValue, StringComparison.Ordinal);
        Assert.NotEqual(sealedValue, cipher.Protect("p@ss", node, "redfish_password"));
        Assert.Equal("p@ss", cipher.Unprotect(sealedValue, node, "redfish_password"));
        Assert.Throws<CredentialKeyException>(() => cipher.Unprotect(sealedValue, Guid.NewGuid(), "redfish_password"));
        Assert.Throws<CredentialKeyException>(() => cipher.Unprotect(sealedValue, node, "ipmi_password"));
        Assert.Throws<CredentialKeyException>(() => cipher.Unprotect(CredentialCipher.Prefix + "AAAA", node, "redfish_password"));
    }

    [Fact]
    public void ProtectAll_EncryptsOnlyPasswordKeys()
    {
        var cipher = new CredentialCipher(SecretKeySource.FromKey(new byte[32]));
        var stored = cipher.ProtectAll(new Dictionary<string, string> { ["redfish_username"] = "root", ["redfish_password"] = "x", ["IPMI_PASSWORD"] = "y" }, Guid.NewGuid());
        Assert.Equal("root", stored["redfish_username"]);
        Assert.True(CredentialCipher.IsProtected(stored["redfish_password"]));
        Assert.True(CredentialCipher.IsProtected(stored["IPMI_PASSWORD"]));
    }

    [Fact]
    public void FromKey_WrongLength_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => SecretKeySource.FromKey(new byte[16]));
    }
}
