using Ironic.Core.Deploy;
using Ironic.Core.Inventory;

namespace Ironic.Core.Tests.Deploy;

public class DeployStatusTests
{
    private static Node WithOneShot(string? value) => new()
    {
        Name = "n",
        InstanceInfo = value is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [DeployRequest.OneShotKey] = value },
    };

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("1", true)]
    [InlineData("yes", true)]
    [InlineData("on", true)]
    [InlineData(" ON ", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("off", false)]
    [InlineData("maybe", false)]
    [InlineData(null, false)]
    public void OneShot_ReadsTheValuesTheDeployAccepts(string? value, bool expected)
    {
        var node = WithOneShot(value);

        Assert.Equal(expected, DeployStatus.FromNode(node).OneShot);
        // One parser: what the status shows is what the deploy does.
        Assert.Equal(OneShotRelease.IsRequested(node), DeployStatus.FromNode(node).OneShot);
    }

    [Fact]
    public void OneShotRelease_PendingAndReleased_AreShownFromInstanceInfo()
    {
        var since = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
        var pending = new Node { Name = "p", InstanceInfo = new Dictionary<string, string> { [OneShotRelease.PendingSinceKey] = OneShotRelease.Format(since) } };
        var released = new Node { Name = "r", InstanceInfo = new Dictionary<string, string> { [OneShotRelease.ReleasedAtKey] = OneShotRelease.Format(since.AddMinutes(2)) } };

        Assert.True(DeployStatus.FromNode(pending).OneShotReleasePending);
        Assert.Equal(since, DeployStatus.FromNode(pending).OneShotPendingSince);
        Assert.False(DeployStatus.FromNode(released).OneShotReleasePending);
        Assert.Equal(since.AddMinutes(2), DeployStatus.FromNode(released).OneShotReleasedAt);
    }
}
