using Ironic.Core.Boot;
using Ironic.Core.Inventory;
using Ironic.Core.Status;

namespace Ironic.Core.Tests.Status;

public class BootServerStatusTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);

    private static Node MakeNode(string name, string state, string? error = null) =>
        new() { Name = name, ProvisionState = state, LastError = error };

    [Fact]
    public void Build_CountsNodesPerState_FailuresFirst()
    {
        var nodes = new[]
        {
            MakeNode("a", ProvisionStates.Active), MakeNode("b", ProvisionStates.Active), MakeNode("c", ProvisionStates.WaitCallback),
            MakeNode("d", ProvisionStates.DeployFailed, "BMC refused"), MakeNode("e", ProvisionStates.Available),
        };
        var conductors = new[] { new Conductor("c1", new Uri("http://10.0.0.1:6385"), Now.AddSeconds(-3)) };
        var ring = ConductorRing.Build(conductors, Now, TimeSpan.FromSeconds(60));

        var status = BootServerStatus.Build("c1", "ironic.db", nodes, conductors, ring, new NodeActivityLog(), Now);

        Assert.Equal(5, status.TotalNodes);
        Assert.Equal(["deploy failed", "wait call-back", "active", "available"], status.States.Select(s => s.State));
        Assert.Equal(2, status.States.Single(s => s.State == "active").Count);
        Assert.Equal(["d", "c", "a", "b", "e"], status.Nodes.Select(n => n.Name));
        Assert.All(status.Nodes, n => Assert.Equal("c1", n.Owner));
        var conductor = Assert.Single(status.Conductors);
        Assert.True(conductor.OnRing);
        Assert.True(conductor.IsSelf);
        Assert.Equal(5, conductor.NodesOwned);
        Assert.Equal(TimeSpan.FromSeconds(3), conductor.HeartbeatAge);
    }

    [Fact]
    public void Build_MarksStaleConductorsOffTheRing_AndSplitsOwnership()
    {
        var nodes = Enumerable.Range(0, 200).Select(i => MakeNode($"n{i:000}", ProvisionStates.Active)).ToArray();
        var conductors = new[]
        {
            new Conductor("c1", new Uri("http://10.0.0.1:6385"), Now.AddSeconds(-5)),
            new Conductor("c2", new Uri("http://10.0.0.2:6385"), Now.AddSeconds(-8)),
            new Conductor("c3", new Uri("http://10.0.0.3:6385"), Now.AddMinutes(-10)),
        };
        var ring = ConductorRing.Build(conductors, Now, TimeSpan.FromSeconds(60));

        var status = BootServerStatus.Build("c2", "postgres://ironic:******@db/ironic", nodes, conductors, ring, new NodeActivityLog(), Now);

        Assert.Equal([true, true, false], status.Conductors.Select(c => c.OnRing));
        Assert.Equal(0, status.Conductors[2].NodesOwned);
        Assert.Equal(200, status.Conductors[0].NodesOwned + status.Conductors[1].NodesOwned);
        Assert.InRange(status.Conductors[0].NodesOwned, 50, 150);
        Assert.Equal("c2", status.Conductors.Single(c => c.IsSelf).Name);
    }

    [Fact]
    public void Build_FiltersByState_AndCapsTheRows()
    {
        var nodes = Enumerable.Range(0, 30).Select(i => MakeNode($"n{i:00}", i % 3 == 0 ? ProvisionStates.DeployFailed : ProvisionStates.Active)).ToArray();
        var ring = ConductorRing.Build([], Now, TimeSpan.FromSeconds(60));

        var capped = BootServerStatus.Build("c1", "s", nodes, [], ring, new NodeActivityLog(), Now, rowLimit: 12);
        var filtered = BootServerStatus.Build("c1", "s", nodes, [], ring, new NodeActivityLog(), Now, stateFilter: "DEPLOY FAILED");

        Assert.Equal(12, capped.Nodes.Count);
        Assert.Equal(30, capped.MatchingNodes);
        Assert.All(capped.Nodes.Take(10), n => Assert.Equal(ProvisionStates.DeployFailed, n.ProvisionState));
        Assert.Equal(10, filtered.MatchingNodes);
        Assert.All(filtered.Nodes, n => Assert.Equal(ProvisionStates.DeployFailed, n.ProvisionState));
        Assert.All(capped.Nodes, n => Assert.Null(n.Owner));
    }

    [Fact]
    public void ActivityLog_KeepsTheLatestEvent_UnderUuidOrName()
    {
        var node = MakeNode("rack1-n01", ProvisionStates.WaitCallback);
        var log = new NodeActivityLog();
        log.RecordBootConfig(node.Uuid, new BootConfigFetch(Now.AddSeconds(-30), "52:54:00:00:00:01", "boot.ipxe", "c1"));
        log.RecordBootConfig(node.Uuid, new BootConfigFetch(Now.AddSeconds(-90), "52:54:00:00:00:02", "boot.ipxe", "c1"));
        log.RecordImage("rack1-n01", new ImageDownload(Now.AddSeconds(-20), "boot.iso", 206, "bytes=0-2047", "c1"));
        log.RecordImage(node.Uuid.ToString(), new ImageDownload(Now.AddSeconds(-10), "boot.iso", 200, null, "c2"));

        var seen = log.Get(node.Uuid, node.Name);
        var status = BootServerStatus.Build("c1", "s", [node], [], ConductorRing.Build([], Now, TimeSpan.FromSeconds(60)), log, Now);

        Assert.Equal("52:54:00:00:00:01", seen.LastBootConfig!.MacAddress);
        Assert.Equal(200, seen.LastImage!.Status);
        Assert.Equal("c2", seen.LastImage.ServedBy);
        Assert.Equal(1, status.ActiveBootConfigFetches);
        Assert.Equal(1, status.ActiveImageDownloads);
        Assert.Equal(new NodeActivity(null, null), log.Get(Guid.NewGuid(), "other"));
    }
}
