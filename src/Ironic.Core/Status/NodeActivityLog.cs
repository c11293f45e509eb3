using System.Collections.Concurrent;

namespace Ironic.Core.Status;

/// <summary>The last boot-config fetch a boot server answered for a node.</summary>
public sealed record BootConfigFetch(DateTimeOffset At, string MacAddress, string ConfigName, string ServedBy);

/// <summary>The last image download a boot server started for a node (a GET of /v1/images/{node}/{file}).</summary>
public sealed record ImageDownload(DateTimeOffset At, string File, int Status, string? Range, string ServedBy);

/// <summary>What one boot server saw of one node: its last boot-config fetch and its last image download.</summary>
public sealed record NodeActivity(BootConfigFetch? LastBootConfig, ImageDownload? LastImage);

/// <summary>
/// The boot events a server handled, per node, in memory: the status page's "last fetch" and
/// "last download" columns. Only the latest of each kind is kept, so memory stays at one small
/// record per node that ever fetched anything, however long a boot storm lasts. Keyed by node
/// UUID; image downloads name their node as the URL did (name or UUID), so both keys are kept.
/// Thread-safe: recording is one dictionary update on the request path.
/// </summary>
public sealed class NodeActivityLog
{
    private readonly ConcurrentDictionary<string, NodeActivity> _byNode = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How many nodes have any activity recorded.</summary>
    public int Count => _byNode.Count;

    public void RecordBootConfig(Guid nodeUuid, BootConfigFetch fetch)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        _byNode.AddOrUpdate(Key(nodeUuid), _ => new NodeActivity(fetch, null),
            (_, old) => old.LastBootConfig is { } last && last.At > fetch.At ? old : old with { LastBootConfig = fetch });
    }

    /// <summary>Records a download under the node as the URL named it (name or UUID).</summary>
    public void RecordImage(string node, ImageDownload download)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(download);
        _byNode.AddOrUpdate(node, _ => new NodeActivity(null, download),
            (_, old) => old.LastImage is { } last && last.At > download.At ? old : old with { LastImage = download });
    }

    /// <summary>What was recorded for a node under its UUID or its name, the latest of each kind.</summary>
    public NodeActivity Get(Guid nodeUuid, string nodeName)
    {
        _byNode.TryGetValue(Key(nodeUuid), out var byUuid);
        NodeActivity? byName = null;
        if (!string.IsNullOrEmpty(nodeName)) _byNode.TryGetValue(nodeName, out byName);
        return new NodeActivity(
            Latest(byUuid?.LastBootConfig, byName?.LastBootConfig, f => f.At),
            Latest(byUuid?.LastImage, byName?.LastImage, d => d.At));
    }

    private static T? Latest<T>(T? a, T? b, Func<T, DateTimeOffset> at) where T : class =>
        a is null ? b : b is null ? a : at(a) >= at(b) ? a : b;

    private static string Key(Guid uuid) => uuid.ToString("D");
}
