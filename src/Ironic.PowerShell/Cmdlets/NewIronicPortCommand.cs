using System.Management.Automation;
using Ironic.Core.Inventory;
using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Adds ports (MAC addresses) to a node.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "IronicPort", SupportsShouldProcess = true)]
[OutputType(typeof(Port))]
public sealed class NewIronicPortCommand : InventoryCmdlet
{
    /// <summary>The node's name or UUID; a node object piped in binds by its Name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NodeNameCompleter))]
    public string Node { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[] MacAddress { get; set; } = [];

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        foreach (var mac in MacAddress)
        {
            try
            {
                var normalized = Ironic.Core.Inventory.MacAddress.Normalize(mac);
                if (!await ShouldProcessAsync(Node, $"Add port {normalized}").ConfigureAwait(false)) continue;
                var store = await GetStoreAsync(cancellationToken).ConfigureAwait(false);
                WriteObject(await NodeRegistration.AddPortAsync(store, Node, normalized, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is InventoryException or FormatException)
            {
                WriteInventoryError(e, mac);
            }
        }
    }
}
