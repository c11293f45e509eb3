using System.Management.Automation;
using Ironic.Core.Inventory;
using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Gets ports: all, those of a node, or those with given MAC addresses (any form).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "IronicPort", DefaultParameterSetName = ByNode)]
[OutputType(typeof(Port))]
public sealed class GetIronicPortCommand : InventoryCmdlet
{
    private const string ByNode = "ByNode";
    private const string ByMac = "ByMacAddress";

    /// <summary>Only this node's ports (name or UUID); a node object piped in binds by its Name.</summary>
    [Parameter(Position = 0, ParameterSetName = ByNode, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(NodeNameCompleter))]
    public string? Node { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ByMac, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Address")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(MacAddressCompleter))]
    public string[] MacAddress { get; set; } = [];

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        try
        {
            var store = await GetStoreAsync(cancellationToken).ConfigureAwait(false);
            if (ParameterSetName == ByMac)
            {
                foreach (var mac in MacAddress)
                {
                    try
                    {
                        WriteObject(await NodeRegistration.GetPortAsync(store, mac, cancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception e) when (e is InventoryException or FormatException)
                    {
                        WriteInventoryError(e, mac);
                    }
                }
                return;
            }
            Guid? only = Node is null ? null : (await NodeRegistration.GetAsync(store, Node, cancellationToken).ConfigureAwait(false)).Uuid;
            WriteObject(await store.ListPortsAsync(only, cancellationToken).ConfigureAwait(false), enumerateCollection: true);
        }
        catch (InventoryException e)
        {
            WriteInventoryError(e, Node);
        }
    }
}
