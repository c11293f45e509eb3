namespace Ironic.Core.Inventory;

/// <summary>Short work on a node under its reservation, for the steps that change a node on their own (not whole deploys).</summary>
public static class NodeReservations
{
    /// <summary>
    /// Reserves the node for <paramref name="conductor"/>, runs <paramref name="work"/> on the node
    /// as stored once reserved (null when it was deleted in between: whatever was read before the
    /// reservation may be stale), and releases the node whatever happens. Reserved is false, and
    /// the work not run, when another holder has the node.
    /// </summary>
    public static async Task<(bool Reserved, T Result)> TryUnderReservationAsync<T>(this IInventoryStore store, Guid nodeUuid, string conductor,
        Func<Node?, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(work);
        if (!await store.TryReserveAsync(nodeUuid, conductor, cancellationToken).ConfigureAwait(false)) return (false, default!);
        try
        {
            var node = await store.GetNodeAsync(nodeUuid.ToString("D"), cancellationToken).ConfigureAwait(false);
            return (true, await work(node).ConfigureAwait(false));
        }
        finally
        {
            await store.ReleaseAsync(nodeUuid, conductor, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
