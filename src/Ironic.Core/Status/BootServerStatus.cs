using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.Core.Status;

/// <summary>One node's line on the status page.</summary>
public sealed record NodeStatusRow(
    string Name,
    Guid Uuid,
    string ProvisionState,
    string? TargetProvisionState,
    string PowerState,
    string? Owner,
    string? Reservation,
    string? LastError,
    DateTimeOffset UpdatedAt,
    BootConfigFetch? LastBootConfig,
    ImageDownload? LastImage,
    DateTimeOffset? OneShotPendingSince = null);

/// <summary>A registered conductor as the status page shows it.</summary>
public sealed record ConductorStatusRow(string Name, Uri InternalUrl, string ConductorGroup, TimeSpan HeartbeatAge, bool OnRing, int NodesOwned, bool IsSelf);

/// <summary>How many nodes are in one provision state.</summary>
public sealed record StateCount(string State, int Count);

/// <summary>
/// A snapshot of one boot server's view for the status page: counts per provision state, the
/// conductors with their heartbeat ages and whether they are on this server's ring, and the
/// node rows (filtered and capped, problems first) with owner and last boot events.
/// Built from plain data so that it is tested without a server.
/// </summary>
public sealed record BootServerStatus(
    string ServerName,
    string Version,
    string Store,
    DateTimeOffset GeneratedAt,
    int TotalNodes,
    IReadOnlyList<StateCount> States,
    IReadOnlyList<ConductorStatusRow> Conductors,
    IReadOnlyList<NodeStatusRow> Nodes,
    int MatchingNodes,
    string? StateFilter,
    int ActiveBootConfigFetches,
    int ActiveImageDownloads)
{
    /// <summary>The most rows the page lists; past that it says how many more there are and offers the state filter.</summary>
    public const int DefaultRowLimit = 1000;

    /// <summary>Boot events younger than this count as "recent" in the summary.</summary>
    public static readonly TimeSpan RecentWindow = TimeSpan.FromMinutes(5);

    public static BootServerStatus Build(
        string serverName,
        string store,
        IReadOnlyList<Node> nodes,
        IReadOnlyList<Conductor> conductors,
        ConductorRing ring,
        NodeActivityLog activity,
        DateTimeOffset now,
        string? stateFilter = null,
        int rowLimit = DefaultRowLimit)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(conductors);
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(activity);
        var owned = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = new List<NodeStatusRow>(nodes.Count);
        int recentFetches = 0, recentDownloads = 0;
        foreach (var node in nodes)
        {
            var owner = ring.GetOwner(node)?.Name;
            if (owner is not null) owned[owner] = owned.GetValueOrDefault(owner) + 1;
            var seen = activity.Get(node.Uuid, node.Name);
            if (seen.LastBootConfig is { } f && now - f.At <= RecentWindow) recentFetches++;
            if (seen.LastImage is { } d && now - d.At <= RecentWindow) recentDownloads++;
            rows.Add(new NodeStatusRow(node.Name, node.Uuid, node.ProvisionState, node.TargetProvisionState, node.PowerState,
                owner, node.Reservation, node.LastError, node.UpdatedAt, seen.LastBootConfig, seen.LastImage, Deploy.OneShotRelease.PendingSince(node)));
        }
        var states = nodes.GroupBy(n => n.ProvisionState, StringComparer.Ordinal)
            .Select(g => new StateCount(g.Key, g.Count()))
            .OrderBy(s => StateRank(s.State)).ThenBy(s => s.State, StringComparer.Ordinal)
            .ToList();
        var filter = string.IsNullOrWhiteSpace(stateFilter) ? null : stateFilter.Trim();
        var matching = rows.Where(r => filter is null || string.Equals(r.ProvisionState, filter, StringComparison.OrdinalIgnoreCase))
            .OrderBy(r => StateRank(r.ProvisionState))
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
        var onRing = ring.LiveConductors.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var conductorRows = conductors
            .GroupBy(c => c.Name, StringComparer.Ordinal).Select(g => g.MaxBy(c => c.HeartbeatAt)!)
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => new ConductorStatusRow(c.Name, c.InternalUrl, c.ConductorGroup, Max(now - c.HeartbeatAt, TimeSpan.Zero),
                onRing.Contains(c.Name), owned.GetValueOrDefault(c.Name), c.Name == serverName))
            .ToList();
        return new BootServerStatus(serverName, IronicInfo.Version, store, now, nodes.Count, states, conductorRows,
            matching.Take(Math.Max(0, rowLimit)).ToList(), matching.Count, filter, recentFetches, recentDownloads);
    }

    /// <summary>
    /// Where a state sorts: failures first (they need the operator), then states in progress
    /// (waits, deploying, cleaning …), then the settled ones.
    /// </summary>
    public static int StateRank(string state) => Severity(state) switch
    {
        StateSeverity.Failed => 0,
        StateSeverity.InProgress => 1,
        StateSeverity.Done => 2,
        _ => 3,
    };

    /// <summary>How the page colours a provision state.</summary>
    public static StateSeverity Severity(string state) => state switch
    {
        ProvisionStates.Error => StateSeverity.Failed,
        _ when state.EndsWith(" failed", StringComparison.Ordinal) => StateSeverity.Failed,
        ProvisionStates.Active or ProvisionStates.Rescue => StateSeverity.Done,
        ProvisionStates.Available or ProvisionStates.Manageable or ProvisionStates.Enroll => StateSeverity.Idle,
        _ => StateSeverity.InProgress,
    };

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

public enum StateSeverity
{
    Failed,
    InProgress,
    Done,
    Idle,
}
