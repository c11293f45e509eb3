using Ironic.Core.Deploy;
using Ironic.Core.Inventory;

namespace Ironic.Core.Tests.Deploy;

public class NodeImageReadsTests
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    [Fact]
    public void ANodeIsSettled_OnlyAfterServedReads_AndTheSettleTimeWithoutAny()
    {
        var reads = new NodeImageReads();
        var node = Guid.NewGuid();

        reads.Begin(node, T0);
        reads.End(node, served: true, T0.AddSeconds(1));

        Assert.Empty(reads.Settled(Settle, T0.AddSeconds(60)));
        var settled = Assert.Single(reads.Settled(Settle, T0.AddSeconds(61)));
        Assert.Equal(node, settled.Node);
        Assert.Equal(T0.AddSeconds(1), settled.State.LastServed);
    }

    [Fact]
    public void AReadInFlight_KeepsTheNodeUnsettled_HoweverLongItRuns()
    {
        var reads = new NodeImageReads();
        var node = Guid.NewGuid();
        reads.Begin(node, T0);
        reads.End(node, served: true, T0.AddSeconds(1));
        reads.Begin(node, T0.AddSeconds(2));

        Assert.Empty(reads.Settled(Settle, T0.AddHours(1)));

        reads.End(node, served: true, T0.AddHours(1));
        Assert.Empty(reads.Settled(Settle, T0.AddHours(1).AddSeconds(59)));
        Assert.Single(reads.Settled(Settle, T0.AddHours(1).AddSeconds(60)));
    }

    [Fact]
    public void RequestsThatDeliveredNoBytes_DoNotCountAsReads()
    {
        var reads = new NodeImageReads();
        var node = Guid.NewGuid();
        reads.Begin(node, T0);
        reads.End(node, served: false, T0);

        Assert.Empty(reads.Settled(Settle, T0.AddDays(1)));
        Assert.Null(reads.Get(node)!.Value.LastServed);
    }

    [Fact]
    public void Postpone_RestartsTheQuietPeriod_AndForget_DropsTheNode()
    {
        var reads = new NodeImageReads();
        var node = Guid.NewGuid();
        reads.Begin(node, T0);
        reads.End(node, served: true, T0);

        reads.Postpone(node, T0.AddSeconds(100));
        Assert.Empty(reads.Settled(Settle, T0.AddSeconds(159)));
        Assert.Single(reads.Settled(Settle, T0.AddSeconds(160)));

        reads.Forget(node);
        Assert.Null(reads.Get(node));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData(" TRUE ", true)]
    [InlineData("1", true)]
    [InlineData("yes", true)]
    [InlineData("On", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("no", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void OneShotIsRequested_ReadsIronicsBooleans(string? value, bool expected) =>
        Assert.Equal(expected, OneShotRelease.IsRequested(new Node
        {
            Name = "n",
            InstanceInfo = value is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [DeployRequest.OneShotKey] = value },
        }));
}
