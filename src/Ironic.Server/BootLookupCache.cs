using System.Collections.Concurrent;
using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.Server;

/// <summary>
/// Remembers, for [boot_server]boot_cache_ttl (default 2 s), which node a MAC belongs to, who
/// owns it on the ring and what was rendered for it — hits and misses alike. Ironic renders a
/// node's boot files ahead of time and a static server serves them; this is the same idea with a
/// bound on staleness: a node that leaves its wait state stops getting its script within the TTL.
/// iPXE retries and fleets that boot together ask for the same MACs many times a second.
/// <para>
/// Built so that a boot storm leaves the garbage collector nothing to move: one entry object per
/// MAC, refreshed in place. A refresh that reads the same node row (same updated_at) and renders
/// the same bytes keeps the objects it had and only moves the expiry, so nothing a request
/// allocates outlives it. (Replacing entries every TTL promoted them all to the oldest
/// generation and made full collections the server's main cost under load.)
/// </para>
/// Bounded: past <see cref="MaxEntries"/> MACs it starts over, so probing random MACs cannot grow it.
/// <para>Time is read from <paramref name="time"/> (the system clock unless a test moves its own).</para>
/// </summary>
internal sealed class BootLookupCache(TimeSpan ttl, TimeProvider? time = null)
{
    public const int MaxEntries = 200_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly long _ttlTicks = (long)(ttl.TotalSeconds * (time ?? TimeProvider.System).TimestampFrequency);
    private int _count; // ConcurrentDictionary.Count takes every lock: count adds ourselves.

    public bool Enabled => _ttlTicks > 0;

    /// <summary>The node of the request's MAC; null for a malformed request or an unknown MAC (the lookup runs either way).</summary>
    public async ValueTask<Node?> FindNodeAsync(BootConfigService service, BootConfigRequest request, CancellationToken cancellationToken)
    {
        if (!Enabled) return await service.FindNodeAsync(request, cancellationToken).ConfigureAwait(false);
        var entry = EntryFor(request.MacAddress);
        var node = entry.Node;
        if (entry.NodeExpires <= _time.GetTimestamp())
        {
            // The store's answer for the MAC itself; validity is applied below, so a malformed NAME
            // costs the same lookup as a good one and never poisons the MAC's entry.
            var fresh = await service.FindNodeAsync(request with { IsValid = true }, cancellationToken).ConfigureAwait(false);
            node = entry.Refresh(fresh, _time.GetTimestamp() + _ttlTicks);
        }
        return request.IsValid ? node : null;
    }

    /// <summary>What <paramref name="node"/> gets for NAME, as rendered for the MAC it was found by.</summary>
    public async ValueTask<BootConfig?> RenderAsync(BootConfigService service, Node node, BootConfigRequest request, CancellationToken cancellationToken)
    {
        var entry = Enabled ? EntryFor(request.MacAddress) : null;
        if (entry is null || !ReferenceEquals(node, entry.Node))
        {
            return await service.RenderAsync(node, request.Name, cancellationToken).ConfigureAwait(false);
        }
        var slot = entry.ConfigSlot(request.Name);
        if (ReferenceEquals(slot.Node, node) && slot.Expires > _time.GetTimestamp()) return slot.Config;
        var fresh = await service.RenderAsync(node, request.Name, cancellationToken).ConfigureAwait(false);
        return slot.Refresh(node, fresh, _time.GetTimestamp() + _ttlTicks);
    }

    /// <summary>The node's owner on <paramref name="ring"/>, worked out once per node and ring (hashing is per ring change, not per request).</summary>
    public Conductor? OwnerOf(ConductorRing ring, Node node, string macAddress)
    {
        if (!Enabled || !_entries.TryGetValue(macAddress, out var entry)) return ring.GetOwner(node);
        var memo = entry.Owner;
        if (memo is not null && ReferenceEquals(memo.Ring, ring) && ReferenceEquals(memo.Node, node)) return memo.Owner;
        memo = new OwnerMemo(ring, node, ring.GetOwner(node));
        entry.Owner = memo;
        return memo.Owner;
    }

    /// <summary>
    /// Expires what is cached for one node (its MAC lookups and rendered configs), so that a change
    /// of its state — a deploy's call-back making it active — is seen by the next request, not
    /// after the TTL. A scan, done once per such change.
    /// </summary>
    public void Forget(Guid nodeUuid)
    {
        foreach (var entry in _entries.Values)
        {
            if (entry.Node?.Uuid == nodeUuid) entry.Expire();
        }
    }

    private Entry EntryFor(string macAddress)
    {
        if (_entries.TryGetValue(macAddress, out var entry)) return entry;
        if (Volatile.Read(ref _count) >= MaxEntries)
        {
            _entries.Clear();
            Volatile.Write(ref _count, 0);
        }
        entry = new Entry();
        if (_entries.TryAdd(macAddress, entry))
        {
            Interlocked.Increment(ref _count);
            return entry;
        }
        return _entries.TryGetValue(macAddress, out var other) ? other : entry;
    }

    private sealed record OwnerMemo(ConductorRing Ring, Node Node, Conductor? Owner);

    /// <summary>One MAC: its node (null: none), when that answer expires, and per NAME what was rendered.</summary>
    private sealed class Entry
    {
        private readonly ConfigSlot[] _configs = BootConfigService.KnownNames.Select(_ => new ConfigSlot()).ToArray();
        private Node? _node;
        private long _nodeExpires;

        public Node? Node => Volatile.Read(ref _node);

        public long NodeExpires => Volatile.Read(ref _nodeExpires);

        public OwnerMemo? Owner { get => Volatile.Read(ref _owner); set => Volatile.Write(ref _owner, value); }

        private OwnerMemo? _owner;

        /// <summary>Keeps the cached node when the store's row is unchanged; returns the node to use.</summary>
        public Node? Refresh(Node? fresh, long expires)
        {
            var current = Node;
            if (!SameRow(current, fresh)) Volatile.Write(ref _node, fresh);
            Volatile.Write(ref _nodeExpires, expires);
            return Node;
        }

        public ConfigSlot ConfigSlot(string name)
        {
            for (var i = 0; i < _configs.Length; i++)
            {
                if (string.Equals(BootConfigService.KnownNames[i], name, StringComparison.Ordinal)) return _configs[i];
            }
            throw new ArgumentOutOfRangeException(nameof(name), name, "Not a boot configuration name (BootConfigService.ParseRequest gives only known ones).");
        }

        public void Expire()
        {
            Volatile.Write(ref _nodeExpires, 0);
            foreach (var slot in _configs) slot.Expire();
        }

        // updated_at moves on every write of the row (the store sets it), so equal stamps mean equal rows.
        // The states are compared too: two writes within one millisecond share a stamp.
        private static bool SameRow(Node? a, Node? b) =>
            a is null ? b is null : b is not null && a.Uuid == b.Uuid && a.UpdatedAt == b.UpdatedAt
                && a.ProvisionState == b.ProvisionState && a.TargetProvisionState == b.TargetProvisionState;
    }

    /// <summary>What one node got for one NAME, and until when.</summary>
    private sealed class ConfigSlot
    {
        private Node? _node;
        private BootConfig? _config;
        private long _expires;

        public Node? Node => Volatile.Read(ref _node);

        public BootConfig? Config => Volatile.Read(ref _config);

        public long Expires => Volatile.Read(ref _expires);

        /// <summary>Keeps the cached rendering when the bytes are the same; returns the one to use.</summary>
        public BootConfig? Refresh(Node node, BootConfig? fresh, long expires)
        {
            var current = Config;
            if (!SameConfig(current, fresh)) Volatile.Write(ref _config, fresh);
            Volatile.Write(ref _node, node);
            Volatile.Write(ref _expires, expires);
            return Config;
        }

        public void Expire() => Volatile.Write(ref _expires, 0);

        private static bool SameConfig(BootConfig? a, BootConfig? b) =>
            a is null ? b is null : b is not null && a.NodeUuid == b.NodeUuid && a.ContentType == b.ContentType && a.Content.AsSpan().SequenceEqual(b.Content);
    }
}
