namespace Ironic.Core.Deploy;

/// <summary>The outcome of one node's deploy in a batch: the node as it ended, or why it failed.</summary>
public sealed record DeployOutcome(string Node, DeployStatus? Status, Exception? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// Runs one deploy (or undeploy, or wait) per node with at most <c>throttleLimit</c> at a time,
/// as Start-IronicDeploy -ThrottleLimit does. One node's failure does not stop the others;
/// outcomes come back in the order the nodes were given.
/// </summary>
public static class DeployBatch
{
    public static async Task<IReadOnlyList<DeployOutcome>> RunAsync(
        IReadOnlyList<string> nodes,
        int throttleLimit,
        Func<string, CancellationToken, Task<DeployStatus>> operation,
        Action<DeployOutcome>? completed,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentOutOfRangeException.ThrowIfLessThan(throttleLimit, 1);
        using var slots = new SemaphoreSlim(throttleLimit, throttleLimit);
        var tasks = nodes.Select(async node =>
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            DeployOutcome outcome;
            try
            {
                outcome = new DeployOutcome(node, await operation(node, cancellationToken).ConfigureAwait(false), null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                outcome = new DeployOutcome(node, null, e);
            }
            finally
            {
                slots.Release();
            }
            completed?.Invoke(outcome);
            return outcome;
        }).ToList();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }
}
