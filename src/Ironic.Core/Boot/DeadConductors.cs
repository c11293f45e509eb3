using Ironic.Core.Inventory;

namespace Ironic.Core.Boot;

/// <summary>
/// Frees what conductors that stopped heartbeating still hold: their node reservations are
/// released so the new owners on the ring can take the nodes (as Ironic does for a conductor
/// that went offline). The conductor rows stay, so a conductor that comes back rejoins.
/// </summary>
public static class DeadConductors
{
    /// <summary>Releases every reservation held by a registered conductor whose heartbeat is older than the timeout; returns (conductor, nodes freed) for each that held any.</summary>
    public static async Task<IReadOnlyList<(string Conductor, int NodesReleased)>> ReleaseReservationsAsync(
        IInventoryStore store, TimeSpan heartbeatTimeout, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var released = new List<(string, int)>();
        foreach (var conductor in await store.ListConductorsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (now - conductor.HeartbeatAt <= heartbeatTimeout) continue;
            var count = await store.ReleaseAllReservationsAsync(conductor.Name, cancellationToken).ConfigureAwait(false);
            if (count > 0) released.Add((conductor.Name, count));
        }
        return released;
    }
}
