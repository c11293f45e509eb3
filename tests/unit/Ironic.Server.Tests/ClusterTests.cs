using System.Diagnostics;
using Ironic.Core.Configuration;
using Ironic.Core.Inventory;

namespace Ironic.Server.Tests;

/// <summary>
/// Several boot servers sharing one inventory (SQLite file or PostgreSQL): any of them answers
/// for any node, forwarding to the owner; a server that dies loses its nodes to the others
/// once its heartbeat is stale. Each test uses its own conductor group, so tests sharing the
/// PostgreSQL database never see each other's conductors.
/// </summary>
public sealed class ClusterTests
{
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromMilliseconds(2500);
    private static readonly TimeSpan ForwardTimeout = TimeSpan.FromSeconds(1);

    private sealed class Cluster(string group, List<IInventoryStore> stores, List<BootServer> servers) : IAsyncDisposable
    {
        public string Group => group;
        public List<BootServer> Servers => servers;
        public IInventoryStore Store => stores[0];

        public async ValueTask DisposeAsync()
        {
            foreach (var s in servers) await s.DisposeAsync();
            foreach (var s in stores) await s.DisposeAsync();
        }
    }

    /// <param name="config">ironic.conf text read over each server's options, as `ironic serve --config` reads it.</param>
    private static async Task<Cluster> StartAsync(string kind, int count, string? config = null)
    {
        var location = TestInventory.Location(kind);
        var group = "g" + Guid.NewGuid().ToString("N")[..10];
        var stores = new List<IInventoryStore>();
        var servers = new List<BootServer>();
        for (var i = 0; i < count; i++)
        {
            // Each server opens the inventory itself, as separate processes would.
            var store = InventoryStores.Open(location);
            await store.MigrateAsync(CancellationToken.None);
            stores.Add(store);
            var options = new BootServerOptions
            {
                Listen = "127.0.0.1:0",
                Name = $"{group}-c{i}",
                ConductorGroup = group,
                SharedSecret = "cluster-test-secret",
                HeartbeatInterval = HeartbeatInterval,
                HeartbeatTimeout = HeartbeatTimeout,
                ForwardTimeout = ForwardTimeout,
            };
            if (config is not null) options = IronicConfigFile.Apply(IronicConf.FromText(config, "test.conf", Path.GetTempPath()), options);
            var server = BootServer.Create(options, _ => { }, store);
            await server.StartAsync(CancellationToken.None);
            servers.Add(server);
        }
        var deadline = Stopwatch.StartNew();
        while (servers.Any(s => s.Ring!.LiveConductors.Count(c => c.ConductorGroup == group) != count))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "the servers did not see each other within 10 s");
            await Task.Delay(50);
        }
        return new Cluster(group, stores, servers);
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

    [Theory]
    [InlineData("sqlite", 2)]
    [InlineData("sqlite", 3)]
    [InlineData("postgres", 2)]
    [InlineData("postgres", 3)]
    public async Task AnyServer_AnswersForAnyNode_ByForwardingToTheOwner(string kind, int count)
    {
        await using var cluster = await StartAsync(kind, count);
        var nodes = await AddNodesAsync(cluster, 24);
        var forwarded = 0;
        foreach (var (node, mac) in nodes)
        {
            var owner = cluster.Servers[0].Ring!.GetOwner(node)!.Name;
            foreach (var server in cluster.Servers)
            {
                if (server.Options.Name != owner) forwarded++;
                var response = await RawHttp.SendAsync(server.Address!, $"/v1/boot/{mac.Replace(':', '-')}/boot.ipxe");
                Assert.Equal(200, response.Status);
                Assert.Contains($"# node {node.Uuid}", response.BodyText, StringComparison.Ordinal);
                Assert.Null(response.Header("Location"));
            }
        }
        Assert.True(forwarded >= nodes.Count, "the ring gave every node to the first server; nothing was forwarded");
        // Every server holds a share of the nodes.
        Assert.Equal(count, nodes.Select(n => cluster.Servers[0].Ring!.GetOwner(n.Node)!.Name).Distinct().Count());
    }

    [Theory]
    [InlineData("sqlite", 2)]
    [InlineData("sqlite", 3)]
    [InlineData("postgres", 2)]
    [InlineData("postgres", 3)]
    public async Task AServerThatDies_LosesItsNodesToTheOthers_AfterTheHeartbeatTimeout(string kind, int count)
    {
        await using var cluster = await StartAsync(kind, count);
        var nodes = await AddNodesAsync(cluster, 24);
        var victim = cluster.Servers[^1];
        var orphans = nodes.Where(n => cluster.Servers[0].Ring!.GetOwner(n.Node)!.Name == victim.Options.Name).ToList();
        Assert.NotEmpty(orphans);
        var survivors = cluster.Servers.Take(count - 1).ToList();

        await victim.CrashAsync();
        var crashedAt = Stopwatch.StartNew();
        var lastHeartbeat = (await cluster.Store.ListConductorsAsync(CancellationToken.None)).Single(c => c.Name == victim.Options.Name).HeartbeatAt;

        // Before the timeout the dead owner is still on every ring: the survivors cannot reach it and
        // must say so at once (503 + Retry-After), never hang and never serve the node themselves.
        var sentAt = DateTimeOffset.UtcNow;
        Assert.True(sentAt - lastHeartbeat < HeartbeatTimeout, $"the test reached its first request {sentAt - lastHeartbeat} after the last heartbeat, too late to see the window before the timeout");
        var early = Stopwatch.StartNew();
        var first = await RawHttp.SendAsync(survivors[0].Address!, $"/v1/boot/{orphans[0].Mac}/boot.ipxe");
        Assert.True(early.Elapsed < ForwardTimeout + TimeSpan.FromSeconds(4), $"a request for a dead owner's node took {early.Elapsed}");
        Assert.Equal(503, first.Status);
        Assert.Equal("1", first.Header("Retry-After"));
        Assert.Equal("Service Unavailable\n", first.BodyText);

        // After the timeout: every orphan is served by every survivor, and nobody names the dead one as owner.
        var served = false;
        while (!served)
        {
            Assert.True(crashedAt.Elapsed < HeartbeatTimeout + TimeSpan.FromSeconds(10), "the dead server's nodes were not taken over");
            await Task.Delay(200);
            served = true;
            foreach (var server in survivors)
            {
                foreach (var (node, mac) in orphans)
                {
                    var watch = Stopwatch.StartNew();
                    var r = await RawHttp.SendAsync(server.Address!, $"/v1/boot/{mac}/boot.ipxe");
                    Assert.True(watch.Elapsed < ForwardTimeout + TimeSpan.FromSeconds(4), $"a request took {watch.Elapsed}");
                    served &= r.Status == 200 && r.BodyText.Contains(node.Uuid.ToString(), StringComparison.Ordinal);
                }
            }
        }
        // Measured from the dead server's last heartbeat in the store (it may predate the crash by an interval).
        var movedAfter = DateTimeOffset.UtcNow - lastHeartbeat;
        Assert.True(movedAfter >= HeartbeatTimeout, $"the nodes moved {movedAfter} after the last heartbeat, before the heartbeat timeout");
        Assert.All(survivors, s => Assert.DoesNotContain(s.Ring!.LiveConductors, c => c.Name == victim.Options.Name));
        Assert.All(orphans, o => Assert.NotEqual(victim.Options.Name, survivors[0].Ring!.GetOwner(o.Node)!.Name));
        // Nodes of the survivors did not move.
        var kept = nodes.Except(orphans).ToList();
        Assert.All(kept, k => Assert.NotEqual(victim.Options.Name, survivors[0].Ring!.GetOwner(k.Node)!.Name));
    }

    [Fact]
    public async Task HashPartitionExponent_FromIronicConf_GivesTheOwnersToozGivesWithThatExponent()
    {
        await using var cluster = await StartAsync("sqlite", 3, "[DEFAULT]\nhash_partition_exponent = 3\n");
        var nodes = await AddNodesAsync(cluster, 60);
        var hosts = cluster.Servers.Select(s => s.Options.Name).ToArray();
        var tooz = await Ironic.Core.Tests.Boot.Tooz.OwnersAsync([(hosts, 3), (hosts, 5)], nodes.Select(n => n.Node.Uuid.ToString("D")).ToArray());
        var (exponent3, exponent5) = (tooz[0], tooz[1]);
        // The exponent matters for these nodes: with Ironic's default of 5 some would have other owners.
        Assert.Contains(nodes, n => exponent3[n.Node.Uuid.ToString("D")] != exponent5[n.Node.Uuid.ToString("D")]);

        foreach (var server in cluster.Servers)
        {
            Assert.Equal(3, server.Ring!.PartitionExponent);
            Assert.Equal(3 * 8, server.Ring.RingFor(cluster.Group)!.PointCount);
            Assert.All(nodes, n => Assert.Equal(exponent3[n.Node.Uuid.ToString("D")], server.Ring.GetOwner(n.Node)!.Name));
        }
        // And the owner tooz names is the server that renders the node's script, whoever is asked.
        foreach (var (node, mac) in nodes)
        {
            var response = await RawHttp.SendAsync(cluster.Servers[0].Address!, $"/v1/boot/{mac}/boot.ipxe");
            Assert.Equal(200, response.Status);
            var owner = cluster.Servers.Single(s => s.Options.Name == exponent3[node.Uuid.ToString("D")]);
            Assert.Equal(owner.Options.Name, owner.Activity.Get(node.Uuid, node.Name).LastBootConfig?.ServedBy);
            Assert.All(cluster.Servers.Where(s => s != owner), s => Assert.Null(s.Activity.Get(node.Uuid, node.Name).LastBootConfig));
        }
    }

    [Fact]
    public async Task AServerThatStops_LeavesTheRingAtOnce()
    {
        await using var cluster = await StartAsync("sqlite", 2);
        await cluster.Servers[1].StopAsync(CancellationToken.None);
        var watch = Stopwatch.StartNew();
        while (cluster.Servers[0].Ring!.LiveConductors.Count(c => c.ConductorGroup == cluster.Group) != 1)
        {
            Assert.True(watch.Elapsed < HeartbeatTimeout, "a cleanly stopped server stayed in the ring until the timeout");
            await Task.Delay(20);
        }
    }

    [Theory]
    [InlineData("Retry-After: 7\r\n", "7")]
    [InlineData("", "1")]
    public async Task AnOwnerThatShedsLoad_HasIts503AndRetryAfter_RelayedToTheClient(string ownerRetryAfter, string relayed)
    {
        await using var cluster = await StartAsync("sqlite", 1);
        var front = cluster.Servers[0];
        // The owner is a plain socket server that answers every request as an overloaded boot server does.
        await using var owner = new SheddingOwner(ownerRetryAfter);
        using var beating = new CancellationTokenSource();
        var ownerName = cluster.Group + "-shedding";
        var heartbeats = Task.Run(async () =>
        {
            while (!beating.IsCancellationRequested)
            {
                await cluster.Store.HeartbeatAsync(new Conductor(ownerName, owner.Address, DateTimeOffset.UtcNow) { ConductorGroup = cluster.Group }, CancellationToken.None);
                try { await Task.Delay(HeartbeatInterval, beating.Token); } catch (OperationCanceledException) { }
            }
        });
        try
        {
            var watch = Stopwatch.StartNew();
            while (front.Ring!.LiveConductors.Count(c => c.ConductorGroup == cluster.Group) != 2)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "the front server did not see the shedding owner join");
                await Task.Delay(50);
            }
            var nodes = await AddNodesAsync(cluster, 16);
            var (node, mac) = nodes.First(n => front.Ring!.GetOwner(n.Node)!.Name == ownerName);

            var response = await RawHttp.SendAsync(front.Address!, $"/v1/boot/{mac}/boot.ipxe");

            Assert.Equal(503, response.Status);
            Assert.Equal(relayed, response.Header("Retry-After"));
            Assert.Equal("Service Unavailable\n", response.BodyText);
            // It really went to the owner, over the internal route, with the secret.
            var asked = Assert.Single(owner.Requests);
            Assert.StartsWith($"GET /internal/v1/boot/{mac}/boot.ipxe HTTP/1.1", Uri.UnescapeDataString(asked), StringComparison.OrdinalIgnoreCase);
            Assert.Contains("X-Ironic-Boot-Secret: cluster-test-secret", asked, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(node.Uuid.ToString(), response.BodyText, StringComparison.Ordinal);
        }
        finally
        {
            await beating.CancelAsync();
            await heartbeats;
        }
    }

    /// <summary>A conductor's internal URL that answers every request 503 (with an optional Retry-After) and records what it was asked.</summary>
    private sealed class SheddingOwner : IAsyncDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);
        private readonly Task _loop;
        private readonly string _retryAfter;

        public SheddingOwner(string retryAfterHeader)
        {
            _retryAfter = retryAfterHeader;
            _listener.Start();
            Address = new Uri($"http://127.0.0.1:{((System.Net.IPEndPoint)_listener.LocalEndpoint).Port}/");
            _loop = Task.Run(LoopAsync);
        }

        public Uri Address { get; }
        public System.Collections.Concurrent.ConcurrentQueue<string> Requests { get; } = new();

        private async Task LoopAsync()
        {
            while (true)
            {
                System.Net.Sockets.TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(); }
                catch (Exception e) when (e is ObjectDisposedException or System.Net.Sockets.SocketException) { return; }
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        var stream = client.GetStream();
                        var head = new System.Text.StringBuilder();
                        var buffer = new byte[4096];
                        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            var n = await stream.ReadAsync(buffer);
                            if (n == 0) return;
                            head.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
                        }
                        Requests.Enqueue(head.ToString());
                        var body = "busy, come back later\n";
                        var answer = $"HTTP/1.1 503 Service Unavailable\r\n{_retryAfter}Content-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
                        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(answer));
                    }
                });
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _loop;
        }
    }

    [Fact]
    public async Task InternalRoute_RefusesAWrongSecret_WithThePlain404()
    {
        await using var cluster = await StartAsync("sqlite", 1);
        var (_, mac) = (await AddNodesAsync(cluster, 1))[0];
        var server = cluster.Servers[0];

        var wrong = await RawHttp.SendAsync(server.Address!, $"/internal/v1/boot/{mac}/boot.ipxe", extraHeaders: "X-Ironic-Boot-Secret: guess\r\n");
        var right = await RawHttp.SendAsync(server.Address!, $"/internal/v1/boot/{mac}/boot.ipxe", extraHeaders: "X-Ironic-Boot-Secret: cluster-test-secret\r\n");

        Assert.Equal(404, wrong.Status);
        Assert.Equal("Not Found\n", wrong.BodyText);
        Assert.Equal(200, right.Status);
    }
}
