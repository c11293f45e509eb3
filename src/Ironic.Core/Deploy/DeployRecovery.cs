using System.Diagnostics;
using System.Globalization;
using Ironic.Core.Inventory;

namespace Ironic.Core.Deploy;

/// <summary>What recovery did to one node.</summary>
public sealed record RecoveredNode(Guid NodeUuid, string NodeName, string Holder, string StateBefore, string StateAfter, string Reason);

/// <summary>
/// No reservation outlives its holder. A node reserved by a conductor whose heartbeat is stale,
/// or by a deploy process on this host that no longer runs, is released; a deploy it was in the
/// middle of moves to <c>deploy failed</c> (an undeploy to <c>error</c>) with last_error saying
/// who held it, what became of the holder and who released it. It runs when a boot server starts
/// (<see cref="RecoverAsync"/>, which also frees what the server's own name held before a restart),
/// periodically in every boot server (<see cref="SweepAsync"/>), and at the start of every deploy
/// and undeploy of a reserved node (<see cref="RecoverNodeAsync"/>). Resuming is not attempted: a
/// half-done power or virtual media sequence is only safe to redo from the start.
/// </summary>
public static class DeployRecovery
{
    /// <summary>At a boot server's start: every reservation of a dead holder, and every one of its own name (it restarted).</summary>
    public static Task<IReadOnlyList<RecoveredNode>> RecoverAsync(IInventoryStore store, string conductor, TimeSpan heartbeatTimeout, CancellationToken cancellationToken) =>
        RecoverAllAsync(store, conductor, heartbeatTimeout, includeOwn: true, cancellationToken);

    /// <summary>Periodically in a running boot server: every reservation of a dead holder; its own are live and left alone.</summary>
    public static Task<IReadOnlyList<RecoveredNode>> SweepAsync(IInventoryStore store, string conductor, TimeSpan heartbeatTimeout, CancellationToken cancellationToken) =>
        RecoverAllAsync(store, conductor, heartbeatTimeout, includeOwn: false, cancellationToken);

    /// <summary>
    /// Before a deploy or undeploy of <paramref name="node"/>: when it is reserved by a dead holder,
    /// <paramref name="conductor"/> (the one about to deploy) recovers it. Null when the node is free,
    /// or its holder may be alive, or someone else recovered it first.
    /// </summary>
    public static async Task<RecoveredNode?> RecoverNodeAsync(IInventoryStore store, Node node, string conductor, TimeSpan heartbeatTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(node);
        if (node.Reservation is not { } holder || holder == conductor) return null;
        var alive = await AliveConductorsAsync(store, conductor, heartbeatTimeout, cancellationToken).ConfigureAwait(false);
        return DeadHolderReason(holder, alive) is { } why
            ? await RecoverOneAsync(store, node, holder, why, conductor, cancellationToken).ConfigureAwait(false)
            : null;
    }

    private static async Task<IReadOnlyList<RecoveredNode>> RecoverAllAsync(IInventoryStore store, string conductor, TimeSpan heartbeatTimeout, bool includeOwn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(conductor);
        var alive = await AliveConductorsAsync(store, conductor, heartbeatTimeout, cancellationToken).ConfigureAwait(false);
        var recovered = new List<RecoveredNode>();
        foreach (var node in await store.ListNodesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (node.Reservation is not { } holder) continue;
            var why = holder == conductor
                ? includeOwn ? RamdiskDeploy.RestartMessage : null
                : DeadHolderReason(holder, alive);
            if (why is null) continue;
            if (await RecoverOneAsync(store, node, holder, why, conductor, cancellationToken).ConfigureAwait(false) is { } done) recovered.Add(done);
        }
        return recovered;
    }

    private static async Task<HashSet<string>> AliveConductorsAsync(IInventoryStore store, string conductor, TimeSpan heartbeatTimeout, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        return (await store.ListConductorsAsync(cancellationToken).ConfigureAwait(false))
            .Where(c => c.Name != conductor && now - c.HeartbeatAt <= heartbeatTimeout)
            .Select(c => c.Name)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Takes the dead holder's reservation over (atomically: one recoverer wins), fails what it was doing, releases.</summary>
    private static async Task<RecoveredNode?> RecoverOneAsync(IInventoryStore store, Node node, string holder, string why, string conductor, CancellationToken cancellationToken)
    {
        if (!await store.TryTakeOverReservationAsync(node.Uuid, holder, conductor, cancellationToken).ConfigureAwait(false)) return null;
        try
        {
            // As it is now that this recoverer holds it (the dead holder may have changed it after the list was read).
            node = await store.GetNodeAsync(node.Uuid.ToString("D"), cancellationToken).ConfigureAwait(false) ?? throw NodeNotFoundException.ForNode(node.Uuid.ToString("D"));
            // A server that finds its own name knows what happened; anyone else says who freed the node.
            string Message(string operation) => (holder == conductor ? why : $"{why}; {conductor} released its reservation. {operation} it again")
                .Replace("the deploy", "the " + operation.ToLowerInvariant(), StringComparison.Ordinal);
            var after = node.ProvisionState switch
            {
                ProvisionStates.Deploying => node with { ProvisionState = ProvisionStates.DeployFailed, TargetProvisionState = null, LastError = Message("Deploy") },
                ProvisionStates.Deleting => node with { ProvisionState = ProvisionStates.Error, TargetProvisionState = null, LastError = Message("Undeploy") },
                _ => node,
            };
            if (!ReferenceEquals(after, node)) await store.UpdateNodeAsync(after, cancellationToken).ConfigureAwait(false);
            return new RecoveredNode(node.Uuid, node.Name, holder, node.ProvisionState, after.ProvisionState, after.LastError ?? Message("Deploy"));
        }
        finally
        {
            await store.ReleaseAsync(node.Uuid, conductor, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Why a holder counts as dead, or null while it may be alive.</summary>
    public static string? DeadHolderReason(string holder, IReadOnlySet<string> aliveConductors)
    {
        ArgumentNullException.ThrowIfNull(holder);
        ArgumentNullException.ThrowIfNull(aliveConductors);
        var parts = holder.Split(':');
        if (parts is ["process", var host, var pidText] && int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            // A deploy run by a command-line or PowerShell process: only this host can tell if it still runs.
            if (!string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase)) return null;
            return ProcessRuns(pid) ? null : $"the process that ran the deploy (pid {pid} on {host}) ended during the deploy";
        }
        return aliveConductors.Contains(holder) ? null : $"conductor {holder} stopped heartbeating during the deploy";
    }

    private static bool ProcessRuns(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
