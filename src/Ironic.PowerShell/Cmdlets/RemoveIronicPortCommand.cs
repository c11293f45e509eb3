using System.Management.Automation;
using Ironic.Core.Inventory;
using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Removes ports by MAC address (any form).</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "IronicPort", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(Port))]
public sealed class RemoveIronicPortCommand : InventoryCmdlet
{
    /// <summary>The MACs to remove; port objects piped in bind by their Address.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Address")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(MacAddressCompleter))]
    public string[] MacAddress { get; set; } = [];

    /// <summary>Writes each removed port.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        foreach (var mac in MacAddress)
        {
            try
            {
                var normalized = Ironic.Core.Inventory.MacAddress.Normalize(mac);
                var store = await GetStoreAsync(cancellationToken).ConfigureAwait(false);
                var owner = await store.FindNodeByMacAsync(normalized, cancellationToken).ConfigureAwait(false) ?? throw NodeNotFoundException.ForPort(normalized);
                if (!await ShouldProcessAsync($"{normalized} (node {owner.Name})", "Remove port").ConfigureAwait(false)) continue;
                var port = await NodeRegistration.GetPortAsync(store, normalized, cancellationToken).ConfigureAwait(false);
                await store.DeletePortAsync(normalized, cancellationToken).ConfigureAwait(false);
                if (PassThru) WriteObject(port);
            }
            catch (Exception e) when (e is InventoryException or FormatException)
            {
                WriteInventoryError(e, mac);
            }
        }
    }
}
