using Ironic.Core.Inventory;

namespace Ironic.Core.Boot;

/// <summary>One conductor and the nodes it owns on the ring (Get-IronicConductor, `ironic conductor list`).</summary>
public sealed record ConductorOwnership(string Name, Uri InternalUrl, string ConductorGroup, DateTimeOffset HeartbeatAt, bool Alive, IReadOnlyList<string> Nodes)
{
    public int NodeCount => Nodes.Count;

    /// <summary>
    /// Every registered conductor with the nodes the ring of live ones gives it; dead ones own
    /// nothing. <paramref name="partitionExponent"/> must be the servers' [DEFAULT]hash_partition_exponent.
    /// </summary>
    public static async Task<IReadOnlyList<ConductorOwnership>> ListAsync(IInventoryStore store, TimeSpan heartbeatTimeout, CancellationToken cancellationToken, int partitionExponent = HashRing.DefaultPartitionExponent)
    {
        var now = DateTimeOffset.UtcNow;
        var conductors = await store.ListConductorsAsync(cancellationToken).ConfigureAwait(false);
        var ring = ConductorRing.Build(conductors, now, heartbeatTimeout, partitionExponent);
        var owned = conductors.ToDictionary(c => c.Name, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var node in await store.ListNodesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (ring.GetOwner(node) is { } owner) owned[owner.Name].Add(node.Name);
        }
        return conductors
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => new ConductorOwnership(c.Name, c.InternalUrl, c.ConductorGroup, c.HeartbeatAt, now - c.HeartbeatAt < heartbeatTimeout,
                owned[c.Name].Order(StringComparer.Ordinal).ToList()))
            .ToList();
    }
}
