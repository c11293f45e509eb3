using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.Core.Tests.Boot;

public class ConductorRingTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static Conductor Live(string name, string group = "", int secondsAgo = 1) =>
        new(name, new Uri($"http://{name}:6385"), Now.AddSeconds(-secondsAgo)) { ConductorGroup = group };

    [Fact]
    public void Build_DropsConductorsWhoseHeartbeatIsStale()
    {
        var ring = ConductorRing.Build([Live("c1"), Live("c2", secondsAgo: 31), Live("c3", secondsAgo: 30)], Now, TimeSpan.FromSeconds(30));
        Assert.Equal(["c1", "c3"], ring.LiveConductors.Select(c => c.Name));
        Assert.All(HashRingTests.NodeUuids(200), u => Assert.NotEqual("c2", ring.GetOwner(u)!.Name));
    }

    [Fact]
    public void GetOwner_MatchesThePlainHashRingOfTheLiveConductors()
    {
        var ring = ConductorRing.Build([Live("c1"), Live("c2"), Live("c3"), Live("dead", secondsAgo: 300)], Now, TimeSpan.FromSeconds(30));
        var plain = new HashRing(["c1", "c2", "c3"]);
        Assert.All(HashRingTests.NodeUuids(500), u => Assert.Equal(plain.GetOwner(u), ring.GetOwner(u)!.Name));
    }

    [Fact]
    public void ConductorGroups_HaveTheirOwnRings()
    {
        var ring = ConductorRing.Build([Live("a1", "rack-a"), Live("a2", "RACK-A"), Live("b1", "rack-b"), Live("d1")], Now, TimeSpan.FromSeconds(30));
        foreach (var uuid in HashRingTests.NodeUuids(300))
        {
            Assert.Contains(ring.GetOwner(uuid, "rack-a")!.Name, new[] { "a1", "a2" });
            Assert.Equal("b1", ring.GetOwner(uuid, "rack-b")!.Name);
            Assert.Equal("d1", ring.GetOwner(uuid)!.Name);
        }
        Assert.Null(ring.GetOwner(Guid.NewGuid(), "rack-c"));
    }

    [Fact]
    public void IsOwner_AndGetOwnerOfNode_UseTheNodesGroup()
    {
        var ring = ConductorRing.Build([Live("a1", "rack-a"), Live("d1")], Now, TimeSpan.FromSeconds(30));
        var node = new Node { Name = "n1", ConductorGroup = "rack-a" };
        Assert.Equal("a1", ring.GetOwner(node)!.Name);
        Assert.True(ring.IsOwner("a1", node));
        Assert.False(ring.IsOwner("d1", node));
    }

    [Fact]
    public void HasSameMembers_IgnoresHeartbeatTimes_ButNotMembership()
    {
        var a = ConductorRing.Build([Live("c1"), Live("c2")], Now, TimeSpan.FromSeconds(30));
        var b = ConductorRing.Build([Live("c2", secondsAgo: 5), Live("c1", secondsAgo: 9)], Now, TimeSpan.FromSeconds(30));
        var c = ConductorRing.Build([Live("c1")], Now, TimeSpan.FromSeconds(30));
        Assert.True(a.HasSameMembers(b));
        Assert.False(a.HasSameMembers(c));
    }
}
