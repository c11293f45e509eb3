namespace Ironic.Core.Deploy;

/// <summary>How <see cref="RamdiskDeploy"/> runs.</summary>
public sealed record RamdiskDeployOptions
{
    /// <summary>The name the node's reservation is taken under (a conductor, or <see cref="ProcessHolder"/> of a CLI run).</summary>
    public required string Conductor { get; init; }

    /// <summary>Kernel parameters every virtual media deploy gets first ([redfish]kernel_append_params); <c>{node_uuid}</c>, <c>{node_name}</c> are filled in.</summary>
    public IReadOnlyList<string> VirtualMediaKernelParameters { get; init; } = [];

    /// <summary>Kernel parameters every iPXE deploy gets first ([pxe]kernel_append_params); <c>{node_uuid}</c>, <c>{node_name}</c> are filled in.</summary>
    public IReadOnlyList<string> IpxeKernelParameters { get; init; } = [];

    /// <summary>Files put into every node's ISO (ISO path → content); the path must exist in the base.</summary>
    public IReadOnlyDictionary<string, byte[]> InjectedFiles { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>
    /// Where BMCs fetch node ISOs ([deploy]external_http_url): <c>{root}/v1/images/{node}/boot.iso</c>.
    /// Null: the URL of the boot server that owns the node on the conductor ring.
    /// </summary>
    public Uri? ImageRootUrl { get; init; }

    /// <summary>A conductor whose heartbeat is older than this is dead (its ring membership, its reservations).</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The boot servers' [DEFAULT]hash_partition_exponent, so that the deploy picks the node's owner (its ISO's server) as they do.</summary>
    public int HashPartitionExponent { get; init; } = Boot.HashRing.DefaultPartitionExponent;

    /// <summary>How long a deploy waits for a reservation another deploy holds before it gives up.</summary>
    public TimeSpan ReservationWait { get; init; } = TimeSpan.Zero;

    /// <summary>How often <see cref="RamdiskDeploy.WaitAsync"/> looks at the node.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A reservation holder name for a deploy run inside a command-line or PowerShell process:
    /// <c>process:{host}:{pid}</c>, so that recovery on that host can tell whether it is still alive.
    /// </summary>
    public static string ProcessHolder() =>
        $"process:{Environment.MachineName.ToLowerInvariant()}:{Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
