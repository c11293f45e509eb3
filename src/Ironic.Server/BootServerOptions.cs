using System.Net;
using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.Server;

/// <summary>
/// How one boot server runs: where it listens, which inventory it shares, its conductor name,
/// the boot configuration rules, heartbeats, forwarding and load limits. Read from an
/// ironic.conf-style file (<see cref="IronicConfigFile"/>) and overridden by `ironic serve` flags.
/// </summary>
public sealed record BootServerOptions
{
    public const string DefaultListen = "127.0.0.1:6385";

    /// <summary>The header a forwarding server sends the shared secret in.</summary>
    public const string SecretHeader = "X-Ironic-Boot-Secret";

    /// <summary>Environment variable with the shared secret (overrides the config file).</summary>
    public const string SecretEnvironmentVariable = "IRONIC_BOOT_SHARED_SECRET";

    /// <summary>host:port to listen on; port 0 picks a free one. ([api]host_ip and [api]port)</summary>
    public string Listen { get; init; } = DefaultListen;

    /// <summary>The inventory. ([database]connection)</summary>
    public StoreLocation Store { get; init; } = StoreLocation.Default;

    /// <summary>This server's conductor name on the hash ring, default the host name. ([DEFAULT]host)</summary>
    public string Name { get; init; } = Environment.MachineName.ToLowerInvariant();

    /// <summary>[conductor]conductor_group: this server only owns nodes of this group (empty: the default group).</summary>
    public string ConductorGroup { get; init; } = "";

    /// <summary>[api]restrict_boot_config, [pxe]ipxe_use_boot_config_api, [pxe]ipxe_config_api_root_url.</summary>
    public BootConfigOptions BootConfig { get; init; } = new();

    /// <summary>
    /// [DEFAULT]hash_partition_exponent: each conductor gets 2^exponent points on the hash ring.
    /// Every server of one inventory must use the same value (as Ironic's conductors must), or
    /// they disagree on who owns a node.
    /// </summary>
    public int HashPartitionExponent { get; init; } = HashRing.DefaultPartitionExponent;

    /// <summary>[conductor]heartbeat_interval: how often this server refreshes its heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>[conductor]heartbeat_timeout: a conductor whose heartbeat is older leaves the ring.</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>[boot_server]internal_url: where the other servers reach this one; default the address it listens on.</summary>
    public Uri? InternalUrl { get; init; }

    /// <summary>[boot_server]shared_secret(_file) or $IRONIC_BOOT_SHARED_SECRET: authenticates forwarded requests between servers.</summary>
    public string? SharedSecret { get; init; }

    /// <summary>[boot_server]forward_timeout: how long a forwarded request may take before the client gets 503.</summary>
    public TimeSpan ForwardTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>[boot_server]boot_cache_ttl: how long a MAC's node and rendered script are reused (0 turns it off).</summary>
    public TimeSpan BootCacheTtl { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>[boot_server]max_concurrent_requests: more requests in flight than this are answered 503 + Retry-After.</summary>
    public int MaxConcurrentRequests { get; init; } = 1024;

    /// <summary>[boot_server]allowed_networks: client networks (CIDR) that may use /v1/boot and /boot.ipxe; empty allows all.</summary>
    public IReadOnlyList<IPNetwork> AllowedNetworks { get; init; } = [];

    /// <summary>[boot_server]status_page: serve the read-only status page at GET / (default true); false makes / the generic 404.</summary>
    public bool StatusPage { get; init; } = true;

    /// <summary>[boot_server]images_directory: serves {dir}/{node}/{file} at /v1/images/{node}/{file} when set.</summary>
    public string? ImagesDirectory { get; init; }

    /// <summary>[deploy]image_cache_directory: where base images of deploys are cached; default images/ in the user's data directory.</summary>
    public string? ImageCacheDirectory { get; init; }

    /// <summary>[deploy]image_cache_size: bytes of base images the cache may hold (unreferenced ones are evicted, least recently used first).</summary>
    public long ImageCacheMaxBytes { get; init; } = 20L << 30;

    /// <summary>
    /// [deploy]one_shot_settle_time: a one-shot deploy's ISO is ejected and dropped once this server
    /// has served reads of it and then seen none for this long (the BMC has finished reading it).
    /// </summary>
    public TimeSpan OneShotSettleTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// [conductor]check_provision_state_interval: how often this server looks for reservations whose
    /// holder is gone (a conductor with a stale heartbeat, a deploy process on this host that no
    /// longer runs), fails what they were doing and frees the node.
    /// </summary>
    public TimeSpan ReservationSweepInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Parses <c>host:port</c>, <c>[v6]:port</c> or a bare port into an endpoint.</summary>
    public static IPEndPoint ParseListen(string listen)
    {
        var text = listen.Trim();
        if (int.TryParse(text, out var bare)) text = "127.0.0.1:" + bare.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase)) text = "127.0.0.1" + text["localhost".Length..];
        if (text.StartsWith("*:", StringComparison.Ordinal)) text = "0.0.0.0" + text[1..];
        if (!IPEndPoint.TryParse(text, out var endpoint) || !text.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Cannot listen on '{listen}': give an address and port such as 127.0.0.1:6385, 0.0.0.0:6385 or [::1]:6385.");
        }
        return endpoint;
    }

    /// <summary>Parses a comma-separated list of CIDRs (a bare address is a /32 or /128).</summary>
    public static IReadOnlyList<IPNetwork> ParseNetworks(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var list = new List<IPNetwork>();
        foreach (var item in text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var cidr = item.Contains('/', StringComparison.Ordinal) ? item
                : item + (IPAddress.TryParse(item, out var a) && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "/128" : "/32");
            if (!IPNetwork.TryParse(cidr, out var network))
            {
                throw new ArgumentException($"The client network '{item}' in allowed_networks is not a CIDR. Write it like 10.0.0.0/8 or fd00::/64, separated by commas.");
            }
            list.Add(network);
        }
        return list;
    }
}
