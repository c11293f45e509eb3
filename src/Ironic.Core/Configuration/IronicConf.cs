using System.Globalization;
using Ironic.Core.Inventory;

namespace Ironic.Core.Configuration;

/// <summary>
/// An ironic.conf-style INI file (oslo.config syntax: [section], key = value, # or ; comments,
/// indented continuation lines) with typed getters that name the file and the option in their
/// errors. The boot server (BootServerOptions) and the deploy fronts (<see cref="Deploy.DeployConfiguration"/>)
/// read the same file with the same option names through it.
/// </summary>
public sealed class IronicConf
{
    /// <summary>The environment variable with the path of the configuration file the deploy commands read when none is given.</summary>
    public const string EnvironmentVariable = "IRONIC_CONFIG";

    private readonly IReadOnlyDictionary<string, Dictionary<string, string>> _sections;

    private IronicConf(IReadOnlyDictionary<string, Dictionary<string, string>> sections, string source, string baseDirectory) =>
        (_sections, Source, BaseDirectory) = (sections, source, baseDirectory);

    /// <summary>Where the options came from (the file name), for error messages.</summary>
    public string Source { get; }

    /// <summary>The directory relative paths in the file are relative to (the file's own).</summary>
    public string BaseDirectory { get; }

    /// <summary>Reads a file; a file that cannot be read says how to give another.</summary>
    public static IronicConf Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileNotFoundException($"Cannot read the configuration file '{path}': {e.Message}. Give the path of an ironic.conf-style file with --config.", path, e);
        }
        return FromText(text, path, Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    public static IronicConf FromText(string text, string source, string baseDirectory) => new(Parse(text, source), source, baseDirectory);

    /// <summary>Section → key → value; keys case-insensitive, later values win as in oslo.config.</summary>
    public static IReadOnlyDictionary<string, Dictionary<string, string>> Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        Dictionary<string, string>? current = null;
        string? lastKey = null;
        var lineNumber = 0;
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd();
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed[0] is '#' or ';') continue;
            if (trimmed[0] == '[')
            {
                var end = trimmed.IndexOf(']', StringComparison.Ordinal);
                if (end < 2) throw new FormatException($"{source}:{lineNumber}: '{trimmed}' is not a section header; write it like [api].");
                var name = trimmed[1..end].Trim();
                if (!sections.TryGetValue(name, out current)) sections[name] = current = new(StringComparer.OrdinalIgnoreCase);
                lastKey = null;
                continue;
            }
            if (char.IsWhiteSpace(line[0]) && current is not null && lastKey is not null)
            {
                current[lastKey] = current[lastKey] + "\n" + trimmed;
                continue;
            }
            var separator = trimmed.IndexOfAny(['=', ':']);
            if (separator <= 0) throw new FormatException($"{source}:{lineNumber}: '{trimmed}' is neither 'key = value' nor a [section].");
            if (current is null) throw new FormatException($"{source}:{lineNumber}: the option '{trimmed[..separator].Trim()}' comes before any [section]; put it under [DEFAULT] or its section.");
            lastKey = trimmed[..separator].Trim();
            current[lastKey] = trimmed[(separator + 1)..].Trim();
        }
        return sections;
    }

    /// <summary>The option's value; null when it is absent or empty.</summary>
    public string? Get(string section, string key) =>
        _sections.TryGetValue(section, out var s) && s.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

    public bool? Bool(string section, string key) => Get(section, key) is { } value
        ? value.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" or "1" => true,
            "false" or "no" or "off" or "0" => false,
            _ => throw new FormatException($"{Source}: [{section}]{key} = '{value}' is not a boolean; write true or false."),
        }
        : null;

    /// <summary>A number of seconds greater than 0.</summary>
    public TimeSpan? Seconds(string section, string key) => Get(section, key) is { } value
        ? double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : throw new FormatException($"{Source}: [{section}]{key} = '{value}' must be a number of seconds greater than 0.")
        : null;

    /// <summary>Bytes, or a number with a K, M, G or T suffix (binary).</summary>
    public long? Size(string section, string key)
    {
        if (Get(section, key) is not { } value) return null;
        var text = value.Trim().ToUpperInvariant();
        var shift = text.EndsWith('K') ? 10 : text.EndsWith('M') ? 20 : text.EndsWith('G') ? 30 : text.EndsWith('T') ? 40 : 0;
        if (shift > 0) text = text[..^1];
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size < 1 || size > (long.MaxValue >> shift))
        {
            throw new FormatException($"{Source}: [{section}]{key} '{value}' is not a size; write bytes or a number with K, M, G or T, like 50G.");
        }
        return size << shift;
    }

    /// <summary>[DEFAULT]hash_partition_exponent: 2^N points per conductor on the hash ring; null when absent.</summary>
    public int? HashPartitionExponent() => Get("DEFAULT", "hash_partition_exponent") is { } exponent
        ? int.TryParse(exponent, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= Boot.HashRing.MaxPartitionExponent
            ? value
            : throw new FormatException($"{Source}: [DEFAULT]hash_partition_exponent = '{exponent}' must be a whole number from 0 to {Boot.HashRing.MaxPartitionExponent} (Ironic's default is {Boot.HashRing.DefaultPartitionExponent}); use the value your Ironic conductors use.")
        : null;

    /// <summary>An absolute http or https URL.</summary>
    public Uri? HttpUrl(string section, string key) => Get(section, key) is { } value
        ? Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw new FormatException($"{Source}: [{section}]{key} = '{value}' is not an http(s) URL; write it like http://10.0.0.5:6385.")
        : null;

    /// <summary>A path, relative to the file's directory when it is not absolute.</summary>
    public string? PathOf(string section, string key) => Get(section, key) is { } value ? Path.Combine(BaseDirectory, value) : null;

    /// <summary>[database]connection as a store, or null.</summary>
    public StoreLocation? Database() => Get("database", "connection") is { } connection ? DatabaseConnection(connection, BaseDirectory) : null;

    /// <summary>
    /// Ironic's SQLAlchemy URL to a store: <c>sqlite:///path</c> (relative) or <c>sqlite:////abs</c>,
    /// <c>postgresql[+driver]://…</c>; a bare path is a SQLite file.
    /// </summary>
    public static StoreLocation DatabaseConnection(string connection, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.StartsWith("sqlite:///", StringComparison.OrdinalIgnoreCase))
        {
            var path = connection["sqlite:///".Length..];
            return StoreLocation.Sqlite(Path.IsPathRooted(path) ? path : Path.Combine(baseDirectory, path));
        }
        var plus = connection.IndexOf('+', StringComparison.Ordinal);
        var scheme = connection.IndexOf("://", StringComparison.Ordinal);
        if (plus > 0 && scheme > plus) connection = connection[..plus] + connection[scheme..];
        if (!connection.Contains("://", StringComparison.Ordinal) && !Path.IsPathRooted(connection)) connection = Path.Combine(baseDirectory, connection);
        return StoreLocation.Parse(connection) ?? throw new FormatException("[database]connection is empty.");
    }
}
