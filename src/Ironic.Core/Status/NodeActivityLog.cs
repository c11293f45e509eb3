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
/// record per node that ever fetched anything, however long a boot storm lasts. Boot-config
/// fetches are keyed by node UUID and recorded in place, without allocating (they happen on the
/// boot API's hot path, thousands a second in a storm); image downloads name their node as the
/// URL did (name or UUID), so both keys are looked up. Thread-safe.
/// </summary>
public sealed class NodeActivityLog
{
    private readonly ConcurrentDictionary<Guid, BootSlot> _boot = new();
    private readonly ConcurrentDictionary<string, ImageDownload> _images = new(StringComparer.OrdinalIgnoreCase);

    public void RecordBootConfig(Guid nodeUuid, BootConfigFetch fetch)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        RecordBootConfig(nodeUuid, fetch.At, fetch.MacAddress, fetch.ConfigName, fetch.ServedBy);
    }

    /// <summary>Records a fetch in place: a boot storm allocates nothing here.</summary>
    public void RecordBootConfig(Guid nodeUuid, DateTimeOffset at, string macAddress, string configName, string servedBy)
    {
        var slot = _boot.GetOrAdd(nodeUuid, static _ => new BootSlot());
        lock (slot)
        {
            if (slot.At is { } last && last > at) return;
            slot.At = at;
            // Keep the strings already held when they are equal: a request's own copy stored in this
            // long-lived slot would outlive the request and be promoted by every collection.
            if (!string.Equals(slot.MacAddress, macAddress, StringComparison.Ordinal)) slot.MacAddress = macAddress;
            if (!string.Equals(slot.ConfigName, configName, StringComparison.Ordinal)) slot.ConfigName = configName;
            if (!string.Equals(slot.ServedBy, servedBy, StringComparison.Ordinal)) slot.ServedBy = servedBy;
        }
    }

    /// <summary>Records a download under the node as the URL named it (name or UUID).</summary>
    public void RecordImage(string node, ImageDownload download)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(download);
        _images.AddOrUpdate(node, download, (_, old) => old.At > download.At ? old : download);
    }

    /// <summary>What was recorded for a node under its UUID or its name, the latest of each kind.</summary>
    public NodeActivity Get(Guid nodeUuid, string nodeName)
    {
        BootConfigFetch? fetch = null;
        if (_boot.TryGetValue(nodeUuid, out var slot))
        {
            lock (slot)
            {
                if (slot.At is { } at) fetch = new BootConfigFetch(at, slot.MacAddress!, slot.ConfigName!, slot.ServedBy!);
            }
        }
        _images.TryGetValue(nodeUuid.ToString("D"), out var byUuid);
        ImageDownload? byName = null;
        if (!string.IsNullOrEmpty(nodeName)) _images.TryGetValue(nodeName, out byName);
        return new NodeActivity(fetch, byUuid is null ? byName : byName is null || byUuid.At >= byName.At ? byUuid : byName);
    }

    /// <summary>A node's last boot-config fetch, overwritten in place.</summary>
    private sealed class BootSlot
    {
        public DateTimeOffset? At;
        public string? MacAddress;
        public string? ConfigName;
        public string? ServedBy;
    }
}
