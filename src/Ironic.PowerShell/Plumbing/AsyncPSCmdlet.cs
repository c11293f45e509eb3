using System.Management.Automation;

namespace Ironic.PowerShell.Plumbing;

/// <summary>
/// Base of every cmdlet that does I/O. Override the *Async methods; the work runs as a task,
/// Write*, WriteProgress and ShouldProcess called from it are carried back to the pipeline
/// thread, and Ctrl+C (StopProcessing) cancels <see cref="CancellationToken"/>.
/// </summary>
public abstract class AsyncPSCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private PipelineDispatcher? _dispatcher;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken CancellationToken => _stopping.Token;

    protected virtual Task BeginProcessingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    protected virtual Task ProcessRecordAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    protected virtual Task EndProcessingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected sealed override void BeginProcessing() => RunOnDispatcher(BeginProcessingAsync);
    protected sealed override void ProcessRecord() => RunOnDispatcher(ProcessRecordAsync);
    protected sealed override void EndProcessing() => RunOnDispatcher(EndProcessingAsync);
    protected sealed override void StopProcessing() => _stopping.Cancel();

    private void RunOnDispatcher(Func<CancellationToken, Task> work)
    {
        using var dispatcher = new PipelineDispatcher();
        _dispatcher = dispatcher;
        try
        {
            dispatcher.Run(work, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            _dispatcher = null;
        }
    }

    private void OnPipeline(Action action)
    {
        if (_dispatcher is { } d) d.Post(action);
        else action();
    }

    protected new void WriteObject(object? sendToPipeline) => OnPipeline(() => base.WriteObject(sendToPipeline));
    protected new void WriteObject(object? sendToPipeline, bool enumerateCollection) => OnPipeline(() => base.WriteObject(sendToPipeline, enumerateCollection));
    protected new void WriteError(ErrorRecord errorRecord) => OnPipeline(() => base.WriteError(errorRecord));
    protected new void WriteWarning(string text) => OnPipeline(() => base.WriteWarning(text));
    protected new void WriteVerbose(string text) => OnPipeline(() => base.WriteVerbose(text));
    protected new void WriteDebug(string text) => OnPipeline(() => base.WriteDebug(text));
    protected new void WriteProgress(ProgressRecord progressRecord) => OnPipeline(() => base.WriteProgress(progressRecord));

    /// <summary>ShouldProcess asked on the pipeline thread (it may prompt the user).</summary>
    protected Task<bool> ShouldProcessAsync(string target, string action) =>
        _dispatcher is { } d ? d.InvokeAsync(() => ShouldProcess(target, action)) : Task.FromResult(ShouldProcess(target, action));

    /// <summary>ShouldContinue asked on the pipeline thread.</summary>
    protected Task<bool> ShouldContinueAsync(string query, string caption) =>
        _dispatcher is { } d ? d.InvokeAsync(() => ShouldContinue(query, caption)) : Task.FromResult(ShouldContinue(query, caption));

    /// <summary>Ends the cmdlet with an error (a failed precondition); thrown on the pipeline thread.</summary>
    protected Task ThrowTerminatingErrorAsync(ErrorRecord errorRecord) =>
        _dispatcher is { } d ? d.InvokeAsync<bool>(() => { ThrowTerminatingError(errorRecord); return false; }) : Throw(errorRecord);

    private Task Throw(ErrorRecord errorRecord)
    {
        ThrowTerminatingError(errorRecord);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
