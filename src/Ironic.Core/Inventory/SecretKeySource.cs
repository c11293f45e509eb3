using System.Security.Cryptography;
using System.Text;

namespace Ironic.Core.Inventory;

/// <summary>
/// Where the 256-bit key that encrypts BMC credentials comes from: an explicit key, the
/// <c>IRONIC_SECRET_KEY</c> environment variable (base64 or hex of 32 bytes), or a key file kept
/// outside the data directory (default <c>~/.config/ironic/secret.key</c>, created with mode
/// 0600 on first use). Servers that share a PostgreSQL inventory must share the key.
/// </summary>
public sealed class SecretKeySource
{
    public const string EnvironmentVariable = "IRONIC_SECRET_KEY";
    public const string KeyFileEnvironmentVariable = "IRONIC_SECRET_KEY_FILE";
    public const int KeySize = 32;

    private readonly byte[]? _explicitKey;
    private readonly string? _environmentValue;

    private SecretKeySource(byte[]? explicitKey, string? environmentValue, string keyFile)
    {
        _explicitKey = explicitKey;
        _environmentValue = environmentValue;
        KeyFile = keyFile;
    }

    /// <summary>The key file used when neither an explicit key nor the environment gives one.</summary>
    public string KeyFile { get; }

    /// <summary>The default key file: <c>ironic/secret.key</c> in the user's configuration directory (not the data directory, so a copy of the data carries no key).</summary>
    public static string DefaultKeyFile()
    {
        var root = Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(root)) root = Path.Combine(Path.GetTempPath(), Environment.UserName, "config");
        return Path.Combine(root, "ironic", "secret.key");
    }

    /// <summary>$IRONIC_SECRET_KEY, else the key file given, else $IRONIC_SECRET_KEY_FILE, else the default key file.</summary>
    public static SecretKeySource FromEnvironment(string? keyFile = null) => new(
        null,
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } v ? v : null,
        Path.GetFullPath(keyFile ?? (Environment.GetEnvironmentVariable(KeyFileEnvironmentVariable) is { Length: > 0 } f ? f : DefaultKeyFile())));

    /// <summary>A fixed key (tests, or a key the caller fetched from a vault).</summary>
    public static SecretKeySource FromKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize) throw new ArgumentException($"A secret key is {KeySize} bytes; {key.Length} were given.", nameof(key));
        return new SecretKeySource(key.ToArray(), null, "(explicit key)");
    }

    /// <summary>Only the key file (created when missing), whatever the environment says.</summary>
    public static SecretKeySource FromFile(string keyFile) => new(null, null, Path.GetFullPath(keyFile));

    /// <summary>Where the key comes from, for messages (never the key).</summary>
    public string Describe() =>
        _explicitKey is not null ? "the key given by the caller"
        : _environmentValue is not null ? $"${EnvironmentVariable}"
        : $"the key file {KeyFile}";

    /// <summary>Returns the key, creating the key file (mode 0600) when it is the source and does not exist yet.</summary>
    public byte[] LoadKey()
    {
        if (_explicitKey is not null) return _explicitKey;
        if (_environmentValue is not null)
        {
            return DecodeKey(_environmentValue)
                ?? throw new CredentialKeyException(
                    $"${EnvironmentVariable} is not a {KeySize}-byte key. Give it as base64 or hex, e.g. the output of 'openssl rand -base64 {KeySize}'.");
        }
        if (File.Exists(KeyFile)) return ReadKeyFile();
        try
        {
            CreateKeyFile();
        }
        catch (IOException) when (File.Exists(KeyFile))
        {
            // Another process created it between our check and our create: use theirs.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CredentialKeyException(
                $"Cannot create the secret key file {KeyFile}: {e.Message}. Set {EnvironmentVariable} or {KeyFileEnvironmentVariable} to a key or a writable path.", e);
        }
        return ReadKeyFile();
    }

    private byte[] ReadKeyFile()
    {
        string text;
        try { text = File.ReadAllText(KeyFile, Encoding.ASCII); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CredentialKeyException($"Cannot read the secret key file {KeyFile}: {e.Message}. Check its owner and permissions (0600).", e);
        }
        return DecodeKey(text)
            ?? throw new CredentialKeyException(
                $"The secret key file {KeyFile} does not hold a {KeySize}-byte base64 or hex key. Restore it from a backup; a new key cannot decrypt the stored credentials.");
    }

    private void CreateKeyFile()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(KeyFile, options);
        var key = RandomNumberGenerator.GetBytes(KeySize);
        stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key) + "\n"));
    }

    private static byte[]? DecodeKey(string text)
    {
        text = text.Trim();
        if (text.Length == KeySize * 2)
        {
            try { return Convert.FromHexString(text); }
            catch (FormatException) { /* not hex; try base64 */ }
        }
        var buffer = new byte[KeySize + 3];
        return Convert.TryFromBase64String(text, buffer, out var written) && written == KeySize ? buffer[..KeySize] : null;
    }
}
