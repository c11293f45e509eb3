using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.Server.Tests;

/// <summary>
/// Failover between real `ironic serve` processes sharing one inventory: an owner killed with
/// SIGKILL (no clean leave from the ring), and an owner frozen with SIGSTOP (its socket still
/// accepts connections, nothing answers). The survivors answer quickly while the owner is
/// still on the ring, and serve its nodes once its heartbeat is older than the timeout set in
/// the servers' ironic.conf. Each test uses its own conductor group, so tests sharing the
/// PostgreSQL database never see each other's conductors.
/// </summary>
public sealed class ClusterProcessTests
{
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan ForwardTimeout = TimeSpan.FromSeconds(1);
    private const string Secret = "process-cluster-secret";

    private sealed class Cluster(string group, string work, IInventoryStore store, List<BootServerProcess> servers, HttpClient http) : IAsyncDisposable
    {
        public string Group => group;
        public IInventoryStore Store => store;
        public List<BootServerProcess> Servers => servers;

        public async ValueTask DisposeAsync()
        {
            foreach (var s in servers) await s.DisposeAsync();
            await store.DisposeAsync();
            http.Dispose();
            Directory.Delete(work, true);
        }
    }

    private static async Task<Cluster> StartAsync(string kind, int count)
    {
        var location = TestInventory.Location(kind);
        var store = await OpenAsync(location, kind);
        var group = "p" + Guid.NewGuid().ToString("N")[..10];
        var work = Directory.CreateTempSubdirectory("ironic-cluster-").FullName;
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var servers = new List<BootServerProcess>();
        var cluster = new Cluster(group, work, store, servers, http);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var name = $"{group}-s{i}";
                var config = Path.Combine(work, name + ".conf");
                await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
                    [DEFAULT]
                    host = {name}

                    [conductor]
                    heartbeat_interval = {HeartbeatInterval.TotalSeconds}
                    heartbeat_timeout = {HeartbeatTimeout.TotalSeconds}
                    conductor_group = {group}

                    [boot_server]
                    forward_timeout = {ForwardTimeout.TotalSeconds}
                    shared_secret = {Secret}

                    """));
                servers.Add(await BootServerProcess.StartAsync(new BootServerStartInfo
                {
                    Listen = "127.0.0.1:0",
                    Store = location.Value,
                    ConfigFile = config,
                    Executable = BootServerProcessTests.IronicExecutable(),
                }, http, CancellationToken.None));
            }
            // Every server registered; then give each a few ring refreshes (every heartbeat interval) to see all the others.
            var watch = Stopwatch.StartNew();
            while ((await store.ListConductorsAsync(CancellationToken.None)).Count(c => c.ConductorGroup == group && DateTimeOffset.UtcNow - c.HeartbeatAt < HeartbeatTimeout) != count)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "the servers did not all register within 20 s");
                await Task.Delay(100);
            }
            await Task.Delay(HeartbeatInterval * 5);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static async Task<IInventoryStore> OpenAsync(StoreLocation location, string kind)
    {
        var store = InventoryStores.Open(location);
        try
        {
            await store.MigrateAsync(CancellationToken.None);
            return store;
        }
        catch (Exception e) when (kind == "postgres")
        {
            await store.DisposeAsync();
            throw new InvalidOperationException($"PostgreSQL at {location} is not reachable ({e.Message}). Install Debian's postgresql and run .ci/start-postgres.sh, or set {TestInventory.PostgresVariable}.", e);
        }
    }

    private static async Task<List<(Node Node, string Mac)>> AddNodesAsync(Cluster cluster, int count)
    {
        var nodes = new List<(Node, string)>();
        for (var i = 0; i < count; i++)
        {
            var mac = TestInventory.RandomMac();
            var node = await cluster.Store.CreateNodeAsync(new Node
            {
                Name = $"{cluster.Group}-n{i}",
                ProvisionState = ProvisionStates.WaitCallback,
                ConductorGroup = cluster.Group,
                InstanceInfo = new Dictionary<string, string> { ["kernel"] = "k", ["ramdisk"] = "r", ["ramdisk_kernel_arguments"] = "n=" + i },
            }, CancellationToken.None);
            await cluster.Store.CreatePortAsync(new Port(mac, node.Uuid), CancellationToken.None);
            nodes.Add((node, mac));
        }
        return nodes;
    }

    /// <summary>Who owns what, computed here from the conductors in the store the way every server computes it.</summary>
    private static async Task<ConductorRing> RingAsync(Cluster cluster) =>
        ConductorRing.Build((await cluster.Store.ListConductorsAsync(CancellationToken.None)).Where(c => c.ConductorGroup == cluster.Group), DateTimeOffset.UtcNow, HeartbeatTimeout);

    private static async Task SignalAsync(BootServerProcess server, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, server.Pid.ToString(CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    private static async Task<DateTimeOffset> LastHeartbeatAsync(Cluster cluster, BootServerProcess server) =>
        (await cluster.Store.ListConductorsAsync(CancellationToken.None)).Single(c => c.Name == server.Name).HeartbeatAt;

    /// <summary>
    /// Asks each survivor for one orphan until it serves it (each ask stays within the forward
    /// timeout), then checks that every survivor serves every node its own script.
    /// </summary>
    private static async Task WaitUntilServedAsync(IReadOnlyList<BootServerProcess> survivors, IReadOnlyList<(Node Node, string Mac)> orphans, IReadOnlyList<(Node Node, string Mac)> nodes, Stopwatch since)
    {
        foreach (var server in survivors)
        {
            while (true)
            {
                Assert.True(since.Elapsed < HeartbeatTimeout + TimeSpan.FromSeconds(15), $"{server.Name} did not take over the lost owner's nodes");
                var watch = Stopwatch.StartNew();
                var r = await RawHttp.SendAsync(server.Uri!, $"/v1/boot/{orphans[0].Mac}/boot.ipxe");
                Assert.True(watch.Elapsed < ForwardTimeout + TimeSpan.FromSeconds(2), $"a request to {server.Name} took {watch.Elapsed}");
                if (r.Status == 200) break;
                Assert.Equal(503, r.Status);
                await Task.Delay(100);
            }
        }
        foreach (var server in survivors)
        {
            foreach (var (node, mac) in nodes)
            {
                var r = await RawHttp.SendAsync(server.Uri!, $"/v1/boot/{mac}/boot.ipxe");
                Assert.Equal(200, r.Status);
                Assert.Contains($"# node {node.Uuid}", r.BodyText, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AnOwnerKilledWithSigkill_HasItsNodesServedByTheSurvivors_AfterTheHeartbeatTimeout(string kind)
    {
        await using var cluster = await StartAsync(kind, 3);
        var nodes = await AddNodesAsync(cluster, 24);
        var victim = cluster.Servers[^1];
        var survivors = cluster.Servers.Take(2).ToList();
        var ring = await RingAsync(cluster);
        var orphans = nodes.Where(n => ring.GetOwner(n.Node)!.Name == victim.Name).ToList();
        Assert.NotEmpty(orphans);
        // Forwarding works while all three run: every server answers for every node.
        foreach (var server in cluster.Servers)
        {
            foreach (var (node, mac) in nodes)
            {
                var r = await RawHttp.SendAsync(server.Uri!, $"/v1/boot/{mac}/boot.ipxe");
                Assert.Equal(200, r.Status);
                Assert.Contains($"# node {node.Uuid}", r.BodyText, StringComparison.Ordinal);
            }
        }

        await SignalAsync(victim, "KILL");
        Assert.Equal(128 + 9, await victim.Exited.WaitAsync(TimeSpan.FromSeconds(10)));
        var killed = Stopwatch.StartNew();
        var lastHeartbeat = await LastHeartbeatAsync(cluster, victim);

        // Still on the ring, unreachable: the survivor says 503 + Retry-After at once (connection refused), and never serves the node itself.
        var sentAt = DateTimeOffset.UtcNow;
        Assert.True(sentAt - lastHeartbeat < HeartbeatTimeout, $"the first request came {sentAt - lastHeartbeat} after the last heartbeat, too late to see the window before the timeout");
        var early = Stopwatch.StartNew();
        var first = await RawHttp.SendAsync(survivors[0].Uri!, $"/v1/boot/{orphans[0].Mac}/boot.ipxe");
        Assert.True(early.Elapsed < ForwardTimeout + TimeSpan.FromSeconds(2), $"a request for the killed owner's node took {early.Elapsed}");
        Assert.Equal(503, first.Status);
        Assert.NotNull(first.Header("Retry-After"));

        await WaitUntilServedAsync(survivors, orphans, nodes, killed);
        var movedAfter = DateTimeOffset.UtcNow - lastHeartbeat;
        Assert.True(movedAfter >= HeartbeatTimeout, $"the nodes moved {movedAfter} after the last heartbeat, before the heartbeat timeout");
        // The survivors' own nodes stayed where they were: only the orphans changed owner.
        var after = ConductorRing.Build((await cluster.Store.ListConductorsAsync(CancellationToken.None)).Where(c => c.ConductorGroup == cluster.Group && c.Name != victim.Name), DateTimeOffset.UtcNow, TimeSpan.MaxValue);
        Assert.All(nodes.Except(orphans), n => Assert.Equal(ring.GetOwner(n.Node)!.Name, after.GetOwner(n.Node)!.Name));
    }

    [Fact]
    public async Task AnOwnerThatAcceptsButNeverAnswers_CostsAClientNoMoreThanTheForwardTimeout_AndLosesItsNodes()
    {
        await using var cluster = await StartAsync("sqlite", 3);
        var nodes = await AddNodesAsync(cluster, 24);
        var victim = cluster.Servers[^1];
        var survivors = cluster.Servers.Take(2).ToList();
        var ring = await RingAsync(cluster);
        var orphans = nodes.Where(n => ring.GetOwner(n.Node)!.Name == victim.Name).ToList();
        Assert.NotEmpty(orphans);

        await SignalAsync(victim, "STOP");
        var stopped = Stopwatch.StartNew();
        var lastHeartbeat = await LastHeartbeatAsync(cluster, victim);
        // Frozen, not gone: the kernel still completes connections to its port.
        using (var probe = new TcpClient())
        {
            await probe.ConnectAsync(victim.Uri!.Host, victim.Uri.Port).WaitAsync(TimeSpan.FromSeconds(2));
            Assert.True(probe.Connected);
        }

        foreach (var survivor in survivors)
        {
            var sentAt = DateTimeOffset.UtcNow;
            Assert.True(sentAt - lastHeartbeat < HeartbeatTimeout - ForwardTimeout, $"the request came {sentAt - lastHeartbeat} after the last heartbeat, too late to see the window before the timeout");
            var watch = Stopwatch.StartNew();
            var answer = await RawHttp.SendAsync(survivor.Uri!, $"/v1/boot/{orphans[0].Mac}/boot.ipxe");
            watch.Stop();
            Assert.Equal(503, answer.Status);
            Assert.NotNull(answer.Header("Retry-After"));
            // It waited for the owner as long as the forward timeout, and not much longer.
            Assert.True(watch.Elapsed >= ForwardTimeout - TimeSpan.FromMilliseconds(100), $"the survivor gave up after {watch.Elapsed}, before the forward timeout: the owner was not asked");
            Assert.True(watch.Elapsed < ForwardTimeout + TimeSpan.FromSeconds(2), $"a request for the frozen owner's node took {watch.Elapsed} (forward timeout {ForwardTimeout})");
        }

        await WaitUntilServedAsync(survivors, orphans, nodes, stopped);
        Assert.True(DateTimeOffset.UtcNow - lastHeartbeat >= HeartbeatTimeout, "the frozen owner's nodes moved before its heartbeat timed out");
        Assert.False(victim.HasExited, "the frozen owner exited; the test meant it to hang");
    }
}
