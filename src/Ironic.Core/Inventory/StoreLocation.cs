namespace Ironic.Core.Inventory;

/// <summary>
/// Where the inventory lives: an embedded SQLite file (the default) or a PostgreSQL server
/// shared by several boot servers. Parsed from the <c>--store</c> flag, the
/// <c>IRONIC_STORE</c> environment variable, or the default path in the user's data directory.
/// </summary>
public sealed record StoreLocation
{
    public const string EnvironmentVariable = "IRONIC_STORE";

    private StoreLocation(StoreKind kind, string value) => (Kind, Value) = (kind, value);

    public StoreKind Kind { get; }

    /// <summary>The SQLite file's full path, or the PostgreSQL URL as given.</summary>
    public string Value { get; }

    /// <summary>The SQLite file in the user's data directory (created on first use).</summary>
    public static StoreLocation Default => Sqlite(Path.Combine(DataDirectory(), "ironic.db"));

    public static StoreLocation Sqlite(string path) => new(StoreKind.Sqlite, Path.GetFullPath(path));

    /// <summary>Resolves an explicit value, else the environment, else the default.</summary>
    public static StoreLocation Resolve(string? value) =>
        Parse(string.IsNullOrWhiteSpace(value) ? Environment.GetEnvironmentVariable(EnvironmentVariable) : value)
        ?? Default;

    /// <summary>Parses <c>PATH</c>, <c>sqlite:PATH</c>, <c>postgres://…</c> or <c>postgresql://…</c>; null for empty input.</summary>
    public static StoreLocation? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        value = value.Trim();
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
            value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return new StoreLocation(StoreKind.PostgreSql, value);
        }
        if (value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase)) value = value["sqlite:".Length..];
        if (value.Contains("://", StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The store '{value}' is neither a file path nor a postgres:// URL. Give a SQLite file path or postgres://user@host/db.",
                nameof(value));
        }
        return Sqlite(value);
    }

    /// <summary>The per-user data directory: %LOCALAPPDATA%\ironic on Windows, $XDG_DATA_HOME/ironic or ~/.local/share/ironic elsewhere.</summary>
    public static string DataDirectory()
    {
        var root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(root)) root = Path.Combine(Path.GetTempPath(), Environment.UserName);
        return Path.Combine(root, "ironic");
    }

    /// <summary>The location as it may be shown: a PostgreSQL URL loses its password.</summary>
    public override string ToString() => Kind == StoreKind.PostgreSql ? RedactPassword(Value) : Value;

    private static string RedactPassword(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !uri.UserInfo.Contains(':', StringComparison.Ordinal)) return url;
        var user = uri.UserInfo[..uri.UserInfo.IndexOf(':', StringComparison.Ordinal)];
        return url.Replace(uri.UserInfo + "@", user + ":***@", StringComparison.Ordinal);
    }
}

public enum StoreKind
{
    Sqlite,
    PostgreSql,
}
