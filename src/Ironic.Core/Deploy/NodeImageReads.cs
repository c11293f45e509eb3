namespace Ironic.Core.Deploy;

/// <summary>What a boot server saw of the reads of one node's ISO.</summary>
/// <param name="InFlight">GETs being answered now.</param>
/// <param name="LastActivity">When the last GET started or ended.</param>
/// <param name="LastServed">When the last GET that delivered bytes (200 or 206) ended; null when none did.</param>
public readonly record struct NodeReadState(int InFlight, DateTimeOffset LastActivity, DateTimeOffset? LastServed);

/// <summary>
/// The GETs of one-shot deploys' node ISOs (<c>/v1/images/&lt;node&gt;/boot.iso</c>) a boot server is serving and
/// has served, per node, in memory: the one-shot release (<see cref="OneShotReleaser"/>) waits
/// for a node's reads to start and then to stop. Thread-safe; one entry per node that was read
/// lately, dropped once the releaser has no more use for it.
/// </summary>
public sealed class NodeImageReads
{
    private readonly object _gate = new();
    private readonly Dictionary<Guid, NodeReadState> _nodes = [];

    /// <summary>A GET of the node's ISO starts.</summary>
    public void Begin(Guid node, DateTimeOffset now)
    {
        lock (_gate)
        {
            var state = _nodes.GetValueOrDefault(node);
            _nodes[node] = state with { InFlight = state.InFlight + 1, LastActivity = now };
        }
    }

    /// <summary>A GET of the node's ISO ended; <paramref name="served"/> when it delivered bytes (not a 304 or 416).</summary>
    public void End(Guid node, bool served, DateTimeOffset now)
    {
        lock (_gate)
        {
            var state = _nodes.GetValueOrDefault(node);
            _nodes[node] = state with
            {
                InFlight = Math.Max(0, state.InFlight - 1),
                LastActivity = now,
                LastServed = served ? now : state.LastServed,
            };
        }
    }

    public NodeReadState? Get(Guid node)
    {
        lock (_gate) return _nodes.TryGetValue(node, out var state) ? state : null;
    }

    /// <summary>Nodes that were served bytes and have had no GET in flight or ended for <paramref name="settle"/>.</summary>
    public IReadOnlyList<(Guid Node, NodeReadState State)> Settled(TimeSpan settle, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _nodes.Where(p => p.Value is { InFlight: 0, LastServed: not null } && now - p.Value.LastActivity >= settle)
                .Select(p => (p.Key, p.Value))
                .ToList();
        }
    }

    /// <summary>Nodes that were served bytes (settled or not).</summary>
    public IReadOnlyList<(Guid Node, NodeReadState State)> Served()
    {
        lock (_gate)
        {
            return _nodes.Where(p => p.Value.LastServed is not null).Select(p => (p.Key, p.Value)).ToList();
        }
    }

    /// <summary>
    /// Counts the node as served at <paramref name="now"/> (its reads happened before this server
    /// restarted), unless reads of it are already counted; true when it did.
    /// </summary>
    public bool Resume(Guid node, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _nodes.TryAdd(node, new NodeReadState(0, now, now));
        }
    }

    /// <summary>Starts the node's quiet period again (a failed release is retried after another settle time).</summary>
    public void Postpone(Guid node, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_nodes.TryGetValue(node, out var state)) _nodes[node] = state with { LastActivity = now };
        }
    }

    /// <summary>Drops the node's entry unless a GET of it is in flight (that one starts a new entry's history).</summary>
    public void Forget(Guid node)
    {
        lock (_gate)
        {
            if (_nodes.TryGetValue(node, out var state) && state.InFlight == 0) _nodes.Remove(node);
        }
    }
}
