using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Tests;

public class PipelineDispatcherTests
{
    [Fact]
    public void Run_CarriesPostedWritesBackToTheCallingThread_InOrder()
    {
        using var dispatcher = new PipelineDispatcher();
        var pipelineThread = Environment.CurrentManagedThreadId;
        var seen = new List<(int Thread, int Value)>();

        dispatcher.Run(async ct =>
        {
            for (var i = 0; i < 5; i++)
            {
                await Task.Delay(1, ct).ConfigureAwait(false);
                var value = i;
                dispatcher.Post(() => seen.Add((Environment.CurrentManagedThreadId, value)));
            }
        }, CancellationToken.None);

        Assert.Equal([0, 1, 2, 3, 4], seen.Select(s => s.Value));
        Assert.All(seen, s => Assert.Equal(pipelineThread, s.Thread));
    }

    [Fact]
    public void InvokeAsync_RunsOnTheCallingThread_AndReturnsItsAnswer()
    {
        using var dispatcher = new PipelineDispatcher();
        var pipelineThread = Environment.CurrentManagedThreadId;
        var answeredOn = 0;
        var answer = false;

        dispatcher.Run(async ct =>
        {
            answer = await dispatcher.InvokeAsync(() => { answeredOn = Environment.CurrentManagedThreadId; return true; }).ConfigureAwait(false);
        }, CancellationToken.None);

        Assert.True(answer);
        Assert.Equal(pipelineThread, answeredOn);
    }

    [Fact]
    public void Run_RethrowsTheWorksException()
    {
        using var dispatcher = new PipelineDispatcher();
        var e = Assert.Throws<InvalidOperationException>(() =>
            dispatcher.Run(_ => throw new InvalidOperationException("boom"), CancellationToken.None));
        Assert.Equal("boom", e.Message);
    }

    [Fact]
    public void Run_Cancelled_EndsWithOperationCanceled()
    {
        using var dispatcher = new PipelineDispatcher();
        using var stop = new CancellationTokenSource();
        stop.CancelAfter(50);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            dispatcher.Run(ct => Task.Delay(Timeout.Infinite, ct), stop.Token));
    }
}
