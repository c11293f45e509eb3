using Ironic.Core.Inventory;

namespace Ironic.Core.Boot;

/// <summary>
/// Which live conductor owns which node: one <see cref="HashRing"/> per conductor group (as
/// Ironic's rings per <c>conductor_group</c>), over the conductors whose heartbeat is younger
/// than the timeout. A node of group G is owned only by a live conductor of group G; the
/// default group is "". Immutable: build a new one when membership changes
/// (<see cref="HasSameMembers"/> tells).
/// </summary>
public sealed class ConductorRing
{
    /// <summary>How old a heartbeat may be before its conductor leaves the ring, by default.</summary>
    public static readonly TimeSpan DefaultHeartbeatTimeout = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, HashRing> _rings;
    private readonly Dictionary<string, Conductor> _byName;

    private ConductorRing(IReadOnlyList<Conductor> live, int partitionExponent)
    {
        LiveConductors = live;
        PartitionExponent = partitionExponent;
        _byName = live.ToDictionary(c => c.Name, StringComparer.Ordinal);
        _rings = live.GroupBy(c => c.ConductorGroup, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key.ToLowerInvariant(), g => new HashRing(g.Select(c => c.Name), partitionExponent), StringComparer.Ordinal);
    }

    /// <summary>The conductors on the ring (fresh heartbeat), sorted by name.</summary>
    public IReadOnlyList<Conductor> LiveConductors { get; }

    public int PartitionExponent { get; }

    /// <summary>
    /// The ring over the conductors whose heartbeat is at most <paramref name="heartbeatTimeout"/>
    /// old at <paramref name="now"/>. A name registered twice keeps its latest heartbeat.
    /// </summary>
    public static ConductorRing Build(IEnumerable<Conductor> conductors, DateTimeOffset now, TimeSpan heartbeatTimeout, int partitionExponent = HashRing.DefaultPartitionExponent)
    {
        ArgumentNullException.ThrowIfNull(conductors);
        var live = conductors
            .Where(c => now - c.HeartbeatAt <= heartbeatTimeout)
            .GroupBy(c => c.Name, StringComparer.Ordinal)
            .Select(g => g.MaxBy(c => c.HeartbeatAt)!)
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
        return new ConductorRing(live, partitionExponent);
    }

    /// <summary>Reads the conductors from the store and builds the ring at the current time.</summary>
    public static async Task<ConductorRing> LoadAsync(IInventoryStore store, TimeSpan heartbeatTimeout, CancellationToken cancellationToken, TimeProvider? time = null, int partitionExponent = HashRing.DefaultPartitionExponent)
    {
        ArgumentNullException.ThrowIfNull(store);
        var conductors = await store.ListConductorsAsync(cancellationToken).ConfigureAwait(false);
        return Build(conductors, (time ?? TimeProvider.System).GetUtcNow(), heartbeatTimeout, partitionExponent);
    }

    /// <summary>The hash ring of one conductor group (case-insensitive, as Ironic's); null when no conductor of it is alive.</summary>
    public HashRing? RingFor(string conductorGroup) => _rings.GetValueOrDefault((conductorGroup ?? "").ToLowerInvariant());

    /// <summary>The live conductor that owns a node of the given group; null when none of that group is alive.</summary>
    public Conductor? GetOwner(Guid nodeUuid, string conductorGroup = "") =>
        RingFor(conductorGroup) is { IsEmpty: false } ring ? _byName[ring.GetOwner(nodeUuid)] : null;

    public Conductor? GetOwner(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return GetOwner(node.Uuid, node.ConductorGroup);
    }

    /// <summary>Whether a named conductor owns the node (what a server asks before answering itself).</summary>
    public bool IsOwner(string conductorName, Node node) => string.Equals(GetOwner(node)?.Name, conductorName, StringComparison.Ordinal);

    /// <summary>Same conductor names in the same groups (URLs may differ): the mapping would be identical.</summary>
    public bool HasSameMembers(ConductorRing other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return PartitionExponent == other.PartitionExponent
            && LiveConductors.Count == other.LiveConductors.Count
            && LiveConductors.Zip(other.LiveConductors).All(p =>
                string.Equals(p.First.Name, p.Second.Name, StringComparison.Ordinal) &&
                string.Equals(p.First.ConductorGroup, p.Second.ConductorGroup, StringComparison.OrdinalIgnoreCase));
    }
}
