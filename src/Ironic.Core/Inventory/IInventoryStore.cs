namespace Ironic.Core.Inventory;

/// <summary>
/// The shared inventory: nodes, ports, conductors and per-node boot artifacts. SQLite (embedded
/// default) and PostgreSQL implement it with one schema and the same behaviour; the store tests
/// run against both.
/// </summary>
public interface IInventoryStore : IAsyncDisposable
{
    /// <summary>Creates or upgrades the schema (versioned migrations).</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    Task<Node> CreateNodeAsync(Node node, CancellationToken cancellationToken);

    /// <summary>By UUID or name; null when there is none.</summary>
    Task<Node?> GetNodeAsync(string nameOrUuid, CancellationToken cancellationToken);

    Task<IReadOnlyList<Node>> ListNodesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes every field of the node but Reservation, which only TryReserve/Release change (so
    /// an update cannot steal or drop a lock). UpdatedAt is set by the store; NodeNotFoundException
    /// when the UUID is unknown; returns the node as stored.
    /// </summary>
    Task<Node> UpdateNodeAsync(Node node, CancellationToken cancellationToken);

    Task DeleteNodeAsync(Guid nodeUuid, CancellationToken cancellationToken);

    /// <summary>Adds a port; the MAC is normalized; a MAC already in use is refused.</summary>
    Task<Port> CreatePortAsync(Port port, CancellationToken cancellationToken);

    Task<IReadOnlyList<Port>> ListPortsAsync(Guid? nodeUuid, CancellationToken cancellationToken);

    Task DeletePortAsync(string macAddress, CancellationToken cancellationToken);

    /// <summary>The node that owns a port with this MAC (any format), or null.</summary>
    Task<Node?> FindNodeByMacAsync(string macAddress, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the node's reservation for a conductor in one atomic UPDATE (… WHERE reservation IS
    /// NULL), so two conductors can never both hold it. False when it is held, by another
    /// conductor or by this one (a reservation is a lock, not a counter).
    /// </summary>
    Task<bool> TryReserveAsync(Guid nodeUuid, string conductor, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the node's reservation from <paramref name="holder"/> (a holder found dead) to
    /// <paramref name="conductor"/> in one atomic UPDATE (… WHERE reservation = holder); false when
    /// someone else holds it by now, or nobody. Recovery works on the node only after this succeeded.
    /// </summary>
    Task<bool> TryTakeOverReservationAsync(Guid nodeUuid, string holder, string conductor, CancellationToken cancellationToken);

    /// <summary>Drops the conductor's reservation; nothing when the node is free; NodeLockedException when another conductor holds it.</summary>
    Task ReleaseAsync(Guid nodeUuid, string conductor, CancellationToken cancellationToken);

    /// <summary>Drops every reservation a conductor holds (it died, or it restarts); returns how many.</summary>
    Task<int> ReleaseAllReservationsAsync(string conductor, CancellationToken cancellationToken);

    /// <summary>The schema version the store is at (0 before <see cref="MigrateAsync"/>).</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>Registers or refreshes a conductor's heartbeat.</summary>
    Task HeartbeatAsync(Conductor conductor, CancellationToken cancellationToken);

    /// <summary>Every registered conductor, alive or not; the hash ring keeps those with a fresh heartbeat.</summary>
    Task<IReadOnlyList<Conductor>> ListConductorsAsync(CancellationToken cancellationToken);

    Task UnregisterConductorAsync(string name, CancellationToken cancellationToken);

    /// <summary>Stores a per-node artifact (rendered boot.ipxe, ISO delta …) under a name.</summary>
    Task PutArtifactAsync(Guid nodeUuid, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    Task<byte[]?> GetArtifactAsync(Guid nodeUuid, string name, CancellationToken cancellationToken);

    Task DeleteArtifactsAsync(Guid nodeUuid, CancellationToken cancellationToken);
}
