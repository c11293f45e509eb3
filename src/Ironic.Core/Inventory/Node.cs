using System.Text.Json.Serialization;

namespace Ironic.Core.Inventory;

/// <summary>
/// A bare-metal node as Ironic knows it. Field names follow Ironic's API (driver_info,
/// instance_info, provision_state …) so that operators' habits carry over.
/// </summary>
public sealed record Node
{
    public Guid Uuid { get; init; } = Guid.NewGuid();
    public required string Name { get; init; }

    /// <summary>Hardware type: <c>redfish</c> or <c>fake</c>.</summary>
    public string Driver { get; init; } = "fake";

    /// <summary>How to reach the BMC: redfish_address, redfish_system_id, redfish_username, redfish_password, redfish_verify_ca.</summary>
    public IReadOnlyDictionary<string, string> DriverInfo { get; init; } = new Dictionary<string, string>();

    /// <summary>What to deploy: boot_iso, kernel, ramdisk, ramdisk_kernel_arguments, image_checksum, one_shot …</summary>
    public IReadOnlyDictionary<string, string> InstanceInfo { get; init; } = new Dictionary<string, string>();

    public string ProvisionState { get; init; } = ProvisionStates.Available;
    public string? TargetProvisionState { get; init; }
    public string PowerState { get; init; } = PowerStates.Unknown;
    public string BootInterface { get; init; } = "redfish-virtual-media";
    public string DeployInterface { get; init; } = "ramdisk";
    public string ConductorGroup { get; init; } = "";
    public string? LastError { get; init; }

    /// <summary>The conductor that holds the node's lock while it changes it; null when free.</summary>
    public string? Reservation { get; init; }

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;
    public DateTimeOffset UpdatedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>driver_info redfish_address: the BMC's base URL, or null.</summary>
    [JsonIgnore]
    public string? BmcAddress => DriverInfo.GetValueOrDefault(DriverInfoKeys.RedfishAddress);

    /// <summary>driver_info redfish_system_id: the system's Redfish path, or null.</summary>
    [JsonIgnore]
    public string? SystemId => DriverInfo.GetValueOrDefault(DriverInfoKeys.RedfishSystemId);

    /// <summary>driver_info redfish_username, or null.</summary>
    [JsonIgnore]
    public string? BmcUsername => DriverInfo.GetValueOrDefault(DriverInfoKeys.RedfishUsername);

    /// <summary>A copy whose secret driver_info values (any key ending in _password) read "******": for printing and JSON.</summary>
    public Node Redacted() => this with
    {
        DriverInfo = DriverInfo.ToDictionary(p => p.Key, p => DriverInfoKeys.IsSecret(p.Key) ? DriverInfoKeys.RedactedValue : p.Value, StringComparer.Ordinal),
    };
}

/// <summary>The driver_info keys Ironic's redfish hardware type reads.</summary>
public static class DriverInfoKeys
{
    public const string RedfishAddress = "redfish_address";
    public const string RedfishSystemId = "redfish_system_id";
    public const string RedfishUsername = "redfish_username";
    public const string RedfishPassword = "redfish_password";
    public const string RedfishVerifyCa = "redfish_verify_ca";

    /// <summary>What a secret reads as once redacted.</summary>
    public const string RedactedValue = "******";

    /// <summary>Secrets are redfish_password and any key ending in _password: encrypted at rest, never printed.</summary>
    public static bool IsSecret(string key) => key.EndsWith("_password", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Ironic's provision state names.</summary>
public static class ProvisionStates
{
    public const string Enroll = "enroll";
    public const string Manageable = "manageable";
    public const string Available = "available";
    public const string Deploying = "deploying";
    public const string WaitCallback = "wait call-back";
    public const string Active = "active";
    public const string DeployFailed = "deploy failed";
    public const string Deleting = "deleting";
    public const string Error = "error";

    public const string Verifying = "verifying";
    public const string Inspecting = "inspecting";
    public const string InspectWait = "inspect wait";
    public const string InspectFailed = "inspect failed";
    public const string Cleaning = "cleaning";
    public const string CleanWait = "clean wait";
    public const string CleanFailed = "clean failed";
    public const string Rescuing = "rescuing";
    public const string RescueWait = "rescue wait";
    public const string Rescue = "rescue";
    public const string RescueFailed = "rescue failed";
    public const string ServiceWait = "service wait";

    /// <summary>Every state name Ironic uses that this project knows; a front refuses others.</summary>
    public static IReadOnlyList<string> Known { get; } =
    [
        Enroll, Verifying, Manageable, Inspecting, InspectWait, InspectFailed, Cleaning, CleanWait, CleanFailed,
        Available, Deploying, WaitCallback, DeployFailed, Active, Deleting, Error, Rescuing, RescueWait, Rescue, RescueFailed, ServiceWait,
    ];

    public static bool IsKnown(string state) => Known.Contains(state, StringComparer.Ordinal);

    /// <summary>States in which a node waits for something from the network (the boot API's gate).</summary>
    public static bool IsWaitState(string state) => state.EndsWith(" wait", StringComparison.Ordinal) || state.StartsWith("wait ", StringComparison.Ordinal);
}

public static class PowerStates
{
    public const string On = "power on";
    public const string Off = "power off";
    public const string Unknown = "unknown";

    public static IReadOnlyList<string> Known { get; } = [On, Off, Unknown];
}

/// <summary>A network port of a node; the MAC is unique across the inventory and stored normalized (lower-case, colons).</summary>
public sealed record Port(string Address, Guid NodeUuid)
{
    public Guid Uuid { get; init; } = Guid.NewGuid();
    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>A boot server taking part in the hash ring; alive while its heartbeat is fresh.</summary>
public sealed record Conductor(string Name, Uri InternalUrl, DateTimeOffset HeartbeatAt)
{
    public string ConductorGroup { get; init; } = "";
}
