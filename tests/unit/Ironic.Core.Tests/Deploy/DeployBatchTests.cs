using Ironic.Core.Deploy;
using Ironic.Core.Inventory;

namespace Ironic.Core.Tests.Deploy;

public class DeployBatchTests
{
    private static DeployStatus Status(string name) => DeployStatus.FromNode(new Node { Name = name, ProvisionState = ProvisionStates.Active });

    [Fact]
    public async Task RunAsync_NeverExceedsTheThrottleLimit_AndKeepsTheOrder()
    {
        var running = 0;
        var peak = 0;
        var names = Enumerable.Range(0, 20).Select(i => $"n{i}").ToList();

        var outcomes = await DeployBatch.RunAsync(names, 3, async (node, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(20, ct);
            Interlocked.Decrement(ref running);
            return Status(node);
        }, null, CancellationToken.None);

        Assert.Equal(3, peak);
        Assert.Equal(names, outcomes.Select(o => o.Node));
        Assert.All(outcomes, o => Assert.True(o.Succeeded));
    }

    [Fact]
    public async Task RunAsync_OneFailureDoesNotStopTheOthers_AndIsReportedWithItsNode()
    {
        var seen = new List<string>();
        var outcomes = await DeployBatch.RunAsync(["a", "b", "c"], 2, (node, _) =>
            node == "b" ? Task.FromException<DeployStatus>(new DeployException(DeployFailure.NodeLocked, "b is busy")) : Task.FromResult(Status(node)),
            o => { lock (seen) seen.Add(o.Node); }, CancellationToken.None);

        Assert.True(outcomes[0].Succeeded);
        Assert.Equal("b is busy", outcomes[1].Error!.Message);
        Assert.True(outcomes[2].Succeeded);
        Assert.Equal(["a", "b", "c"], seen.Order());
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}
