using Ironic.Core.Configuration;
using Ironic.Core.Inventory;

namespace Ironic.Core.Deploy;

/// <summary>
/// What a deploy run by a front (`ironic deploy start --config`, Start-IronicDeploy -ConfigPath)
/// takes from the ironic.conf the boot server reads, under the same option names:
/// [deploy]image_cache_directory and image_cache_size, [redfish]kernel_append_params (virtual
/// media) and [pxe]kernel_append_params (iPXE), [database]connection, and what decides which
/// boot server's URL the BMC gets: [deploy]external_http_url, [conductor]heartbeat_timeout and
/// [DEFAULT]hash_partition_exponent. Null means "not set": the front's own default (or flag) applies.
/// </summary>
public sealed record DeployConfiguration
{
    public string? Source { get; init; }
    public string? ImageCacheDirectory { get; init; }
    public long? ImageCacheMaxBytes { get; init; }
    public IReadOnlyList<string> VirtualMediaKernelParameters { get; init; } = [];
    public IReadOnlyList<string> IpxeKernelParameters { get; init; } = [];
    public StoreLocation? Store { get; init; }

    /// <summary>[deploy]external_http_url: where BMCs fetch node ISOs instead of the owning boot server's URL.</summary>
    public Uri? ExternalHttpUrl { get; init; }

    /// <summary>[conductor]heartbeat_timeout: when a boot server counts as gone (the ring, reservations).</summary>
    public TimeSpan? HeartbeatTimeout { get; init; }

    /// <summary>[DEFAULT]hash_partition_exponent: the ring the boot servers use, to pick the node's owner as they do.</summary>
    public int? HashPartitionExponent { get; init; }

    /// <summary>No file: every default.</summary>
    public static DeployConfiguration None { get; } = new();

    public static DeployConfiguration From(IronicConf conf)
    {
        ArgumentNullException.ThrowIfNull(conf);
        return new DeployConfiguration
        {
            Source = conf.Source,
            ImageCacheDirectory = conf.PathOf("deploy", "image_cache_directory"),
            ImageCacheMaxBytes = conf.Size("deploy", "image_cache_size"),
            VirtualMediaKernelParameters = KernelParameterList.Split(conf.Get("redfish", KernelParameterList.NodeKernelParamsKey)),
            IpxeKernelParameters = KernelParameterList.Split(conf.Get("pxe", KernelParameterList.NodeKernelParamsKey)),
            Store = conf.Database(),
            ExternalHttpUrl = conf.HttpUrl("deploy", "external_http_url"),
            HeartbeatTimeout = conf.Seconds("conductor", "heartbeat_timeout"),
            HashPartitionExponent = conf.HashPartitionExponent(),
        };
    }

    /// <summary>
    /// The configuration file a front reads: the one given, else <c>$IRONIC_CONFIG</c>, else none.
    /// <paramref name="environment"/> reads an environment variable (tests pass their own).
    /// </summary>
    public static DeployConfiguration Load(string? path, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var file = string.IsNullOrWhiteSpace(path) ? environment(IronicConf.EnvironmentVariable) : path;
        return string.IsNullOrWhiteSpace(file) ? None : From(IronicConf.Load(file));
    }

    /// <summary>These settings over <paramref name="options"/>: what the file sets replaces the option.</summary>
    public RamdiskDeployOptions Apply(RamdiskDeployOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options with
        {
            VirtualMediaKernelParameters = VirtualMediaKernelParameters.Count > 0 ? VirtualMediaKernelParameters : options.VirtualMediaKernelParameters,
            IpxeKernelParameters = IpxeKernelParameters.Count > 0 ? IpxeKernelParameters : options.IpxeKernelParameters,
            ImageRootUrl = ExternalHttpUrl ?? options.ImageRootUrl,
            HeartbeatTimeout = HeartbeatTimeout ?? options.HeartbeatTimeout,
            HashPartitionExponent = HashPartitionExponent ?? options.HashPartitionExponent,
        };
    }

    /// <summary>The inventory: the flag (or -Store) when given, else [database]connection, else $IRONIC_STORE or the default file.</summary>
    public StoreLocation ResolveStore(string? flag) =>
        string.IsNullOrWhiteSpace(flag) && Store is { } configured ? configured : StoreLocation.Resolve(flag);
}
