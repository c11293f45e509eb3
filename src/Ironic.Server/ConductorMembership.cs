using Ironic.Core.Boot;
using Ironic.Core.Inventory;
using Microsoft.Extensions.Logging;

namespace Ironic.Server;

/// <summary>
/// This server's place on the ring: registers it as a conductor, refreshes its heartbeat
/// every [conductor]heartbeat_interval, and re-reads the live conductors often enough that a
/// dead owner leaves the ring soon after [conductor]heartbeat_timeout. Requests read
/// <see cref="Ring"/>, an immutable snapshot swapped when membership changes.
/// </summary>
public sealed class ConductorMembership(IInventoryStore store, Conductor self, TimeSpan interval, TimeSpan timeout, ILogger logger, int partitionExponent = HashRing.DefaultPartitionExponent) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private volatile ConductorRing _ring = ConductorRing.Build([self], DateTimeOffset.UtcNow, TimeSpan.MaxValue, partitionExponent);

    public Conductor Self => self;

    public ConductorRing Ring => _ring;

    /// <summary>How often membership is re-read: often enough that a dead owner is gone within a fraction of the timeout.</summary>
    public TimeSpan RefreshPeriod => TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, Math.Min(interval.Ticks, timeout.Ticks / 4)));

    /// <summary>Registers this conductor, reads the ring once, and starts the refresh loop.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.HeartbeatAsync(self with { HeartbeatAt = DateTimeOffset.UtcNow }, cancellationToken).ConfigureAwait(false);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>Re-reads the live conductors and swaps the ring when membership changed.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var all = await store.ListConductorsAsync(cancellationToken).ConfigureAwait(false);
        var live = all.Where(c => now - c.HeartbeatAt < timeout).ToList();
        // This server is live by definition while it runs, even if its last heartbeat write was slow.
        if (!live.Any(c => c.Name == self.Name)) live.Add(self);
        if (SameMembers(_ring, live)) return;
        var ring = ConductorRing.Build(live, now, TimeSpan.MaxValue, partitionExponent);
        logger.LogInformation("Conductor ring changed: {Members}", string.Join(", ", ring.LiveConductors.Select(m => m.Name)));
        _ring = ring;
    }

    /// <summary>Same names at the same URLs in the same groups (heartbeat times aside).</summary>
    private static bool SameMembers(ConductorRing ring, IEnumerable<Conductor> live) =>
        ring.LiveConductors.Select(Key).Order(StringComparer.Ordinal).SequenceEqual(live.Select(Key).Order(StringComparer.Ordinal), StringComparer.Ordinal);

    private static string Key(Conductor c) => c.Name + "\n" + c.InternalUrl + "\n" + c.ConductorGroup.ToLowerInvariant();

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        var lastBeat = DateTimeOffset.UtcNow;
        using var timer = new PeriodicTimer(RefreshPeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    if (DateTimeOffset.UtcNow - lastBeat >= interval)
                    {
                        lastBeat = DateTimeOffset.UtcNow;
                        await store.HeartbeatAsync(self with { HeartbeatAt = lastBeat }, cancellationToken).ConfigureAwait(false);
                    }
                    await RefreshAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The store may be briefly unreachable; keep the last ring and try again next tick.
                    logger.LogWarning("Heartbeat or ring refresh failed, keeping the last ring: {Message}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Stops the loop and leaves the ring at once, so the others need not wait for the timeout.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null) await _loop.ConfigureAwait(false);
        try { await store.UnregisterConductorAsync(self.Name, cancellationToken).ConfigureAwait(false); }
        catch (Exception e) when (e is not OperationCanceledException) { logger.LogWarning("Could not unregister conductor {Name}: {Message}", self.Name, e.Message); }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null) await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
