using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.Core.Deploy;

/// <summary>A node's deploy as the fronts show it (Start/Wait/Stop-IronicDeploy, `ironic deploy show`).</summary>
public sealed record DeployStatus(
    string Name,
    Guid Uuid,
    string ProvisionState,
    string? TargetProvisionState,
    string PowerState,
    string? LastError,
    string? Reservation,
    string? BootIso,
    string? Kernel,
    string? Ramdisk,
    string? KernelArguments,
    string? BootMode,
    bool OneShot,
    DateTimeOffset? OneShotPendingSince,
    DateTimeOffset? OneShotReadAt,
    DateTimeOffset? OneShotReleasedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>A one-shot deploy whose ISO the boot server has not released yet (it waits for the BMC to read it).</summary>
    public bool OneShotReleasePending => OneShotPendingSince is not null;

    public static DeployStatus FromNode(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var info = node.InstanceInfo;
        return new DeployStatus(
            node.Name,
            node.Uuid,
            node.ProvisionState,
            node.TargetProvisionState,
            node.PowerState,
            node.LastError,
            node.Reservation,
            info.GetValueOrDefault(IpxeScripts.BootIsoKey),
            info.GetValueOrDefault(IpxeScripts.KernelKey),
            info.GetValueOrDefault(IpxeScripts.RamdiskKey),
            info.GetValueOrDefault(IpxeScripts.KernelArgumentsKey),
            DeployBootMode.Describe(node),
            OneShotRelease.IsRequested(node),
            OneShotRelease.PendingSince(node),
            OneShotRelease.ReadAt(node),
            OneShotRelease.ReleasedAt(node),
            node.UpdatedAt);
    }
}
