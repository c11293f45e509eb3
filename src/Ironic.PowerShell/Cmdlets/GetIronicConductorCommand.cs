using System.Management.Automation;
using Ironic.PowerShell.Plumbing;
using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Lists the conductors of an inventory and the nodes each owns on the hash ring.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "IronicConductor")]
[OutputType(typeof(ConductorOwnership))]
public sealed class GetIronicConductorCommand : AsyncPSCmdlet
{
    /// <summary>Conductor names (wildcards).</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ConductorNameCompleter))]
    public string[] Name { get; set; } = ["*"];

    /// <summary>The inventory (default: $IRONIC_STORE, else the embedded SQLite file).</summary>
    [Parameter]
    public string? Store { get; set; }

    /// <summary>Seconds after which a conductor counts as dead and owns nothing.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int HeartbeatTimeoutSec { get; set; } = 60;

    /// <summary>2^N points per conductor on the ring: the boot servers' [DEFAULT]hash_partition_exponent.</summary>
    [Parameter]
    [ValidateRange(0, HashRing.MaxPartitionExponent)]
    public int HashPartitionExponent { get; set; } = HashRing.DefaultPartitionExponent;

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        var patterns = Name.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
        await using var inventory = InventoryStores.Open(StoreLocation.Resolve(Store));
        await inventory.MigrateAsync(cancellationToken).ConfigureAwait(false);
        foreach (var conductor in await ConductorOwnership.ListAsync(inventory, TimeSpan.FromSeconds(HeartbeatTimeoutSec), cancellationToken, HashPartitionExponent).ConfigureAwait(false))
        {
            if (patterns.Any(p => p.IsMatch(conductor.Name))) WriteObject(conductor);
        }
    }
}
