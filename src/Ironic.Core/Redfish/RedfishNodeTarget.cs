using Ironic.Core.Inventory;

namespace Ironic.Core.Redfish;

/// <summary>
/// Where a node's BMC is, read from its driver_info with Ironic's field names
/// (redfish_address, redfish_system_id, redfish_username, redfish_password, redfish_verify_ca),
/// so that a node from the inventory can be handed straight to the BMC commands.
/// </summary>
public sealed record RedfishNodeTarget(Uri BmcAddress, string? SystemId, string? Username, string? Password, bool VerifyTls)
{
    public static RedfishNodeTarget FromNode(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var info = node.DriverInfo;
        if (!info.TryGetValue("redfish_address", out var address) || string.IsNullOrWhiteSpace(address))
        {
            throw new ArgumentException(
                $"Node '{node.Name}' has no driver_info redfish_address (driver '{node.Driver}'). Set it (Set-IronicNode / ironic node set) or pass -BmcAddress.", nameof(node));
        }
        if (!address.Contains("://", StringComparison.Ordinal)) address = "https://" + address;
        if (!Uri.TryCreate(address, UriKind.Absolute, out var bmc))
        {
            throw new ArgumentException($"Node '{node.Name}' has redfish_address '{info["redfish_address"]}', which is not a URL.", nameof(node));
        }
        // Ironic's redfish_verify_ca is "true", "false", or a CA bundle path (verification on).
        var verify = !(info.TryGetValue("redfish_verify_ca", out var v) && v.Trim().Equals("false", StringComparison.OrdinalIgnoreCase));
        return new RedfishNodeTarget(
            bmc,
            info.TryGetValue("redfish_system_id", out var system) && system.Length > 0 ? system : null,
            info.TryGetValue("redfish_username", out var user) && user.Length > 0 ? user : null,
            info.TryGetValue("redfish_password", out var password) ? password : null,
            verify);
    }

    /// <summary>The CA bundle named by redfish_verify_ca, when it names a file.</summary>
    public static string? CaBundleOf(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.DriverInfo.TryGetValue("redfish_verify_ca", out var v) && v.Trim() is { Length: > 0 } path
            && !path.Equals("true", StringComparison.OrdinalIgnoreCase) && !path.Equals("false", StringComparison.OrdinalIgnoreCase)
            ? path
            : null;
    }

    /// <summary>Hides the password when a target is printed or logged.</summary>
    public override string ToString() => $"{BmcAddress}{(SystemId is null ? "" : $" system {SystemId}")}{(Username is null ? "" : $" as {Username}")}";
}

/// <summary>A system's power state as the BMC reports it (the output of Get-BmcPowerState).</summary>
public sealed record BmcPowerStatus(Uri Bmc, string System, string? PowerState);

/// <summary>A system's boot source override as the BMC reports it (the output of Set-BmcBootDevice -PassThru).</summary>
public sealed record BmcBootOverride(Uri Bmc, string System, string? Target, string? Enabled, string? Mode);
