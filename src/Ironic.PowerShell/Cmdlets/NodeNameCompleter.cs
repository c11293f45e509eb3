using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Ironic.Core.Inventory;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// Base of the inventory completers: opens the inventory named by the command's -Store (or
/// $IRONIC_STORE, or the embedded default) for at most two seconds and turns Core's
/// <see cref="InventoryCompletion"/> candidates into CompletionResults. Completion never fails
/// loudly: an unreachable store completes nothing.
/// </summary>
public abstract class InventoryCompleter : IArgumentCompleter
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    protected abstract Task<IReadOnlyList<CompletionCandidate>> CandidatesAsync(IInventoryStore store, string word, CancellationToken cancellationToken);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var store = fakeBoundParameters is not null && fakeBoundParameters.Contains("Store") ? fakeBoundParameters["Store"] as string : null;
        IReadOnlyList<CompletionCandidate> candidates;
        try
        {
            using var timeout = new CancellationTokenSource(Budget);
            candidates = Task.Run(async () =>
            {
                await using var inventory = await InventoryStores.OpenAsync(StoreLocation.Resolve(store), timeout.Token).ConfigureAwait(false);
                return await CandidatesAsync(inventory, wordToComplete ?? "", timeout.Token).ConfigureAwait(false);
            }, timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is InventoryException or OperationCanceledException or ArgumentException or FormatException or IOException or InvalidOperationException)
        {
            return [];
        }
        return candidates.Select(c => new CompletionResult(c.CompletionText, c.ListItemText, CompletionResultType.ParameterValue, c.ToolTip)).ToList();
    }
}

/// <summary>Completes node names (-Name, -Node) from the inventory.</summary>
public sealed class NodeNameCompleter : InventoryCompleter
{
    protected override Task<IReadOnlyList<CompletionCandidate>> CandidatesAsync(IInventoryStore store, string word, CancellationToken cancellationToken) =>
        InventoryCompletion.NodeNamesAsync(store, word, cancellationToken);
}

/// <summary>Completes conductor (boot server) names registered in the inventory.</summary>
public sealed class ConductorNameCompleter : InventoryCompleter
{
    protected override Task<IReadOnlyList<CompletionCandidate>> CandidatesAsync(IInventoryStore store, string word, CancellationToken cancellationToken) =>
        InventoryCompletion.ConductorNamesAsync(store, word, cancellationToken);
}

/// <summary>Completes port MACs, typed in any form (52:54…, 52-54…, 5254…).</summary>
public sealed class MacAddressCompleter : InventoryCompleter
{
    protected override Task<IReadOnlyList<CompletionCandidate>> CandidatesAsync(IInventoryStore store, string word, CancellationToken cancellationToken) =>
        InventoryCompletion.MacAddressesAsync(store, word, cancellationToken);
}
