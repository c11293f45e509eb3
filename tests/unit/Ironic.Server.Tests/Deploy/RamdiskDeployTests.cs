using System.Net;
using System.Security.Cryptography;
using System.Text;
using Ironic.Core.Boot;
using Ironic.Core.Deploy;
using Ironic.Core.Hardware;
using Ironic.Core.Inventory;
using Ironic.Core.Tests.Deploy;

namespace Ironic.Server.Tests.Deploy;

public sealed class RamdiskDeployTests : IAsyncLifetime
{
    private DeployHarness _h = null!;

    public async Task InitializeAsync() => _h = await DeployHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.ASCII.GetBytes(needle)) >= 0;

    [Fact]
    public async Task VirtualMedia_GoesActive_PublishesTheNodesOverlay_AndDrivesTheBmcInOrder()
    {
        var baseUrl = _h.ServeBaseIso();
        var node = await _h.AddNodeAsync("vm-1");
        var request = new DeployRequest { BootIso = baseUrl, KernelParameters = ["ipa-debug=1", "console=ttyS0"] };

        var after = await _h.Deploy.DeployAsync("vm-1", request, null, CancellationToken.None);

        Assert.Equal(ProvisionStates.Active, after.ProvisionState);
        Assert.Null(after.TargetProvisionState);
        Assert.Null(after.LastError);
        var stored = await _h.Store.GetNodeAsync("vm-1", CancellationToken.None);
        Assert.Null(stored!.Reservation);
        Assert.Equal(baseUrl.ToString(), stored.InstanceInfo["boot_iso"]);

        var url = new Uri(_h.Server.Address!, $"/v1/images/{node.Uuid:D}/boot.iso");
        var calls = _h.Fake(node).Calls.Where(c => c.Operation != "GetPowerState").Select(c => $"{c.Operation} {c.Argument}".Trim()).ToList();
        Assert.Equal(["SetPowerState ForceOff", "EjectVirtualMedia", $"InsertVirtualMedia {url}", "SetBootDevice Cd once", "SetPowerState On"], calls);

        using var http = new HttpClient();
        var served = await http.GetByteArrayAsync(url);
        Assert.Equal(await _h.ComposedIsoAsync(node.Uuid), served);
        Assert.True(Contains(served, "ipa-debug=1"));
        Assert.True(Contains(served, "ironic_node=vm-1"));
        Assert.False(File.ReadAllBytes(DeployHarness.BaseIso).AsSpan().SequenceEqual(served), "the node's ISO must differ from the base");

        // The BMC's way: HEAD, then a Range GET.
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        Assert.Equal(served.Length, head.Content.Headers.ContentLength);
        using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, url);
        rangeRequest.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(32768, 32768 + 2047);
        using var range = await http.SendAsync(rangeRequest);
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal(served.AsSpan(32768, 2048).ToArray(), await range.Content.ReadAsByteArrayAsync());

        Assert.Equal(DeployHarness.BaseSha256, _h.Cache.References()[node.Uuid.ToString("D")]);
        var delta = await _h.Store.GetArtifactAsync(node.Uuid, NodeIsoArtifacts.DeltaArtifact, CancellationToken.None);
        Assert.InRange(delta!.Length, 1, 64 * 1024);
    }

    [Fact]
    public async Task Undeploy_PowersOffEjectsDropsTheOverlay_AndMakesTheNodeAvailable()
    {
        var node = await _h.AddNodeAsync("vm-2");
        await _h.Deploy.DeployAsync("vm-2", new DeployRequest { BootIso = _h.ServeBaseIso() }, null, CancellationToken.None);
        var url = new Uri(_h.Server.Address!, $"/v1/images/{node.Uuid:D}/boot.iso");

        var after = await _h.Deploy.UndeployAsync("vm-2", null, CancellationToken.None);

        Assert.Equal(ProvisionStates.Available, after.ProvisionState);
        Assert.Empty(after.InstanceInfo);
        Assert.Null((await _h.Store.GetNodeAsync("vm-2", CancellationToken.None))!.Reservation);
        var fake = _h.Fake(node);
        Assert.Null(fake.InsertedImage);
        Assert.Equal(HardwarePowerState.Off, fake.PowerState);
        Assert.Null(await _h.Store.GetArtifactAsync(node.Uuid, NodeIsoArtifacts.DeltaArtifact, CancellationToken.None));
        Assert.False(_h.Cache.References().ContainsKey(node.Uuid.ToString("D")));
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task Ipxe_WaitsForTheCallBack_AndGoesActiveWhenTheNodeFetchesItsScript()
    {
        const string mac = "52:54:00:aa:bb:01";
        var node = await _h.AddNodeAsync("px-1", mac: mac);
        var request = new DeployRequest { Kernel = new Uri("http://images.test/vmlinuz"), Ramdisk = new Uri("http://images.test/initrd.img"), KernelParameters = ["ipa-debug=1"] };

        var after = await _h.Deploy.DeployAsync("px-1", request, null, CancellationToken.None);

        Assert.Equal(ProvisionStates.WaitCallback, after.ProvisionState);
        Assert.Equal(ProvisionStates.Active, after.TargetProvisionState);
        Assert.Null(after.Reservation);
        Assert.Contains(_h.Fake(node).Calls, c => c is { Operation: "SetBootDevice", Argument: "Pxe once" });

        using var http = new HttpClient();
        var script = await http.GetStringAsync(new Uri(_h.Server.Address!, "/v1/boot/52-54-00-AA-BB-01/boot.ipxe"));
        Assert.Contains("kernel --name vmlinuz http://images.test/vmlinuz", script, StringComparison.Ordinal);
        Assert.Contains("ironic_node=px-1 ipa-debug=1", script, StringComparison.Ordinal);

        var active = await _h.Deploy.WaitAsync("px-1", TimeSpan.FromSeconds(20), CancellationToken.None);
        Assert.Equal(ProvisionStates.Active, active.ProvisionState);
        Assert.Null(active.Reservation);
        // Once active, the boot API hands the node nothing more (restrict_boot_config), after the
        // boot server's short lookup cache (BootCacheTtl, 2 s) has let go of the waiting node.
        var status = HttpStatusCode.OK;
        for (var i = 0; i < 50 && status != HttpStatusCode.NotFound; i++)
        {
            await Task.Delay(200);
            status = (await http.GetAsync(new Uri(_h.Server.Address!, "/v1/boot/52-54-00-AA-BB-01/boot.ipxe"))).StatusCode;
        }
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(ProvisionStates.Active, (await _h.Store.GetNodeAsync("px-1", CancellationToken.None))!.ProvisionState);
    }

    [Fact]
    public async Task BootScriptFetch_LeavesNodesThatNoDeployIsWaitingFor_AsTheyAre()
    {
        const string mac = "52:54:00:aa:bb:02";
        var node = await _h.Store.CreateNodeAsync(new Node
        {
            Name = "fast-track",
            ProvisionState = ProvisionStates.WaitCallback,
            InstanceInfo = new Dictionary<string, string> { ["kernel"] = "http://k", ["ramdisk"] = "http://r" },
        }, CancellationToken.None);
        await _h.Store.CreatePortAsync(new Port(mac, node.Uuid), CancellationToken.None);
        using var http = new HttpClient();

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(_h.Server.Address!, "/v1/boot/525400aabb02/boot.ipxe"))).StatusCode);
        }
        await _h.Server.CallbacksDone();

        Assert.Equal(ProvisionStates.WaitCallback, (await _h.Store.GetNodeAsync("fast-track", CancellationToken.None))!.ProvisionState);
    }

    /// <summary>
    /// A second deploy asked for while the first runs is refused: usually it finds the node
    /// deploying (InvalidState); on a slow machine it may get there before the first saved that and
    /// lose the reservation instead (NodeLocked). The race itself is pinned by
    /// <see cref="TwoDeploysThatBothSeeAvailable_RaceOnTheReservation_ExactlyOneWins"/>.
    /// </summary>
    [Fact]
    public async Task ASecondDeployWhileTheFirstRuns_IsRefused_AndTheFirstFinishes()
    {
        await _h.AddNodeAsync("vm-4");
        var url = _h.ServeBaseIso("slow.iso", new FileBehaviour { Delay = TimeSpan.FromMilliseconds(500) });

        var first = _h.Deploy.DeployAsync("vm-4", new DeployRequest { BootIso = url }, null, CancellationToken.None);
        // The second comes once the first holds the node (its download then takes 500 ms more).
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await _h.Store.GetNodeAsync("vm-4", CancellationToken.None))!.Reservation is null && !first.IsCompleted && DateTime.UtcNow < deadline) await Task.Delay(10);
        var second = await Assert.ThrowsAsync<DeployException>(() => _h.Deploy.DeployAsync("vm-4", new DeployRequest { BootIso = url }, null, CancellationToken.None));
        var done = await first;

        Assert.True(second.Failure is DeployFailure.NodeLocked or DeployFailure.InvalidState, second.Message);
        Assert.Contains("vm-4", second.Message, StringComparison.Ordinal);
        Assert.Equal(ProvisionStates.Active, done.ProvisionState);
        Assert.Null((await _h.Store.GetNodeAsync("vm-4", CancellationToken.None))!.Reservation);
    }

    /// <summary>
    /// Two conductors deploy one node at the same moment: both read it as available (the store
    /// holds each TryReserve back until both have got there), then race on the reservation. The
    /// database lets exactly one win; the other fails before touching the node, naming the winner.
    /// </summary>
    [Fact]
    public async Task TwoDeploysThatBothSeeAvailable_RaceOnTheReservation_ExactlyOneWins()
    {
        var node = await _h.AddNodeAsync("race-1");
        var url = _h.ServeBaseIso("race.iso", new FileBehaviour { Delay = TimeSpan.FromMilliseconds(500) });
        var arrived = 0;
        var bothArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seenAvailable = new System.Collections.Concurrent.ConcurrentBag<string>();
        var gated = ReservationGate.Wrap(_h.Store, async (holder, uuid) =>
        {
            seenAvailable.Add($"{holder}:{(await _h.Store.GetNodeAsync(uuid.ToString("D"), CancellationToken.None))!.ProvisionState}");
            if (Interlocked.Increment(ref arrived) == 2) bothArrived.SetResult();
            await bothArrived.Task.WaitAsync(TimeSpan.FromSeconds(20));
        });
        RamdiskDeploy For(string conductor) => new(gated, _h.Cache, _h.Hardware, new RamdiskDeployOptions { Conductor = conductor });
        var contenders = new[] { ("c-a", "from=a"), ("c-b", "from=b") };

        var runs = contenders.Select(c => Task.Run(() => For(c.Item1).DeployAsync("race-1", new DeployRequest { BootIso = url, KernelParameters = [c.Item2] }, null, CancellationToken.None))).ToList();
        var outcomes = await Task.WhenAll(runs.Select(async r => { try { return (Node: await r, Error: (DeployException?)null); } catch (DeployException e) { return (Node: (Node?)null, Error: e); } }));

        Assert.Equal(["c-a:available", "c-b:available"], seenAvailable.Order(StringComparer.Ordinal));
        var won = Assert.Single(outcomes, o => o.Error is null);
        var lost = Assert.Single(outcomes, o => o.Error is not null);
        var winner = contenders[Array.IndexOf(outcomes, won)];
        Assert.Equal(DeployFailure.NodeLocked, lost.Error!.Failure);
        Assert.Contains($"Node race-1 is reserved by {winner.Item1}", lost.Error.Message, StringComparison.Ordinal);
        var stored = (await _h.Store.GetNodeAsync("race-1", CancellationToken.None))!;
        Assert.Equal(ProvisionStates.Active, stored.ProvisionState);
        Assert.Null(stored.Reservation);
        Assert.Equal(winner.Item2, stored.InstanceInfo["ramdisk_kernel_arguments"]);
        Assert.Single(_h.Fake(node).Calls, c => c.Operation == "InsertVirtualMedia");
    }

    [Fact]
    public async Task ChecksumMismatch_EndsInDeployFailed_WithTheReason_AndNoCacheEntry()
    {
        var node = await _h.AddNodeAsync("vm-5");
        var wrong = ImageChecksum.Parse("sha256:" + new string('0', 64));

        var e = await Assert.ThrowsAsync<DeployException>(() => _h.Deploy.DeployAsync("vm-5", new DeployRequest { BootIso = _h.ServeBaseIso(), Checksum = wrong }, null, CancellationToken.None));

        Assert.Equal(DeployFailure.Failed, e.Failure);
        var stored = await _h.Store.GetNodeAsync("vm-5", CancellationToken.None);
        Assert.Equal(ProvisionStates.DeployFailed, stored!.ProvisionState);
        Assert.Contains("not " + new string('0', 64), stored.LastError, StringComparison.Ordinal);
        Assert.Contains(DeployHarness.BaseSha256, stored.LastError, StringComparison.Ordinal);
        Assert.Null(stored.Reservation);
        Assert.Empty(_h.Cache.Images());
        Assert.Empty(Directory.GetFiles(Path.Combine(_h.Root, "cache", "tmp")));
        Assert.Empty(_h.Fake(node).Calls);
    }

    [Fact]
    public async Task MissingImage_EndsInDeployFailed_Saying404()
    {
        await _h.AddNodeAsync("vm-6");

        await Assert.ThrowsAsync<DeployException>(() => _h.Deploy.DeployAsync("vm-6", new DeployRequest { BootIso = new Uri(_h.Files.BaseAddress, "nope.iso") }, null, CancellationToken.None));

        var stored = await _h.Store.GetNodeAsync("vm-6", CancellationToken.None);
        Assert.Equal(ProvisionStates.DeployFailed, stored!.ProvisionState);
        Assert.Contains("404", stored.LastError, StringComparison.Ordinal);
        Assert.Null(stored.Reservation);
    }

    [Fact]
    public async Task DownloadCutInHalf_IsResumed_AndTheDeploySucceeds()
    {
        var length = new FileInfo(DeployHarness.BaseIso).Length;
        var url = _h.ServeBaseIso("cut.iso", new FileBehaviour { CutRequest = n => n == 1, CutAfterBytes = length / 2 });
        await _h.AddNodeAsync("vm-7");

        var after = await _h.Deploy.DeployAsync("vm-7", new DeployRequest { BootIso = url, Checksum = ImageChecksum.Parse(DeployHarness.BaseSha256) }, null, CancellationToken.None);

        Assert.Equal(ProvisionStates.Active, after.ProvisionState);
        Assert.Equal(2, _h.Files.Requests("cut.iso"));
        Assert.Equal(DeployHarness.BaseSha256, Assert.Single(_h.Cache.Images()).Sha256);
    }

    [Fact]
    public async Task DownloadCutEveryTime_EndsInDeployFailed_WithAShortRead_AndNoPartialEntry()
    {
        var url = _h.ServeBaseIso("cut-always.iso", new FileBehaviour { CutRequest = _ => true, CutAfterBytes = 1_000_000 });
        await _h.AddNodeAsync("vm-8");

        await Assert.ThrowsAsync<DeployException>(() => _h.Deploy.DeployAsync("vm-8", new DeployRequest { BootIso = url }, null, CancellationToken.None));

        var stored = await _h.Store.GetNodeAsync("vm-8", CancellationToken.None);
        Assert.Equal(ProvisionStates.DeployFailed, stored!.ProvisionState);
        // The cut lands at or before byte 1000000 (what was flushed before the abort reached the client).
        Assert.Matches(@"stopped at \d+ of \d+ bytes \(Content-Length\)", stored.LastError);
        Assert.Null(stored.Reservation);
        Assert.Empty(_h.Cache.Images());
        Assert.Empty(Directory.GetFiles(Path.Combine(_h.Root, "cache", "tmp")));
    }

    [Fact]
    public async Task HardwareFailure_EndsInDeployFailed_ReleasesTheReservation_AndUnpublishes()
    {
        var factory = DeployHardware.CreateFactory();
        factory.Register("broken", _ => new FailingHardware());
        await using var h = await DeployHarness.StartAsync(factory);
        var node = await h.AddNodeAsync("bad-1", driver: "broken");

        var e = await Assert.ThrowsAsync<DeployException>(() => h.Deploy.DeployAsync("bad-1", new DeployRequest { BootIso = h.ServeBaseIso() }, null, CancellationToken.None));

        Assert.Contains("InsertMedia refused", e.Message, StringComparison.Ordinal);
        var stored = await h.Store.GetNodeAsync("bad-1", CancellationToken.None);
        Assert.Equal(ProvisionStates.DeployFailed, stored!.ProvisionState);
        Assert.Contains("InsertMedia refused", stored.LastError, StringComparison.Ordinal);
        Assert.Null(stored.Reservation);
        Assert.Null(await h.Store.GetArtifactAsync(node.Uuid, NodeIsoArtifacts.DeltaArtifact, CancellationToken.None));
        // The base stays cached (other nodes may use it) but no longer referenced: evictable.
        Assert.Single(h.Cache.Images());
        Assert.Empty(h.Cache.References());

        // A failed deploy can be retried; undeploy from deploy failed works too.
        var undone = await h.Deploy.UndeployAsync("bad-1", null, CancellationToken.None);
        Assert.Equal(ProvisionStates.Available, undone.ProvisionState);
    }

    [Fact]
    public async Task Deploy_RefusesBadRequestsAndStates_WithoutTouchingTheNode()
    {
        await _h.AddNodeAsync("vm-9");
        var both = new DeployRequest { BootIso = new Uri("http://x/a.iso"), Kernel = new Uri("http://x/k") };
        var e1 = await Assert.ThrowsAsync<ArgumentException>(() => _h.Deploy.DeployAsync("vm-9", both, null, CancellationToken.None));
        Assert.Contains("not both", e1.Message, StringComparison.Ordinal);

        var e2 = await Assert.ThrowsAsync<DeployException>(() => _h.Deploy.UndeployAsync("vm-9", null, CancellationToken.None));
        Assert.Equal(DeployFailure.InvalidState, e2.Failure);

        await Assert.ThrowsAsync<NodeNotFoundException>(() => _h.Deploy.DeployAsync("ghost", new DeployRequest { BootIso = new Uri("http://x/a.iso") }, null, CancellationToken.None));
        var stored = await _h.Store.GetNodeAsync("vm-9", CancellationToken.None);
        Assert.Equal(ProvisionStates.Available, stored!.ProvisionState);
        Assert.Null(stored.Reservation);
    }

    [Fact]
    public async Task Deploy_WithoutAnyBootServer_FailsSayingHowToStartOne()
    {
        await using var lone = InventoryStores.Open(StoreLocation.Sqlite(Path.Combine(_h.Root, "lone.db")));
        await lone.MigrateAsync(CancellationToken.None);
        await lone.CreateNodeAsync(new Node { Name = "lonely" }, CancellationToken.None);
        var deploy = new RamdiskDeploy(lone, _h.Cache, DeployHardware.CreateFactory(), new RamdiskDeployOptions { Conductor = RamdiskDeployOptions.ProcessHolder() });

        await Assert.ThrowsAsync<DeployException>(() => deploy.DeployAsync("lonely", new DeployRequest { BootIso = _h.ServeBaseIso() }, null, CancellationToken.None));

        var stored = await lone.GetNodeAsync("lonely", CancellationToken.None);
        Assert.Equal(ProvisionStates.DeployFailed, stored!.ProvisionState);
        Assert.Contains("ironic serve", stored.LastError, StringComparison.Ordinal);
        Assert.Null(stored.Reservation);
    }

    [Fact]
    public async Task Recovery_FailsDeploysOfDeadHolders_AndReleasesEveryStaleReservation()
    {
        var store = _h.Store;
        var own = await _h.AddNodeAsync("rec-own");
        var dead = await _h.AddNodeAsync("rec-dead");
        var gone = await _h.AddNodeAsync("rec-process");
        var live = await _h.AddNodeAsync("rec-live");
        await store.HeartbeatAsync(new Conductor("c-live", new Uri("http://127.0.0.1:9"), DateTimeOffset.UtcNow), CancellationToken.None);
        await store.HeartbeatAsync(new Conductor("c-dead", new Uri("http://127.0.0.1:9"), DateTimeOffset.UtcNow.AddHours(-1)), CancellationToken.None);
        async Task Hold(Node n, string holder, string state)
        {
            Assert.True(await store.TryReserveAsync(n.Uuid, holder, CancellationToken.None));
            await store.UpdateNodeAsync(n with { ProvisionState = state, TargetProvisionState = ProvisionStates.Active }, CancellationToken.None);
        }
        await Hold(own, "c9", ProvisionStates.Deploying);
        await Hold(dead, "c-dead", ProvisionStates.Deleting);
        await Hold(gone, $"process:{Environment.MachineName.ToLowerInvariant()}:{int.MaxValue - 7}", ProvisionStates.Deploying);
        await Hold(live, "c-live", ProvisionStates.Deploying);

        // A server named c9 starts on this inventory, as after a crash of the c9 that held rec-own.
        await using var restarted = BootServer.Create(new BootServerOptions { Listen = "127.0.0.1:0", Name = "c9" }, _ => { }, store, _h.Cache);
        await restarted.StartAsync(CancellationToken.None);

        var ownAfter = (await store.GetNodeAsync("rec-own", CancellationToken.None))!;
        Assert.Equal(ProvisionStates.DeployFailed, ownAfter.ProvisionState);
        Assert.Equal(RamdiskDeploy.RestartMessage, ownAfter.LastError);
        Assert.Null(ownAfter.Reservation);
        var deadAfter = (await store.GetNodeAsync("rec-dead", CancellationToken.None))!;
        Assert.Equal(ProvisionStates.Error, deadAfter.ProvisionState);
        Assert.Contains("c-dead stopped heartbeating", deadAfter.LastError, StringComparison.Ordinal);
        Assert.Null(deadAfter.Reservation);
        var goneAfter = (await store.GetNodeAsync("rec-process", CancellationToken.None))!;
        Assert.Equal(ProvisionStates.DeployFailed, goneAfter.ProvisionState);
        Assert.Contains("ended during the deploy", goneAfter.LastError, StringComparison.Ordinal);
        Assert.Null(goneAfter.Reservation);
        var liveAfter = (await store.GetNodeAsync("rec-live", CancellationToken.None))!;
        Assert.Equal(ProvisionStates.Deploying, liveAfter.ProvisionState);
        Assert.Equal("c-live", liveAfter.Reservation);
        Assert.Equal(3, restarted.Recovered.Count);
    }

    private static string DeadProcess => $"process:{Environment.MachineName.ToLowerInvariant()}:{int.MaxValue - 7}";

    private async Task HoldAsync(Node node, string holder, string state)
    {
        Assert.True(await _h.Store.TryReserveAsync(node.Uuid, holder, CancellationToken.None));
        await _h.Store.UpdateNodeAsync(node with { ProvisionState = state, TargetProvisionState = ProvisionStates.Active }, CancellationToken.None);
    }

    [Fact]
    public async Task ADeployOfANodeHeldByADeadProcess_RecoversTheNodeFirst_ThenRuns()
    {
        var node = await _h.AddNodeAsync("held-dead");
        await HoldAsync(node, DeadProcess, ProvisionStates.Deploying);
        var steps = new List<string>();

        var after = await _h.Deploy.DeployAsync("held-dead", new DeployRequest { BootIso = _h.ServeBaseIso() }, new SyncProgress(p => steps.Add(p.Step)), CancellationToken.None);

        Assert.Equal(ProvisionStates.Active, after.ProvisionState);
        Assert.Null(after.Reservation);
        var recovered = Assert.Single(steps, s => s.StartsWith("recovered from " + DeadProcess, StringComparison.Ordinal));
        Assert.Contains($"(pid {int.MaxValue - 7} on {Environment.MachineName.ToLowerInvariant()}) ended during the deploy; c1 released its reservation", recovered, StringComparison.Ordinal);
    }

    /// <summary>
    /// The BMC gets the URL of the node's owner as the boot servers compute it: with their
    /// [DEFAULT]hash_partition_exponent, not Ironic's default, when the two pick different owners.
    /// </summary>
    [Fact]
    public async Task TheIsosUrl_NamesTheOwnerOnTheRingOfTheConfiguredExponent()
    {
        foreach (var name in new[] { "ring-a", "ring-b", "ring-c" })
        {
            await _h.Store.HeartbeatAsync(new Conductor(name, new Uri($"http://{name}.test:6385"), DateTimeOffset.UtcNow.AddMinutes(10)), CancellationToken.None);
        }
        var conductors = await _h.Store.ListConductorsAsync(CancellationToken.None);
        var withThree = ConductorRing.Build(conductors, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1), partitionExponent: 3);
        var withFive = ConductorRing.Build(conductors, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        Node? node = null;
        for (var i = 0; i < 200 && node is null; i++)
        {
            var candidate = await _h.AddNodeAsync($"ring-node-{i}");
            if (withThree.GetOwner(candidate)!.Name != withFive.GetOwner(candidate)!.Name) node = candidate;
        }
        Assert.NotNull(node);
        var deploy = new RamdiskDeploy(_h.Store, _h.Cache, _h.Hardware, new RamdiskDeployOptions { Conductor = "ring-test", HashPartitionExponent = 3 });

        var url = await deploy.ImageUrlAsync(node, CancellationToken.None);

        Assert.Equal(new Uri(withThree.GetOwner(node)!.InternalUrl, $"/v1/images/{node.Uuid:D}/boot.iso"), url);
    }

    [Fact]
    public async Task ADeployOfANodeHeldByALiveConductor_IsRefused_SayingWhoHoldsIt()
    {
        var node = await _h.AddNodeAsync("held-live");
        await _h.Store.HeartbeatAsync(new Conductor("c-busy", new Uri("http://127.0.0.1:9"), DateTimeOffset.UtcNow), CancellationToken.None);
        Assert.True(await _h.Store.TryReserveAsync(node.Uuid, "c-busy", CancellationToken.None));

        var e = await Assert.ThrowsAsync<DeployException>(() => _h.Deploy.DeployAsync("held-live", new DeployRequest { BootIso = _h.ServeBaseIso() }, null, CancellationToken.None));

        Assert.Equal(DeployFailure.NodeLocked, e.Failure);
        Assert.Contains("reserved by c-busy", e.Message, StringComparison.Ordinal);
        Assert.Equal("c-busy", (await _h.Store.GetNodeAsync("held-live", CancellationToken.None))!.Reservation);
    }

    [Fact]
    public async Task ARunningServer_SweepsReservationsOfDeadHolders_AndLeavesLiveOnesAlone()
    {
        await using var h = await DeployHarness.StartAsync(server: o => o with { ReservationSweepInterval = TimeSpan.FromMilliseconds(200) });
        var gone = await h.AddNodeAsync("sweep-process");
        var dead = await h.AddNodeAsync("sweep-conductor");
        var live = await h.AddNodeAsync("sweep-live");
        var own = await h.AddNodeAsync("sweep-own");
        await h.Store.HeartbeatAsync(new Conductor("c-live", new Uri("http://127.0.0.1:9"), DateTimeOffset.UtcNow.AddMinutes(10)), CancellationToken.None);
        await h.Store.HeartbeatAsync(new Conductor("c-gone", new Uri("http://127.0.0.1:9"), DateTimeOffset.UtcNow.AddHours(-1)), CancellationToken.None);
        // State first, then the reservation: the sweep, already running, must never find a
        // reserved node whose state is not yet the one this test looks for afterwards.
        async Task Hold(Node n, string holder, string state)
        {
            await h.Store.UpdateNodeAsync(n with { ProvisionState = state, TargetProvisionState = ProvisionStates.Active }, CancellationToken.None);
            Assert.True(await h.Store.TryReserveAsync(n.Uuid, holder, CancellationToken.None));
        }
        await Hold(gone, DeadProcess, ProvisionStates.Deploying);
        await Hold(dead, "c-gone", ProvisionStates.Deleting);
        await Hold(live, "c-live", ProvisionStates.Deploying);
        await Hold(own, DeployHarness.Conductor, ProvisionStates.Deploying);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline && (await h.Store.GetNodeAsync("sweep-process", CancellationToken.None))!.Reservation is not null) await Task.Delay(100);

        var goneAfter = (await h.Store.GetNodeAsync("sweep-process", CancellationToken.None))!;
        Assert.Null(goneAfter.Reservation);
        Assert.Equal(ProvisionStates.DeployFailed, goneAfter.ProvisionState);
        Assert.Equal($"the process that ran the deploy (pid {int.MaxValue - 7} on {Environment.MachineName.ToLowerInvariant()}) ended during the deploy; c1 released its reservation. Deploy it again", goneAfter.LastError);
        deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && (await h.Store.GetNodeAsync("sweep-conductor", CancellationToken.None))!.Reservation is not null) await Task.Delay(100);
        var deadAfter = (await h.Store.GetNodeAsync("sweep-conductor", CancellationToken.None))!;
        Assert.Null(deadAfter.Reservation);
        Assert.Equal(ProvisionStates.Error, deadAfter.ProvisionState);
        Assert.Equal("conductor c-gone stopped heartbeating during the undeploy; c1 released its reservation. Undeploy it again", deadAfter.LastError);
        // A live conductor's reservation and the server's own (a deploy it runs) stay.
        Assert.Equal("c-live", (await h.Store.GetNodeAsync("sweep-live", CancellationToken.None))!.Reservation);
        Assert.Equal(DeployHarness.Conductor, (await h.Store.GetNodeAsync("sweep-own", CancellationToken.None))!.Reservation);
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<DeployProgress> report) : IProgress<DeployProgress>
    {
        public void Report(DeployProgress value) => report(value);
    }

    /// <summary>An inventory store whose TryReserveAsync first awaits a gate (the rest passes straight through).</summary>
    public class ReservationGate : System.Reflection.DispatchProxy
    {
        private IInventoryStore _inner = null!;
        private Func<string, Guid, Task> _gate = null!;

        public static IInventoryStore Wrap(IInventoryStore inner, Func<string, Guid, Task> gate)
        {
            var proxy = Create<IInventoryStore, ReservationGate>();
            var self = (ReservationGate)(object)proxy;
            (self._inner, self._gate) = (inner, gate);
            return proxy;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? method, object?[]? args)
        {
            if (method!.Name == nameof(IInventoryStore.TryReserveAsync)) return ReserveAsync((Guid)args![0]!, (string)args[1]!, (CancellationToken)args[2]!);
            try
            {
                return method.Invoke(_inner, args);
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }

        private async Task<bool> ReserveAsync(Guid node, string holder, CancellationToken cancellationToken)
        {
            await _gate(holder, node);
            return await _inner.TryReserveAsync(node, holder, cancellationToken);
        }
    }

    private sealed class FailingHardware : INodeHardware
    {
        public Task<HardwarePowerState> GetPowerStateAsync(CancellationToken cancellationToken) => Task.FromResult(HardwarePowerState.Off);
        public Task SetPowerStateAsync(PowerAction action, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task SetBootDeviceAsync(BootDevice device, bool once, BootMode? mode, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task InsertVirtualMediaAsync(Uri image, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The BMC answered 400 to InsertMedia: InsertMedia refused (test)");
        public Task EjectVirtualMediaAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
