using System.Collections.Concurrent;

namespace Ironic.PowerShell.Plumbing;

/// <summary>
/// Runs async work off the pipeline thread while everything that must happen on it
/// (WriteObject, WriteProgress, ShouldProcess, …) is queued back and run there by
/// <see cref="Run"/>. PowerShell throws when a cmdlet writes from another thread; this is the
/// one place that prevents it. Free of PowerShell types so that xunit can drive it.
/// </summary>
public sealed class PipelineDispatcher : IDisposable
{
    private readonly BlockingCollection<Action> _queue = new();
    private int _pipelineThreadId;

    /// <summary>
    /// Starts <paramref name="work"/> on the thread pool and pumps queued actions on the calling
    /// (pipeline) thread until the work ends; rethrows its exception here.
    /// </summary>
    public void Run(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        _pipelineThreadId = Environment.CurrentManagedThreadId;
        var task = Task.Run(() => work(cancellationToken), cancellationToken);
        task.ContinueWith(_ => _queue.CompleteAdding(), TaskScheduler.Default);
        foreach (var action in _queue.GetConsumingEnumerable())
        {
            action();
        }
        task.GetAwaiter().GetResult();
    }

    /// <summary>Queues an action for the pipeline thread without waiting (Write* calls).</summary>
    public void Post(Action action)
    {
        if (Environment.CurrentManagedThreadId == _pipelineThreadId) { action(); return; }
        _queue.Add(action);
    }

    /// <summary>Runs a function on the pipeline thread and waits for its result (ShouldProcess).</summary>
    public Task<T> InvokeAsync<T>(Func<T> function)
    {
        if (Environment.CurrentManagedThreadId == _pipelineThreadId) return Task.FromResult(function());
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(() =>
        {
            try { result.SetResult(function()); }
            catch (Exception e) { result.SetException(e); }
        });
        return result.Task;
    }

    public void Dispose() => _queue.Dispose();
}
