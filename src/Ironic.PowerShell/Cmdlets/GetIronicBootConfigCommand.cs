using System.Management.Automation;
using Ironic.PowerShell.Plumbing;
using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Shows the boot configuration a node with this MAC would get from the boot API, or why it gets none.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "IronicBootConfig")]
[OutputType(typeof(BootConfigLookup))]
public sealed class GetIronicBootConfigCommand : AsyncPSCmdlet
{
    /// <summary>MAC of one of the node's ports, in any usual form.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Address", "Mac")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(MacAddressCompleter))]
    public string[] MacAddress { get; set; } = [];

    /// <summary>The configuration name.</summary>
    [Parameter]
    [ValidateSet("boot.ipxe")]
    public string Name { get; set; } = IpxeScripts.BootScriptName;

    /// <summary>The inventory (default: $IRONIC_STORE, else the embedded SQLite file).</summary>
    [Parameter]
    public string? Store { get; set; }

    /// <summary>Render as with [api]restrict_boot_config = false (any provision state).</summary>
    [Parameter]
    public SwitchParameter Unrestricted { get; set; }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        await using var inventory = InventoryStores.Open(StoreLocation.Resolve(Store));
        await inventory.MigrateAsync(cancellationToken).ConfigureAwait(false);
        var service = new BootConfigService(inventory, new BootConfigOptions { RestrictBootConfig = !Unrestricted });
        foreach (var mac in MacAddress)
        {
            var lookup = await service.ExplainAsync(mac, Name, cancellationToken).ConfigureAwait(false);
            if (!lookup.Found) WriteWarning($"No boot configuration for {lookup.MacAddress}: {lookup.Reason}");
            WriteObject(lookup);
        }
    }
}
