using System.Globalization;
using System.Security.Cryptography;

namespace Ironic.Core.Deploy;

/// <summary>
/// The checksum an image must have: <c>algo:hex</c> or a bare hex digest (md5, sha256 or sha512
/// told apart by length) as in instance_info/image_checksum, or Glance's os_hash_algo +
/// os_hash_value. The hex is kept lower-case.
/// </summary>
public sealed record ImageChecksum(string Algorithm, string Hex)
{
    /// <summary>The algorithms we verify, with their digest length in hex characters.</summary>
    private static readonly Dictionary<string, int> HexLengths = new(StringComparer.Ordinal)
    {
        ["md5"] = 32,
        ["sha256"] = 64,
        ["sha512"] = 128,
    };

    public static IReadOnlyCollection<string> Algorithms => HexLengths.Keys;

    public override string ToString() => $"{Algorithm}:{Hex}";

    /// <summary>Parses <c>algo:hex</c> or a bare md5/sha256/sha512 digest.</summary>
    public static ImageChecksum Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim();
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0) return Create(value[..colon], value[(colon + 1)..], text);
        var algorithm = HexLengths.FirstOrDefault(p => p.Value == value.Length).Key;
        if (algorithm is null)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                $"The checksum '{text}' has {value.Length} characters; a bare digest must be md5 (32), sha256 (64) or sha512 (128) hex characters. Write it as ALGO:HEX, e.g. sha256:{new string('0', 8)}…"));
        }
        return Create(algorithm, value, text);
    }

    /// <summary>Glance's pair: os_hash_algo (md5, sha256, sha512) and os_hash_value.</summary>
    public static ImageChecksum FromOsHash(string algorithm, string value) => Create(algorithm, value, $"{algorithm}:{value}");

    /// <summary>
    /// The checksum instance_info asks for: image_checksum, else os_hash_algo + os_hash_value;
    /// null when neither is set.
    /// </summary>
    public static ImageChecksum? FromInstanceInfo(IReadOnlyDictionary<string, string> instanceInfo)
    {
        ArgumentNullException.ThrowIfNull(instanceInfo);
        if (instanceInfo.TryGetValue("image_checksum", out var checksum) && !string.IsNullOrWhiteSpace(checksum)) return Parse(checksum);
        instanceInfo.TryGetValue("os_hash_algo", out var algo);
        instanceInfo.TryGetValue("os_hash_value", out var hash);
        if (string.IsNullOrWhiteSpace(algo) != string.IsNullOrWhiteSpace(hash))
        {
            throw new FormatException("instance_info has only one of os_hash_algo and os_hash_value; set both (e.g. sha512 and its hex digest) or neither.");
        }
        return string.IsNullOrWhiteSpace(algo) ? null : FromOsHash(algo, hash!);
    }

    private static ImageChecksum Create(string algorithm, string hex, string original)
    {
        var algo = algorithm.Trim().ToLowerInvariant().Replace("-", "", StringComparison.Ordinal);
        if (!HexLengths.TryGetValue(algo, out var length))
        {
            throw new FormatException($"The checksum '{original}' uses the algorithm '{algorithm}'; supported are {string.Join(", ", HexLengths.Keys)}.");
        }
        var digest = hex.Trim().ToLowerInvariant();
        if (digest.Length != length || !digest.All(Uri.IsHexDigit))
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                $"The {algo} checksum '{hex}' is not {length} hex characters; copy the digest again (sha256sum, sha512sum or md5sum print it)."));
        }
        return new ImageChecksum(algo, digest);
    }

    /// <summary>A fresh incremental hash of this checksum's algorithm.</summary>
    public static IncrementalHash CreateHash(string algorithm) => algorithm switch
    {
#pragma warning disable CA5351 // md5 is what image_checksum may name; it verifies, it protects nothing.
        "md5" => IncrementalHash.CreateHash(HashAlgorithmName.MD5),
#pragma warning restore CA5351
        "sha256" => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
        "sha512" => IncrementalHash.CreateHash(HashAlgorithmName.SHA512),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported checksum algorithm."),
    };
}
