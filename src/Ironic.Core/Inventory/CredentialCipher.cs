using System.Security.Cryptography;
using System.Text;

namespace Ironic.Core.Inventory;

/// <summary>
/// Encrypts BMC secrets (driver_info values whose key ends in <c>_password</c>) before they reach
/// the store, with AES-256-GCM and a key kept outside the database, so that a copy of the
/// database alone reveals no credential. The node UUID and the key name are authenticated data:
/// a ciphertext copied onto another node or key does not decrypt.
/// </summary>
public sealed class CredentialCipher
{
    /// <summary>Stored values start with this; anything else is read as plain text (never written so).</summary>
    public const string Prefix = "aesgcm1:";

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly Lazy<byte[]> _key;
    // AesGcm instances are costly to set up (a cipher context each) and not for concurrent use: lend them out.
    private readonly System.Collections.Concurrent.ConcurrentBag<AesGcm> _ciphers = [];

    /// <summary>A cipher whose key is read (or created) on first use, so that nodes without secrets never need one.</summary>
    public CredentialCipher(SecretKeySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Source = source;
        _key = new Lazy<byte[]>(source.LoadKey, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public SecretKeySource Source { get; }

    /// <summary>Whether a driver_info key holds a secret: <c>redfish_password</c> and any key ending in <c>_password</c>.</summary>
    public static bool IsSecretKey(string key) => DriverInfoKeys.IsSecret(key);

    public static bool IsProtected(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);

    public string Protect(string plaintext, Guid nodeUuid, string key)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var aes = Rent();
        try { aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), AssociatedData(nodeUuid, key)); }
        finally { _ciphers.Add(aes); }
        return Prefix + Convert.ToBase64String(sealedBytes);
    }

    public string Unprotect(string stored, Guid nodeUuid, string key)
    {
        if (!IsProtected(stored)) return stored;
        byte[] sealedBytes;
        try { sealedBytes = Convert.FromBase64String(stored[Prefix.Length..]); }
        catch (FormatException e) { throw Undecryptable(nodeUuid, key, e); }
        if (sealedBytes.Length < NonceSize + TagSize) throw Undecryptable(nodeUuid, key, null);
        var cipherLength = sealedBytes.Length - NonceSize - TagSize;
        var plain = new byte[cipherLength];
        var aes = Rent();
        try
        {
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, cipherLength), sealedBytes.AsSpan(NonceSize + cipherLength), plain, AssociatedData(nodeUuid, key));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw Undecryptable(nodeUuid, key, e);
        }
        finally
        {
            _ciphers.Add(aes);
        }
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>driver_info as stored: secret values encrypted, the rest unchanged.</summary>
    public Dictionary<string, string> ProtectAll(IReadOnlyDictionary<string, string> driverInfo, Guid nodeUuid) =>
        driverInfo.ToDictionary(p => p.Key, p => IsSecretKey(p.Key) && !IsProtected(p.Value) ? Protect(p.Value, nodeUuid, p.Key) : p.Value, StringComparer.Ordinal);

    /// <summary>driver_info as the caller uses it: secret values decrypted.</summary>
    public Dictionary<string, string> UnprotectAll(IReadOnlyDictionary<string, string> stored, Guid nodeUuid) =>
        stored.ToDictionary(p => p.Key, p => IsProtected(p.Value) ? Unprotect(p.Value, nodeUuid, p.Key) : p.Value, StringComparer.Ordinal);

    private AesGcm Rent() => _ciphers.TryTake(out var aes) ? aes : new AesGcm(_key.Value, TagSize);

    private static byte[] AssociatedData(Guid nodeUuid, string key) => Encoding.UTF8.GetBytes($"{nodeUuid:D}/{key}");

    private CredentialKeyException Undecryptable(Guid nodeUuid, string key, Exception? inner) => new(
        $"The stored driver_info '{key}' of node {nodeUuid} cannot be decrypted with the secret key from {Source.Describe()}. " +
        $"Every server sharing this inventory needs the same key: set {SecretKeySource.EnvironmentVariable} or copy the key file, or set the credential again.",
        inner ?? new CryptographicException("ciphertext too short"));
}
