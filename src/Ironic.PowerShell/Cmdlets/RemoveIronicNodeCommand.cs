using System.Management.Automation;
using Ironic.Core.Inventory;
using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Deletes nodes with their ports and boot artifacts (refused while a conductor holds a node).</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "IronicNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByName)]
[OutputType(typeof(Node))]
public sealed class RemoveIronicNodeCommand : InventoryCmdlet
{
    private const string ByName = "ByName";
    private const string ByNode = "ByNode";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByName, ValueFromPipelineByPropertyName = true)]
    [Alias("Uuid")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NodeNameCompleter))]
    public string[] Name { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = ByNode, ValueFromPipeline = true)]
    [ValidateNotNull]
    public Node[] Node { get; set; } = [];

    /// <summary>Writes each deleted node.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        var targets = ParameterSetName == ByNode ? Node.Select(n => n.Uuid.ToString("D")).ToArray() : Name;
        foreach (var target in targets)
        {
            try
            {
                var store = await GetStoreAsync(cancellationToken).ConfigureAwait(false);
                var node = await NodeRegistration.GetAsync(store, target, cancellationToken).ConfigureAwait(false);
                if (!await ShouldProcessAsync($"{node.Name} ({node.Uuid:D})", "Delete node, its ports and artifacts").ConfigureAwait(false)) continue;
                var deleted = await NodeRegistration.DeleteAsync(store, node.Uuid.ToString("D"), cancellationToken).ConfigureAwait(false);
                if (PassThru) WriteObject(deleted.Redacted());
            }
            catch (InventoryException e)
            {
                WriteInventoryError(e, target);
            }
        }
    }
}
