using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Ironic.Core.Inventory;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>Completes node names from the inventory named by -Store (or the default one).</summary>
public sealed class NodeNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        ArgumentNullException.ThrowIfNull(fakeBoundParameters);
        var store = fakeBoundParameters.Contains("Store") ? fakeBoundParameters["Store"] as string : null;
        IReadOnlyList<Node> nodes;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            nodes = Task.Run(async () =>
            {
                await using var inventory = await InventoryStores.OpenAsync(StoreLocation.Resolve(store), timeout.Token).ConfigureAwait(false);
                return await inventory.ListNodesAsync(timeout.Token).ConfigureAwait(false);
            }, timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is InventoryException or OperationCanceledException or ArgumentException)
        {
            return []; // completion never fails loudly
        }
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        return nodes
            .Where(n => n.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n.Name, n.Name, CompletionResultType.ParameterValue, $"{n.Name} ({n.Driver}, {n.ProvisionState})"))
            .ToList();
    }
}
