using System.Security.Cryptography;
using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.Core.Tests.Inventory;

/// <summary>
/// The behaviour every inventory store has; written once, run against SQLite and PostgreSQL
/// by the subclasses. Each test gets a fresh, migrated store.
/// </summary>
public abstract class InventoryStoreTests : IAsyncLifetime
{
    protected static readonly byte[] TestKey = SHA256.HashData("ironic inventory tests"u8);

    private IInventoryStore? _store;

    protected IInventoryStore Store => _store ?? throw new InvalidOperationException("not initialized");

    /// <summary>
    /// A store (not migrated) opened with <paramref name="key"/> over this test's storage, or,
    /// given <paramref name="storage"/>, over another fresh storage of that name; the subclass
    /// removes every storage it made in <see cref="DropStorageAsync"/>.
    /// </summary>
    protected abstract IInventoryStore OpenStore(byte[] key, string? storage = null);

    /// <summary>driver_info exactly as the database holds it.</summary>
    protected abstract Task<string> ReadRawDriverInfoAsync(Guid nodeUuid);

    protected virtual Task DropStorageAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _store = OpenStore(TestKey);
        await _store.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_store is not null) await _store.DisposeAsync();
        await DropStorageAsync();
    }

    protected static Node NewNode(string name, Dictionary<string, string>? driverInfo = null) => new()
    {
        Name = name,
        Driver = "redfish",
        DriverInfo = driverInfo ?? new Dictionary<string, string>
        {
            [DriverInfoKeys.RedfishAddress] = "https://10.0.0.5",
            [DriverInfoKeys.RedfishSystemId] = "/redfish/v1/Systems/1",
            [DriverInfoKeys.RedfishUsername] = "admin",
        },
        InstanceInfo = new Dictionary<string, string> { ["boot_iso"] = "http://images/ipa.iso" },
    };

    [Fact]
    public async Task Migrate_ReachesLatestVersion_AndRunsAgainHarmlessly()
    {
        Assert.Equal(InventorySchema.LatestVersion, await Store.GetSchemaVersionAsync(default));
        await Store.MigrateAsync(default);
        Assert.Equal(InventorySchema.LatestVersion, await Store.GetSchemaVersionAsync(default));
    }

    [Fact]
    public async Task CreateNode_ThenGetByNameOrUuid_ReturnsEveryField()
    {
        var node = NewNode("r1-n01") with
        {
            ProvisionState = ProvisionStates.WaitCallback,
            TargetProvisionState = ProvisionStates.Active,
            PowerState = PowerStates.On,
            BootInterface = "ipxe",
            DeployInterface = "ramdisk",
            ConductorGroup = "rack-1",
            LastError = "previous failure",
        };
        var created = await Store.CreateNodeAsync(node, default);

        var byName = await Store.GetNodeAsync("r1-n01", default);
        var byUuid = await Store.GetNodeAsync(node.Uuid.ToString(), default);

        Assert.NotNull(byName);
        Assert.Equal(created.Uuid, byName.Uuid);
        Assert.Equal("redfish", byName.Driver);
        Assert.Equal(node.DriverInfo, byName.DriverInfo);
        Assert.Equal(node.InstanceInfo, byName.InstanceInfo);
        Assert.Equal(ProvisionStates.WaitCallback, byName.ProvisionState);
        Assert.Equal(ProvisionStates.Active, byName.TargetProvisionState);
        Assert.Equal(PowerStates.On, byName.PowerState);
        Assert.Equal("ipxe", byName.BootInterface);
        Assert.Equal("rack-1", byName.ConductorGroup);
        Assert.Equal("previous failure", byName.LastError);
        Assert.Null(byName.Reservation);
        Assert.Equal(created.CreatedAt, byName.CreatedAt);
        Assert.Equal("https://10.0.0.5", byName.BmcAddress);
        Assert.Equal(byName.Uuid, byUuid!.Uuid);
        Assert.Null(await Store.GetNodeAsync("nothing-here", default));
        Assert.Null(await Store.GetNodeAsync(Guid.NewGuid().ToString(), default));
    }

    [Fact]
    public async Task CreateNode_DuplicateName_IsAConflictNamingIt()
    {
        await Store.CreateNodeAsync(NewNode("dup"), default);
        var e = await Assert.ThrowsAsync<InventoryConflictException>(() => Store.CreateNodeAsync(NewNode("dup"), default));
        Assert.Contains("'dup'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListNodes_IsSortedByName()
    {
        foreach (var name in new[] { "b", "C", "a" }) await Store.CreateNodeAsync(NewNode(name), default);
        Assert.Equal(["C", "a", "b"], (await Store.ListNodesAsync(default)).Select(n => n.Name));
    }

    [Fact]
    public async Task UpdateNode_WritesFields_ButNeverTheReservation()
    {
        var node = await Store.CreateNodeAsync(NewNode("u1"), default);
        Assert.True(await Store.TryReserveAsync(node.Uuid, "c1", default));

        var updated = await Store.UpdateNodeAsync(node with
        {
            Name = "u1-renamed",
            ProvisionState = ProvisionStates.Deploying,
            InstanceInfo = new Dictionary<string, string> { ["kernel"] = "http://k" },
            Reservation = null,
        }, default);

        Assert.Equal("u1-renamed", updated.Name);
        Assert.Equal(ProvisionStates.Deploying, updated.ProvisionState);
        Assert.Equal("http://k", updated.InstanceInfo["kernel"]);
        Assert.Equal("c1", updated.Reservation);
        Assert.True(updated.UpdatedAt >= node.UpdatedAt);
    }

    [Fact]
    public async Task UpdateNode_UnknownOrRenamedOntoAnother_FailsClearly()
    {
        await Store.CreateNodeAsync(NewNode("x1"), default);
        var x2 = await Store.CreateNodeAsync(NewNode("x2"), default);
        await Assert.ThrowsAsync<NodeNotFoundException>(() => Store.UpdateNodeAsync(NewNode("ghost"), default));
        var e = await Assert.ThrowsAsync<InventoryConflictException>(() => Store.UpdateNodeAsync(x2 with { Name = "x1" }, default));
        Assert.Contains("'x1'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteNode_TakesItsPortsAndArtifacts()
    {
        var node = await Store.CreateNodeAsync(NewNode("d1"), default);
        await Store.CreatePortAsync(new Port("52:54:00:00:00:d1", node.Uuid), default);
        await Store.PutArtifactAsync(node.Uuid, "boot.ipxe", "#!ipxe"u8.ToArray(), default);

        await Store.DeleteNodeAsync(node.Uuid, default);

        Assert.Null(await Store.GetNodeAsync("d1", default));
        Assert.Empty(await Store.ListPortsAsync(null, default));
        Assert.Null(await Store.GetArtifactAsync(node.Uuid, "boot.ipxe", default));
        await Assert.ThrowsAsync<NodeNotFoundException>(() => Store.DeleteNodeAsync(node.Uuid, default));
    }

    [Fact]
    public async Task Ports_AreNormalized_AndFoundByMacInAnyForm()
    {
        var node = await Store.CreateNodeAsync(NewNode("p1"), default);
        var port = await Store.CreatePortAsync(new Port("52-54-00-AB-CD-EF", node.Uuid), default);

        Assert.Equal("52:54:00:ab:cd:ef", port.Address);
        foreach (var form in new[] { "52:54:00:ab:cd:ef", "52-54-00-AB-CD-EF", "525400abcdef", "525400ABCDEF" })
        {
            Assert.Equal(node.Uuid, (await Store.FindNodeByMacAsync(form, default))?.Uuid);
        }
        Assert.Null(await Store.FindNodeByMacAsync("52:54:00:00:00:00", default));
        Assert.Null(await Store.FindNodeByMacAsync("../../etc/passwd", default));
        Assert.Null(await Store.FindNodeByMacAsync(new string('5', 5000), default));
    }

    [Fact]
    public async Task Ports_MacIsUniqueAcrossNodes_AndTheConflictNamesTheOwner()
    {
        var a = await Store.CreateNodeAsync(NewNode("owner-a"), default);
        var b = await Store.CreateNodeAsync(NewNode("owner-b"), default);
        await Store.CreatePortAsync(new Port("52:54:00:00:00:01", a.Uuid), default);

        var e = await Assert.ThrowsAsync<InventoryConflictException>(() => Store.CreatePortAsync(new Port("525400000001", b.Uuid), default));
        Assert.Contains("owner-a", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<NodeNotFoundException>(() => Store.CreatePortAsync(new Port("52:54:00:00:00:02", Guid.NewGuid()), default));
        await Assert.ThrowsAsync<FormatException>(() => Store.CreatePortAsync(new Port("not-a-mac", a.Uuid), default));
    }

    [Fact]
    public async Task Ports_ListByNode_AndDeleteByAnyForm()
    {
        var a = await Store.CreateNodeAsync(NewNode("la"), default);
        var b = await Store.CreateNodeAsync(NewNode("lb"), default);
        await Store.CreatePortAsync(new Port("52:54:00:00:00:0b", a.Uuid), default);
        await Store.CreatePortAsync(new Port("52:54:00:00:00:0a", a.Uuid), default);
        await Store.CreatePortAsync(new Port("52:54:00:00:00:0c", b.Uuid), default);

        Assert.Equal(["52:54:00:00:00:0a", "52:54:00:00:00:0b"], (await Store.ListPortsAsync(a.Uuid, default)).Select(p => p.Address));
        Assert.Equal(3, (await Store.ListPortsAsync(null, default)).Count);

        await Store.DeletePortAsync("52-54-00-00-00-0A", default);
        Assert.Equal(["52:54:00:00:00:0b"], (await Store.ListPortsAsync(a.Uuid, default)).Select(p => p.Address));
        await Assert.ThrowsAsync<NodeNotFoundException>(() => Store.DeletePortAsync("52:54:00:00:00:0a", default));
    }

    [Fact]
    public async Task TryUnderReservation_WorksOnTheNodeAsReserved_ReleasesEvenWhenTheWorkFails_AndLeavesAHeldNodeAlone()
    {
        var node = await Store.CreateNodeAsync(NewNode("under"), default);
        var (reserved, seen) = await Store.TryUnderReservationAsync(node.Uuid, "c1", n => Task.FromResult(n?.Reservation), default);
        Assert.True(reserved);
        Assert.Equal("c1", seen);
        Assert.Null((await Store.GetNodeAsync("under", default))!.Reservation);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.TryUnderReservationAsync<int>(node.Uuid, "c1", _ => throw new InvalidOperationException("boom"), default));
        Assert.Null((await Store.GetNodeAsync("under", default))!.Reservation);

        Assert.True(await Store.TryReserveAsync(node.Uuid, "other", default));
        var ran = false;
        (reserved, _) = await Store.TryUnderReservationAsync(node.Uuid, "c1", n =>
        {
            ran = true;
            return Task.FromResult(n?.Reservation);
        }, default);
        Assert.False(reserved);
        Assert.False(ran);
        Assert.Equal("other", (await Store.GetNodeAsync("under", default))!.Reservation);
    }

    [Fact]
    public async Task TryReserve_ManyConductorsRacing_ExactlyOneWins()
    {
        var node = await Store.CreateNodeAsync(NewNode("race"), default);
        // Each contender has its own store (its own connections), as separate servers would.
        var contenders = Enumerable.Range(0, 8).Select(_ => OpenStore(TestKey)).ToList();
        try
        {
            using var start = new ManualResetEventSlim();
            var attempts = contenders.Select((s, i) => Task.Run(async () =>
            {
                start.Wait();
                return await s.TryReserveAsync(node.Uuid, $"c{i}", default);
            })).ToList();
            start.Set();
            var results = await Task.WhenAll(attempts);

            Assert.Single(results, won => won);
            var holder = $"c{Array.IndexOf(results, true)}";
            Assert.Equal(holder, (await Store.GetNodeAsync("race", default))!.Reservation);
        }
        finally
        {
            foreach (var s in contenders) await s.DisposeAsync();
        }
    }

    [Fact]
    public async Task TryTakeOverReservation_ManyRecoverersOfADeadHolder_ExactlyOneGetsIt()
    {
        var node = await Store.CreateNodeAsync(NewNode("take-over"), default);
        Assert.True(await Store.TryReserveAsync(node.Uuid, "dead", default));
        var contenders = Enumerable.Range(0, 8).Select(_ => OpenStore(TestKey)).ToList();
        try
        {
            using var start = new ManualResetEventSlim();
            var attempts = contenders.Select((s, i) => Task.Run(async () =>
            {
                start.Wait();
                return await s.TryTakeOverReservationAsync(node.Uuid, "dead", $"r{i}", default);
            })).ToList();
            start.Set();
            var results = await Task.WhenAll(attempts);

            Assert.Single(results, won => won);
            Assert.Equal($"r{Array.IndexOf(results, true)}", (await Store.GetNodeAsync("take-over", default))!.Reservation);
        }
        finally
        {
            foreach (var s in contenders) await s.DisposeAsync();
        }
        // Nobody takes over from a holder that no longer holds it, nor a free node.
        Assert.False(await Store.TryTakeOverReservationAsync(node.Uuid, "dead", "late", default));
        await Store.ReleaseAllReservationsAsync((await Store.GetNodeAsync("take-over", default))!.Reservation!, default);
        Assert.False(await Store.TryTakeOverReservationAsync(node.Uuid, "dead", "late", default));
        Assert.Null((await Store.GetNodeAsync("take-over", default))!.Reservation);
    }

    [Fact]
    public async Task Reservation_IsALock_ReleasedOnlyByItsHolder()
    {
        var node = await Store.CreateNodeAsync(NewNode("lock"), default);
        Assert.True(await Store.TryReserveAsync(node.Uuid, "c1", default));
        Assert.False(await Store.TryReserveAsync(node.Uuid, "c2", default));
        Assert.False(await Store.TryReserveAsync(node.Uuid, "c1", default));

        var e = await Assert.ThrowsAsync<NodeLockedException>(() => Store.ReleaseAsync(node.Uuid, "c2", default));
        Assert.Contains("'c1'", e.Message, StringComparison.Ordinal);

        await Store.ReleaseAsync(node.Uuid, "c1", default);
        await Store.ReleaseAsync(node.Uuid, "c1", default);
        Assert.True(await Store.TryReserveAsync(node.Uuid, "c2", default));
        await Assert.ThrowsAsync<NodeNotFoundException>(() => Store.TryReserveAsync(Guid.NewGuid(), "c1", default));
    }

    [Fact]
    public async Task ReleaseAllReservations_FreesEveryNodeOfADeadConductor_Only()
    {
        var nodes = new List<Node>();
        for (var i = 0; i < 4; i++) nodes.Add(await Store.CreateNodeAsync(NewNode($"dead-{i}"), default));
        Assert.True(await Store.TryReserveAsync(nodes[0].Uuid, "dead", default));
        Assert.True(await Store.TryReserveAsync(nodes[1].Uuid, "dead", default));
        Assert.True(await Store.TryReserveAsync(nodes[2].Uuid, "alive", default));

        Assert.Equal(2, await Store.ReleaseAllReservationsAsync("dead", default));

        var after = (await Store.ListNodesAsync(default)).ToDictionary(n => n.Name, n => n.Reservation);
        Assert.Null(after["dead-0"]);
        Assert.Null(after["dead-1"]);
        Assert.Equal("alive", after["dead-2"]);
        Assert.Null(after["dead-3"]);
    }

    [Fact]
    public async Task DeadConductors_TheirReservationsAreReleased_LiveOnesKept()
    {
        var now = DateTimeOffset.UtcNow;
        var a = await Store.CreateNodeAsync(NewNode("held-by-dead"), default);
        var b = await Store.CreateNodeAsync(NewNode("held-by-live"), default);
        await Store.HeartbeatAsync(new Conductor("dead", new Uri("http://127.0.0.1:7001"), now.AddMinutes(-2)), default);
        await Store.HeartbeatAsync(new Conductor("live", new Uri("http://127.0.0.1:7002"), now), default);
        Assert.True(await Store.TryReserveAsync(a.Uuid, "dead", default));
        Assert.True(await Store.TryReserveAsync(b.Uuid, "live", default));

        var released = await DeadConductors.ReleaseReservationsAsync(Store, TimeSpan.FromSeconds(30), default);

        Assert.Equal([("dead", 1)], released);
        Assert.Null((await Store.GetNodeAsync("held-by-dead", default))!.Reservation);
        Assert.Equal("live", (await Store.GetNodeAsync("held-by-live", default))!.Reservation);
    }

    [Fact]
    public async Task Lookups_FromManyTasksAtOnce_AllAnswerRight()
    {
        var macs = new Dictionary<string, Guid>();
        for (var i = 0; i < 20; i++)
        {
            var node = await Store.CreateNodeAsync(NewNode($"many-{i}"), default);
            var mac = $"52:54:00:00:01:{i:x2}";
            await Store.CreatePortAsync(new Port(mac, node.Uuid), default);
            macs[mac] = node.Uuid;
        }
        var lookups = Enumerable.Range(0, 400).Select(i => Task.Run(async () =>
        {
            var mac = macs.Keys.ElementAt(i % macs.Count);
            return (await Store.FindNodeByMacAsync(mac, default))?.Uuid == macs[mac];
        }));
        Assert.All(await Task.WhenAll(lookups), Assert.True);
    }

    [Fact]
    public async Task Conductors_HeartbeatUpserts_AndFeedTheRing()
    {
        var now = DateTimeOffset.UtcNow;
        await Store.HeartbeatAsync(new Conductor("c1", new Uri("http://127.0.0.1:7001"), now.AddMinutes(-5)), default);
        await Store.HeartbeatAsync(new Conductor("c1", new Uri("http://127.0.0.1:7011"), now) { ConductorGroup = "g" }, default);
        await Store.HeartbeatAsync(new Conductor("c2", new Uri("http://127.0.0.1:7002"), now.AddMinutes(-5)), default);

        var conductors = await Store.ListConductorsAsync(default);
        Assert.Equal(["c1", "c2"], conductors.Select(c => c.Name));
        Assert.Equal(new Uri("http://127.0.0.1:7011"), conductors[0].InternalUrl);
        Assert.Equal("g", conductors[0].ConductorGroup);
        Assert.Equal(now.ToUnixTimeMilliseconds(), conductors[0].HeartbeatAt.ToUnixTimeMilliseconds());

        var ring = await ConductorRing.LoadAsync(Store, TimeSpan.FromSeconds(30), default);
        Assert.Equal(["c1"], ring.LiveConductors.Select(c => c.Name));

        await Store.UnregisterConductorAsync("c2", default);
        Assert.Equal(["c1"], (await Store.ListConductorsAsync(default)).Select(c => c.Name));
    }

    [Fact]
    public async Task Artifacts_PutGetReplace_PerNodeAndName()
    {
        var node = await Store.CreateNodeAsync(NewNode("art"), default);
        var delta = RandomNumberGenerator.GetBytes(70_000);
        await Store.PutArtifactAsync(node.Uuid, "boot.ipxe", "#!ipxe\nv1"u8.ToArray(), default);
        await Store.PutArtifactAsync(node.Uuid, "iso.delta", delta, default);
        await Store.PutArtifactAsync(node.Uuid, "boot.ipxe", "#!ipxe\nv2"u8.ToArray(), default);

        Assert.Equal("#!ipxe\nv2"u8.ToArray(), await Store.GetArtifactAsync(node.Uuid, "boot.ipxe", default));
        Assert.Equal(delta, await Store.GetArtifactAsync(node.Uuid, "iso.delta", default));
        Assert.Null(await Store.GetArtifactAsync(node.Uuid, "other", default));
        await Assert.ThrowsAsync<NodeNotFoundException>(() => Store.PutArtifactAsync(Guid.NewGuid(), "x", new byte[1], default));

        await Store.DeleteArtifactsAsync(node.Uuid, default);
        Assert.Null(await Store.GetArtifactAsync(node.Uuid, "iso.delta", default));
    }

    [Fact]
    public async Task Passwords_AreEncryptedAtRest_AndReadBackInClear()
    {
        const string password = "Sup3r-Secret-BMC-Passw0rd";
        var info = new Dictionary<string, string>
        {
            [DriverInfoKeys.RedfishAddress] = "https://bmc",
            [DriverInfoKeys.RedfishUsername] = "root",
            [DriverInfoKeys.RedfishPassword] = password,
            ["ipmi_password"] = password + "-ipmi",
        };
        var node = await Store.CreateNodeAsync(NewNode("secret", info), default);

        var raw = await ReadRawDriverInfoAsync(node.Uuid);
        Assert.DoesNotContain(password, raw, StringComparison.Ordinal);
        Assert.Contains(CredentialCipher.Prefix, raw, StringComparison.Ordinal);
        Assert.Contains("root", raw, StringComparison.Ordinal);

        var read = await Store.GetNodeAsync("secret", default);
        Assert.Equal(password, read!.DriverInfo[DriverInfoKeys.RedfishPassword]);
        Assert.Equal(password + "-ipmi", read.DriverInfo["ipmi_password"]);

        // Update re-encrypts (a new nonce) and still reads back.
        await Store.UpdateNodeAsync(read with { LastError = "x" }, default);
        Assert.DoesNotContain(password, await ReadRawDriverInfoAsync(node.Uuid), StringComparison.Ordinal);
        Assert.Equal(password, (await Store.GetNodeAsync("secret", default))!.DriverInfo[DriverInfoKeys.RedfishPassword]);
    }

    [Fact]
    public async Task Passwords_ReadWithAnotherKey_FailWithAMessageAboutTheKey()
    {
        var info = new Dictionary<string, string> { [DriverInfoKeys.RedfishPassword] = "pw" };
        await Store.CreateNodeAsync(NewNode("other-key", info), default);
        await using var wrongKey = OpenStore(RandomNumberGenerator.GetBytes(32));

        var e = await Assert.ThrowsAsync<CredentialKeyException>(() => wrongKey.GetNodeAsync("other-key", default));
        Assert.Contains(SecretKeySource.EnvironmentVariable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_FromSeveralStoresAtOnce_AppliesEachMigrationOnce()
    {
        var others = Enumerable.Range(0, 4).Select(_ => OpenStore(TestKey, "concurrent")).ToList();
        try
        {
            await Task.WhenAll(others.Select(s => Task.Run(() => s.MigrateAsync(default))));
            Assert.All(others, s => Assert.Equal(InventorySchema.LatestVersion, s.GetSchemaVersionAsync(default).GetAwaiter().GetResult()));
        }
        finally
        {
            foreach (var s in others) await s.DisposeAsync();
        }
    }
}
