using System.Diagnostics;
using System.Globalization;
using Ironic.Core.Inventory;

namespace Ironic.Core.Deploy;

/// <summary>What recovery did to one node.</summary>
public sealed record RecoveredNode(Guid NodeUuid, string NodeName, string Holder, string StateBefore, string StateAfter);

/// <summary>
/// Run when a boot server starts: no reservation outlives its holder. A node reserved by this
/// conductor (it restarted), by a conductor whose heartbeat is stale, or by a deploy process on
/// this host that no longer runs, is released; a deploy it was in the middle of moves to
/// <c>deploy failed</c> (an undeploy to <c>error</c>) with a message saying why. Resuming is not
/// attempted: a half-done power or virtual media sequence is only safe to redo from the start.
/// </summary>
public static class DeployRecovery
{
    public static async Task<IReadOnlyList<RecoveredNode>> RecoverAsync(IInventoryStore store, string conductor, TimeSpan heartbeatTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(conductor);
        var now = DateTimeOffset.UtcNow;
        var conductors = await store.ListConductorsAsync(cancellationToken).ConfigureAwait(false);
        var alive = conductors
            .Where(c => c.Name != conductor && now - c.HeartbeatAt <= heartbeatTimeout)
            .Select(c => c.Name)
            .ToHashSet(StringComparer.Ordinal);
        var recovered = new List<RecoveredNode>();
        foreach (var node in await store.ListNodesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (node.Reservation is not { } holder) continue;
            var why = holder == conductor ? RamdiskDeploy.RestartMessage : DeadHolderReason(holder, alive);
            if (why is null) continue;
            var after = node.ProvisionState switch
            {
                ProvisionStates.Deploying => node with { ProvisionState = ProvisionStates.DeployFailed, TargetProvisionState = null, LastError = why },
                ProvisionStates.Deleting => node with { ProvisionState = ProvisionStates.Error, TargetProvisionState = null, LastError = why.Replace("deploy", "undeploy", StringComparison.Ordinal) },
                _ => node,
            };
            if (!ReferenceEquals(after, node)) await store.UpdateNodeAsync(after, cancellationToken).ConfigureAwait(false);
            await store.ReleaseAsync(node.Uuid, holder, cancellationToken).ConfigureAwait(false);
            recovered.Add(new RecoveredNode(node.Uuid, node.Name, holder, node.ProvisionState, after.ProvisionState));
        }
        return recovered;
    }

    /// <summary>Why a holder counts as dead, or null while it may be alive.</summary>
    private static string? DeadHolderReason(string holder, HashSet<string> aliveConductors)
    {
        var parts = holder.Split(':');
        if (parts is ["process", var host, var pidText] && int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            // A deploy run by a command-line or PowerShell process: only this host can tell if it still runs.
            if (!string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase)) return null;
            return ProcessRuns(pid) ? null : $"the process that ran the deploy (pid {pid}) ended during the deploy";
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
