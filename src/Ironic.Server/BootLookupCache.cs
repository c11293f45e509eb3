using System.Collections.Concurrent;
using System.Diagnostics;
using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.Server;

/// <summary>
/// Remembers, for [boot_server]boot_cache_ttl (default 2 s), which node a MAC belongs to and
/// what the owner rendered for it — hits and misses alike. Ironic renders a node's boot files
/// ahead of time and a static server serves them; this is the same idea with a bound on
/// staleness: a node that leaves its wait state stops getting its script within the TTL.
/// iPXE retries and fleets that boot together ask for the same MACs many times a second.
/// Bounded: past <see cref="MaxEntries"/> it starts over, so probing random MACs cannot grow it.
/// </summary>
internal sealed class BootLookupCache(TimeSpan ttl)
{
    public const int MaxEntries = 200_000;

    private readonly ConcurrentDictionary<string, Entry<Node?>> _nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(Guid, string), Entry<BootConfig?>> _configs = new();
    private readonly long _ttlTicks = (long)(ttl.TotalSeconds * Stopwatch.Frequency);

    public bool Enabled => _ttlTicks > 0;

    private readonly record struct Entry<T>(T Value, long Expires);

    public ValueTask<Node?> FindNodeAsync(BootConfigService service, BootConfigRequest request, CancellationToken cancellationToken) =>
        GetAsync(_nodes, request.IsValid ? request.MacAddress : "\n" + request.MacAddress, () => service.FindNodeAsync(request, cancellationToken));

    public ValueTask<BootConfig?> RenderAsync(BootConfigService service, Node node, string name, CancellationToken cancellationToken) =>
        GetAsync(_configs, (node.Uuid, name), () => service.RenderAsync(node, name, cancellationToken));

    /// <summary>
    /// Drops what is cached for one node (its MAC lookups and rendered configs), so that a change
    /// of its state — a deploy's call-back making it active — is seen by the next request, not
    /// after the TTL. A scan, done once per such change.
    /// </summary>
    public void Forget(Guid nodeUuid)
    {
        foreach (var key in _configs.Keys.Where(k => k.Item1 == nodeUuid).ToList()) _configs.TryRemove(key, out _);
        foreach (var (key, _) in _nodes.Where(p => p.Value.Value?.Uuid == nodeUuid).ToList()) _nodes.TryRemove(key, out _);
    }

    private async ValueTask<T> GetAsync<TKey, T>(ConcurrentDictionary<TKey, Entry<T>> map, TKey key, Func<Task<T>> load) where TKey : notnull
    {
        if (!Enabled) return await load().ConfigureAwait(false);
        var now = Stopwatch.GetTimestamp();
        if (map.TryGetValue(key, out var hit) && hit.Expires > now) return hit.Value;
        var value = await load().ConfigureAwait(false);
        if (map.Count >= MaxEntries) map.Clear();
        map[key] = new Entry<T>(value, now + _ttlTicks);
        return value;
    }
}
