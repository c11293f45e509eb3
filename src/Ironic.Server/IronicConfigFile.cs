using System.Globalization;
using Ironic.Core.Configuration;
using Ironic.Core.Deploy;
using Ironic.Core.Inventory;

namespace Ironic.Server;

/// <summary>
/// Reads an ironic.conf-style file (<see cref="IronicConf"/>, shared with the deploy fronts) with
/// Ironic's option names, plus a [boot_server] section of our own, into <see cref="BootServerOptions"/>.
/// </summary>
public static class IronicConfigFile
{
    /// <summary>Reads a config file and applies it over <paramref name="defaults"/>.</summary>
    public static BootServerOptions Load(string path, BootServerOptions defaults) => Apply(IronicConf.Load(path), defaults);

    public static BootServerOptions Apply(IronicConf conf, BootServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(conf);
        var source = conf.Source;
        string? Get(string section, string key) => conf.Get(section, key);
        // What the deploy fronts read too (the ring, the inventory, the image cache): one reading for both.
        var deploy = DeployConfiguration.From(conf);

        if (Get("DEFAULT", "host") is { } host) options = options with { Name = host };
        if (deploy.HashPartitionExponent is { } exponent) options = options with { HashPartitionExponent = exponent };

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
        if (conf.Bool("api", "restrict_boot_config") is { } restrict) boot = boot with { RestrictBootConfig = restrict };
        if (conf.Bool("pxe", "ipxe_use_boot_config_api") is { } use) boot = boot with { UseBootConfigApi = use };
        if (conf.HttpUrl("pxe", "ipxe_config_api_root_url") is { } rootUrl) boot = boot with { ApiRootUrl = rootUrl };
        options = options with { BootConfig = boot };

        if (conf.Seconds("conductor", "heartbeat_interval") is { } interval) options = options with { HeartbeatInterval = interval };
        if (deploy.HeartbeatTimeout is { } timeout) options = options with { HeartbeatTimeout = timeout };
        if (conf.Seconds("conductor", "check_provision_state_interval") is { } sweep) options = options with { ReservationSweepInterval = sweep };
        if (Get("conductor", "conductor_group") is { } group) options = options with { ConductorGroup = group };
        if (deploy.Store is { } database) options = options with { Store = database };

        if (Get("boot_server", "internal_url") is { } internalUrl)
        {
            if (!Uri.TryCreate(internalUrl, UriKind.Absolute, out var url)) throw new FormatException($"{source}: [boot_server]internal_url '{internalUrl}' is not a URL; write it like http://10.0.0.1:6385.");
            options = options with { InternalUrl = url };
        }
        if (Get("boot_server", "shared_secret") is { } secret) options = options with { SharedSecret = secret };
        if (conf.PathOf("boot_server", "shared_secret_file") is { } secretFile) options = options with { SharedSecret = ReadSecretFile(secretFile) };
        if (conf.Seconds("boot_server", "forward_timeout") is { } forward) options = options with { ForwardTimeout = forward };
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
        if (conf.Bool("boot_server", "status_page") is { } statusPage) options = options with { StatusPage = statusPage };
        if (conf.PathOf("boot_server", "images_directory") is { } images) options = options with { ImagesDirectory = images };
        if (deploy.ImageCacheDirectory is { } cacheDir) options = options with { ImageCacheDirectory = cacheDir };
        if (deploy.ImageCacheMaxBytes is { } cacheSize) options = options with { ImageCacheMaxBytes = cacheSize };
        if (conf.Seconds("deploy", "one_shot_settle_time") is { } settle) options = options with { OneShotSettleTime = settle };
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
}
