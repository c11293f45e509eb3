using System.Management.Automation;
using Ironic.PowerShell.Plumbing;
using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Lists the boot servers this session started and, with -Store, the conductors registered in an inventory.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "IronicBootServer")]
[OutputType(typeof(BootServerInfo))]
public sealed class GetIronicBootServerCommand : AsyncPSCmdlet
{
    /// <summary>Conductor names (wildcards).</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ConductorNameCompleter))]
    public string[] Name { get; set; } = ["*"];

    /// <summary>Also list the conductors of this inventory (SQLite file or postgres:// URL).</summary>
    [Parameter]
    public string? Store { get; set; }

    /// <summary>Seconds after which a conductor counts as dead.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int HeartbeatTimeoutSec { get; set; } = 60;

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        var patterns = Name.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
        bool Wanted(string name) => patterns.Any(p => p.IsMatch(name));
        foreach (var server in BootServerSession.List().Where(s => Wanted(s.Name))) WriteObject(BootServerInfo.FromProcess(server));
        if (Store is null) return;
        var location = StoreLocation.Resolve(Store);
        await using var inventory = InventoryStores.Open(location);
        await inventory.MigrateAsync(cancellationToken).ConfigureAwait(false);
        var conductors = await ConductorOwnership.ListAsync(inventory, TimeSpan.FromSeconds(HeartbeatTimeoutSec), cancellationToken).ConfigureAwait(false);
        foreach (var conductor in conductors.Where(c => Wanted(c.Name))) WriteObject(BootServerInfo.FromConductor(conductor, location.ToString()));
    }
}
