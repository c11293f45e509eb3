using System.Globalization;
using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.Server;

/// <summary>
/// Reads an ironic.conf-style INI file (oslo.config syntax: [section], key = value, # or ;
/// comments, indented continuation lines) with Ironic's option names, plus a
/// [boot_server] section of our own, into <see cref="BootServerOptions"/>.
/// </summary>
public static class IronicConfigFile
{
    /// <summary>Section → key → value; keys lower-case, later values win as in oslo.config.</summary>
    public static IReadOnlyDictionary<string, Dictionary<string, string>> Parse(string text, string source)
    {
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

    /// <summary>Reads a config file and applies it over <paramref name="defaults"/>.</summary>
    public static BootServerOptions Load(string path, BootServerOptions defaults)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileNotFoundException($"Cannot read the configuration file '{path}': {e.Message}. Give the path of an ironic.conf-style file with --config.", path, e);
        }
        return Apply(Parse(text, path), defaults, Path.GetDirectoryName(Path.GetFullPath(path))!, path);
    }

    public static BootServerOptions Apply(IReadOnlyDictionary<string, Dictionary<string, string>> conf, BootServerOptions options, string baseDirectory, string source)
    {
        string? Get(string section, string key) =>
            conf.TryGetValue(section, out var s) && s.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

        if (Get("DEFAULT", "host") is { } host) options = options with { Name = host };

        var hostIp = Get("api", "host_ip");
        var port = Get("api", "port");
        if (hostIp is not null || port is not null)
        {
            var current = BootServerOptions.ParseListen(options.Listen);
            var address = hostIp ?? current.Address.ToString();
            if (address.Contains(':', StringComparison.Ordinal) && !address.StartsWith('[')) address = "[" + address + "]";
            options = options with { Listen = address + ":" + (port ?? current.Port.ToString(CultureInfo.InvariantCulture)) };
        }

        var boot = options.BootConfig;
        if (Get("api", "restrict_boot_config") is { } restrict) boot = boot with { RestrictBootConfig = Bool(restrict, "[api]restrict_boot_config", source) };
        if (Get("pxe", "ipxe_use_boot_config_api") is { } use) boot = boot with { UseBootConfigApi = Bool(use, "[pxe]ipxe_use_boot_config_api", source) };
        if (Get("pxe", "ipxe_config_api_root_url") is { } root)
        {
            if (!Uri.TryCreate(root, UriKind.Absolute, out var rootUrl) || (rootUrl.Scheme != Uri.UriSchemeHttp && rootUrl.Scheme != Uri.UriSchemeHttps))
            {
                throw new FormatException($"{source}: [pxe]ipxe_config_api_root_url '{root}' is not an http(s) URL; write it like http://10.0.0.1:6385.");
            }
            boot = boot with { ApiRootUrl = rootUrl };
        }
        options = options with { BootConfig = boot };

        if (Get("conductor", "heartbeat_interval") is { } interval) options = options with { HeartbeatInterval = Seconds(interval, "[conductor]heartbeat_interval", source) };
        if (Get("conductor", "heartbeat_timeout") is { } timeout) options = options with { HeartbeatTimeout = Seconds(timeout, "[conductor]heartbeat_timeout", source) };
        if (Get("conductor", "conductor_group") is { } group) options = options with { ConductorGroup = group };
        if (Get("database", "connection") is { } connection) options = options with { Store = DatabaseConnection(connection, baseDirectory) };

        if (Get("boot_server", "internal_url") is { } internalUrl)
        {
            if (!Uri.TryCreate(internalUrl, UriKind.Absolute, out var url)) throw new FormatException($"{source}: [boot_server]internal_url '{internalUrl}' is not a URL; write it like http://10.0.0.1:6385.");
            options = options with { InternalUrl = url };
        }
        if (Get("boot_server", "shared_secret") is { } secret) options = options with { SharedSecret = secret };
        if (Get("boot_server", "shared_secret_file") is { } secretFile) options = options with { SharedSecret = ReadSecretFile(Path.Combine(baseDirectory, secretFile)) };
        if (Get("boot_server", "forward_timeout") is { } forward) options = options with { ForwardTimeout = Seconds(forward, "[boot_server]forward_timeout", source) };
        if (Get("boot_server", "boot_cache_ttl") is { } cacheTtl)
        {
            if (!double.TryParse(cacheTtl, NumberStyles.Float, CultureInfo.InvariantCulture, out var ttl) || ttl < 0) throw new FormatException($"{source}: [boot_server]boot_cache_ttl = '{cacheTtl}' must be a number of seconds, 0 or more.");
            options = options with { BootCacheTtl = TimeSpan.FromSeconds(ttl) };
        }
        if (Get("boot_server", "max_concurrent_requests") is { } max)
        {
            if (!int.TryParse(max, CultureInfo.InvariantCulture, out var limit) || limit < 1) throw new FormatException($"{source}: [boot_server]max_concurrent_requests '{max}' must be a whole number of at least 1.");
            options = options with { MaxConcurrentRequests = limit };
        }
        if (Get("boot_server", "allowed_networks") is { } networks) options = options with { AllowedNetworks = BootServerOptions.ParseNetworks(networks) };
        if (Get("boot_server", "status_page") is { } statusPage) options = options with { StatusPage = Bool(statusPage, "[boot_server]status_page", source) };
        if (Get("boot_server", "images_directory") is { } images) options = options with { ImagesDirectory = Path.Combine(baseDirectory, images) };
        if (Get("deploy", "image_cache_directory") is { } cacheDir) options = options with { ImageCacheDirectory = Path.Combine(baseDirectory, cacheDir) };
        if (Get("deploy", "image_cache_size") is { } cacheSize)
        {
            // Bytes, or with a K/M/G/T suffix (binary).
            var text = cacheSize.Trim().ToUpperInvariant();
            var shift = text.EndsWith('K') ? 10 : text.EndsWith('M') ? 20 : text.EndsWith('G') ? 30 : text.EndsWith('T') ? 40 : 0;
            if (shift > 0) text = text[..^1];
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size < 1 || size > (long.MaxValue >> shift))
            {
                throw new FormatException($"{source}: [deploy]image_cache_size '{cacheSize}' is not a size; write bytes or a number with K, M, G or T, like 50G.");
            }
            options = options with { ImageCacheMaxBytes = size << shift };
        }
        if (Get("deploy", "one_shot_settle_time") is { } settle) options = options with { OneShotSettleTime = Seconds(settle, "[deploy]one_shot_settle_time", source) };
        return options;
    }

    /// <summary>The secret from the environment, which wins over the file, when it is set.</summary>
    public static BootServerOptions ApplyEnvironment(BootServerOptions options) =>
        Environment.GetEnvironmentVariable(BootServerOptions.SecretEnvironmentVariable) is { Length: > 0 } secret ? options with { SharedSecret = secret } : options;

    public static string ReadSecretFile(string path)
    {
        try
        {
            var secret = File.ReadAllText(path).Trim();
            if (secret.Length == 0) throw new FormatException($"The shared secret file '{path}' is empty; write a long random string into it (e.g. openssl rand -hex 32).");
            return secret;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileNotFoundException($"Cannot read the shared secret file '{path}': {e.Message}.", path, e);
        }
    }

    /// <summary>
    /// Ironic's SQLAlchemy URL to a store: <c>sqlite:///path</c> (relative) or <c>sqlite:////abs</c>,
    /// <c>postgresql[+driver]://…</c>; a bare path is a SQLite file.
    /// </summary>
    public static StoreLocation DatabaseConnection(string connection, string baseDirectory)
    {
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

    private static bool Bool(string value, string option, string source) => value.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" or "1" => true,
        "false" or "no" or "off" or "0" => false,
        _ => throw new FormatException($"{source}: {option} = '{value}' is not a boolean; write true or false."),
    };

    private static TimeSpan Seconds(string value, string option, string source) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : throw new FormatException($"{source}: {option} = '{value}' must be a number of seconds greater than 0.");
}
