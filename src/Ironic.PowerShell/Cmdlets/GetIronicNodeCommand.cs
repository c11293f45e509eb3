using System.Management.Automation;
using Ironic.Core.Inventory;
using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Gets nodes from the inventory by name (wildcards), UUID or the MAC address of a port.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "IronicNode", DefaultParameterSetName = ByName)]
[OutputType(typeof(Node))]
public sealed class GetIronicNodeCommand : InventoryCmdlet
{
    private const string ByName = "ByName";
    private const string ByMac = "ByMacAddress";

    [Parameter(Position = 0, ParameterSetName = ByName, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Uuid")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NodeNameCompleter))]
    public string[] Name { get; set; } = ["*"];

    [Parameter(Mandatory = true, ParameterSetName = ByMac, ValueFromPipelineByPropertyName = true)]
    [Alias("Address")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(MacAddressCompleter))]
    public string[] MacAddress { get; set; } = [];

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        IInventoryStore store;
        try
        {
            store = await GetStoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InventoryException e)
        {
            await ThrowTerminatingErrorAsync(ErrorRecords.FromException(e, Store)).ConfigureAwait(false);
            return;
        }
        if (ParameterSetName == ByMac)
        {
            foreach (var mac in MacAddress)
            {
                if (!Ironic.Core.Inventory.MacAddress.TryNormalize(mac, out var normalized))
                {
                    WriteInventoryError(new FormatException($"'{mac}' is not a MAC address. Give 52:54:00:12:34:56, 52-54-00-12-34-56 or 525400123456."), mac);
                    continue;
                }
                var node = await store.FindNodeByMacAsync(normalized, cancellationToken).ConfigureAwait(false);
                if (node is null) WriteInventoryError(NodeNotFoundException.ForPort(normalized), mac);
                else WriteObject(node.Redacted());
            }
            return;
        }

        IReadOnlyList<Node>? all = null;
        foreach (var name in Name)
        {
            if (WildcardPattern.ContainsWildcardCharacters(name))
            {
                all ??= await store.ListNodesAsync(cancellationToken).ConfigureAwait(false);
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                foreach (var node in all.Where(n => pattern.IsMatch(n.Name))) WriteObject(node.Redacted());
                continue;
            }
            var found = await store.GetNodeAsync(name, cancellationToken).ConfigureAwait(false);
            if (found is null) WriteInventoryError(NodeNotFoundException.ForNode(name), name);
            else WriteObject(found.Redacted());
        }
    }
}
