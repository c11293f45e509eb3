using System.Globalization;
using Ironic.Core.Hardware;
using Ironic.Core.Inventory;

namespace Ironic.Core.Deploy;

/// <summary>
/// The one-shot release of a node's ISO as recorded on the node, in instance_info (which a new
/// deploy or an undeploy resets): a virtual-media deploy with one_shot ends <c>active</c> with
/// <see cref="PendingSinceKey"/> set to the time the ISO was inserted; the boot server that serves
/// the ISO releases it (<see cref="OneShotReleaser"/>) and writes <see cref="ReleasedAtKey"/>.
/// </summary>
public static class OneShotRelease
{
    /// <summary>instance_info: the ISO waits to be released; the value is when the BMC got it (ISO 8601, UTC).</summary>
    public const string PendingSinceKey = "one_shot_pending_since";

    /// <summary>instance_info: when the boot server ejected the ISO and dropped the node's overlay (ISO 8601, UTC).</summary>
    public const string ReleasedAtKey = "one_shot_released_at";

    /// <summary>instance_info: the URL of the node's ISO that the deploy gave the BMC (which boot server serves it).</summary>
    public const string ImageUrlKey = "one_shot_image_url";

    /// <summary>
    /// instance_info: when the serving boot server had served the BMC bytes of that ISO (ISO 8601,
    /// UTC). Written once per deploy, so that a server restarted before the release still knows
    /// the ISO was read and releases it once the reads stay quiet.
    /// </summary>
    public const string ReadAtKey = "one_shot_read_at";

    /// <summary>The keys a new deploy or an undeploy clears.</summary>
    public static readonly IReadOnlyList<string> Keys = [PendingSinceKey, ReleasedAtKey, ImageUrlKey, ReadAtKey];

    /// <summary>
    /// Whether instance_info one_shot asks for it, read as Ironic reads its booleans: true, 1, yes
    /// or on (any case, spaces ignored); anything else, and no value, is false.
    /// </summary>
    public static bool IsRequested(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.InstanceInfo.GetValueOrDefault(DeployRequest.OneShotKey) is { } value
            && value.Trim().ToLowerInvariant() is "true" or "1" or "yes" or "on";
    }

    public static DateTimeOffset? PendingSince(Node node) => Time(node, PendingSinceKey);

    public static DateTimeOffset? ReleasedAt(Node node) => Time(node, ReleasedAtKey);

    /// <summary>When bytes of this deploy's ISO were served; null when not recorded, or recorded for an earlier deploy.</summary>
    public static DateTimeOffset? ReadAt(Node node) =>
        Time(node, ReadAtKey) is { } at && PendingSince(node) is { } since && at >= since ? at : null;

    public static Uri? ImageUrl(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.InstanceInfo.TryGetValue(ImageUrlKey, out var text) && Uri.TryCreate(text, UriKind.Absolute, out var url) ? url : null;
    }

    public static string Format(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? Time(Node node, string key)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.InstanceInfo.TryGetValue(key, out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? at
            : null;
    }
}

/// <summary>What one release attempt did: the node after it, or why it failed (it is tried again).</summary>
public sealed record OneShotOutcome(Guid NodeUuid, string NodeName, Exception? Error);

/// <summary>
/// Run by the boot server that serves node ISOs: a node whose deploy asked for one_shot keeps its
/// ISO until the BMC has read it. Once this server has served reads of that ISO (after the deploy
/// inserted it) and then seen none for the settle time, it takes the node's reservation, ejects the
/// virtual media through the node's hardware, drops the overlay (artifacts and the cache reference)
/// and records the release on the node. A node whose ISO was never read here keeps it. A failed
/// eject leaves the release pending, says so in last_error, and is tried again a settle time later.
/// <para>
/// The reads themselves are counted in memory; the first one is also written on the node
/// (<see cref="OneShotRelease.ReadAtKey"/>), so that the server, restarted before the release,
/// picks the node up again (<see cref="ResumeAsync"/>) instead of leaving its ISO inserted for good.
/// </para>
/// One sweep at a time (the boot server runs them in sequence).
/// </summary>
public sealed class OneShotReleaser(IInventoryStore store, ImageCache cache, NodeHardwareFactory hardware, NodeImageReads reads, string conductor, TimeSpan settleTime)
{
    // Nodes whose reads need no (more) recording: written on the node, or not a one-shot ISO's.
    private readonly HashSet<Guid> _readsRecorded = [];

    public TimeSpan SettleTime => settleTime;

    /// <summary>
    /// At start: every active node whose one-shot ISO is served from <paramref name="self"/> (this
    /// server's address) and was read before, yet not released (the server stopped in between),
    /// is watched again as if just read, so it is released after a settle time without reads.
    /// Returns those nodes.
    /// </summary>
    public async Task<IReadOnlyList<Node>> ResumeAsync(Uri self, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(self);
        var resumed = new List<Node>();
        foreach (var node in await store.ListNodesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (node.ProvisionState != ProvisionStates.Active || OneShotRelease.ReadAt(node) is null) continue;
            if (OneShotRelease.ImageUrl(node) is not { } url || Uri.Compare(url, self, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0) continue;
            if (reads.Resume(node.Uuid, DateTimeOffset.UtcNow))
            {
                _readsRecorded.Add(node.Uuid);
                resumed.Add(node);
            }
        }
        return resumed;
    }

    /// <summary>Records first reads on their nodes, then releases every node whose reads have settled; returns the releases it tried.</summary>
    public async Task<IReadOnlyList<OneShotOutcome>> SweepAsync(CancellationToken cancellationToken)
    {
        foreach (var (uuid, state) in reads.Served())
        {
            if (!_readsRecorded.Contains(uuid) && await RecordReadAsync(uuid, state.LastServed!.Value, cancellationToken).ConfigureAwait(false)) _readsRecorded.Add(uuid);
        }
        var outcomes = new List<OneShotOutcome>();
        foreach (var (uuid, state) in reads.Settled(settleTime, DateTimeOffset.UtcNow))
        {
            var node = await store.GetNodeAsync(uuid.ToString("D"), cancellationToken).ConfigureAwait(false);
            if (node is null)
            {
                Forget(uuid);
                continue;
            }
            if (OneShotRelease.PendingSince(node) is not { } since)
            {
                // A deploy still running may record the release after the BMC has read everything: keep its reads.
                if (node.ProvisionState != ProvisionStates.Deploying) Forget(uuid);
                continue;
            }
            if (state.LastServed < since)
            {
                // Reads of an earlier deploy's ISO: this one has not been read here (yet).
                Forget(uuid);
                continue;
            }
            if (await ReleaseAsync(node, since, cancellationToken).ConfigureAwait(false) is { } outcome) outcomes.Add(outcome);
        }
        return outcomes;
    }

    private void Forget(Guid uuid)
    {
        reads.Forget(uuid);
        _readsRecorded.Remove(uuid);
    }

    /// <summary>
    /// Writes <see cref="OneShotRelease.ReadAtKey"/> on a pending node this server has served bytes
    /// of its ISO. True when nothing more is to be written for these reads (written, or not a
    /// pending one-shot's); false to try again at the next sweep (the node is busy, or its deploy
    /// has not recorded the pending release yet).
    /// </summary>
    private async Task<bool> RecordReadAsync(Guid uuid, DateTimeOffset servedAt, CancellationToken cancellationToken)
    {
        var node = await store.GetNodeAsync(uuid.ToString("D"), cancellationToken).ConfigureAwait(false);
        if (node is null) return true;
        if (OneShotRelease.PendingSince(node) is not { } since) return node.ProvisionState != ProvisionStates.Deploying;
        if (servedAt < since || OneShotRelease.ReadAt(node) is not null) return true;
        var (reserved, _) = await store.TryUnderReservationAsync(uuid, conductor, async current =>
        {
            if (current is null || current.ProvisionState != ProvisionStates.Active || OneShotRelease.PendingSince(current) != since) return current;
            var info = new Dictionary<string, string>(current.InstanceInfo, StringComparer.Ordinal) { [OneShotRelease.ReadAtKey] = OneShotRelease.Format(servedAt) };
            return await store.UpdateNodeAsync(current with { InstanceInfo = info }, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return reserved;
    }

    private async Task<OneShotOutcome?> ReleaseAsync(Node node, DateTimeOffset since, CancellationToken cancellationToken)
    {
        // Busy (a deploy, an undeploy, another server): try again at the next sweep.
        var (_, outcome) = await store.TryUnderReservationAsync<OneShotOutcome?>(node.Uuid, conductor, async current =>
        {
            if (current is null || current.ProvisionState != ProvisionStates.Active || OneShotRelease.PendingSince(current) != since)
            {
                Forget(node.Uuid);
                return null;
            }
            try
            {
                await using (var machine = new HardwareLease(hardware.Create(current)))
                {
                    await machine.Hardware.EjectVirtualMediaAsync(cancellationToken).ConfigureAwait(false);
                }
                await NodeIsoArtifacts.DropAsync(store, cache, current.Uuid, cancellationToken).ConfigureAwait(false);
                var info = new Dictionary<string, string>(current.InstanceInfo, StringComparer.Ordinal);
                info.Remove(OneShotRelease.PendingSinceKey);
                info[OneShotRelease.ReleasedAtKey] = OneShotRelease.Format(DateTimeOffset.UtcNow);
                await store.UpdateNodeAsync(current with { InstanceInfo = info, LastError = null }, cancellationToken).ConfigureAwait(false);
                Forget(current.Uuid);
                return new OneShotOutcome(current.Uuid, current.Name, null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                reads.Postpone(current.Uuid, DateTimeOffset.UtcNow);
                var message = string.Create(CultureInfo.InvariantCulture,
                    $"The one-shot release of the node's ISO failed: {e.Message}. Boot server {conductor} tries again in {settleTime.TotalSeconds:0.#} s; 'ironic deploy stop' undeploys the node instead.");
                await store.UpdateNodeAsync(current with { LastError = message }, CancellationToken.None).ConfigureAwait(false);
                return new OneShotOutcome(current.Uuid, current.Name, e);
            }
        }, cancellationToken).ConfigureAwait(false);
        return outcome;
    }
}
