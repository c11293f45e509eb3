using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ironic.BmcEmulation;
using Ironic.Core.Boot;
using Ironic.Core.Deploy;
using Ironic.Core.Inventory;

namespace Ironic.Server.Tests.Deploy;

/// <summary>
/// A one-shot deploy whose boot server is killed (SIGKILL) after the BMC read the ISO, before the
/// release: a real `ironic serve`, started again on the same address, ejects the ISO through the
/// emulated BMC and drops the node's overlay. Nothing the first server had in memory survives;
/// what the restarted one goes on is what the first wrote on the node.
/// </summary>
public sealed class OneShotProcessTests : IAsyncLifetime
{
    private static readonly byte[] SecretKey = new byte[SecretKeySource.KeySize];
    private readonly string _root = Directory.CreateTempSubdirectory("ironic-oneshot-process-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private IInventoryStore _store = null!;

    private string Db => Path.Combine(_root, "inventory.db");
    private string CacheDirectory => Path.Combine(_root, "cache");

    public async Task InitializeAsync()
    {
        _store = InventoryStores.Open(StoreLocation.Sqlite(Db), SecretKeySource.FromKey(SecretKey));
        await _store.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _http.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private async Task<BootServerProcess> ServeAsync(int port, TimeSpan settle)
    {
        var config = Path.Combine(_root, $"ironic-{settle.TotalMilliseconds}.conf");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            [DEFAULT]
            host = oneshot-server

            [deploy]
            image_cache_directory = {CacheDirectory}
            one_shot_settle_time = {settle.TotalSeconds}

            """));
        return await BootServerProcess.StartAsync(new BootServerStartInfo
        {
            Listen = $"127.0.0.1:{port}",
            Store = Db,
            ConfigFile = config,
            Executable = BootServerProcessTests.IronicExecutable(),
            Environment = new Dictionary<string, string> { [SecretKeySource.EnvironmentVariable] = Convert.ToBase64String(SecretKey) },
        }, _http, CancellationToken.None);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task<Node> NodeAsync(string name) => (await _store.GetNodeAsync(name, CancellationToken.None))!;

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (await condition()) return true;
            await Task.Delay(100);
        }
        return await condition();
    }

    [Fact]
    public async Task ServerKilledAfterTheBmcReadTheIso_TheRestartedServerEjectsIt_AndDropsTheOverlay()
    {
        await using var files = await Core.Tests.Deploy.TestFileServer.StartAsync();
        var baseIso = files.Add("base.iso", await File.ReadAllBytesAsync(DeployHarness.BaseIso));
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), CancellationToken.None);
        var node = await _store.CreateNodeAsync(new Node { Name = "crash-1", Driver = "redfish", DriverInfo = DeployEndToEndTests.RedfishDriverInfo(bmc) }, CancellationToken.None);
        var port = FreePort();
        // A settle time the first server does not reach here; it writes the read on the node within 5 s.
        var first = await ServeAsync(port, TimeSpan.FromSeconds(30));
        try
        {
            using var cache = ImageCache.Open(new ImageCacheOptions { Directory = CacheDirectory });
            var deploy = new RamdiskDeploy(_store, cache, DeployHardware.CreateFactory(), new RamdiskDeployOptions { Conductor = "oneshot-deployer" });
            var deployed = await deploy.DeployAsync("crash-1", new DeployRequest { BootIso = baseIso, OneShot = true, KernelParameters = ["crash=1"] }, null, CancellationToken.None);
            Assert.True(DeployStatus.FromNode(deployed).OneShotReleasePending);
            Assert.Equal(new Uri($"http://127.0.0.1:{port}/v1/images/{node.Uuid:D}/boot.iso"), OneShotRelease.ImageUrl(deployed));

            using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var download = await bmc.State.WaitForDownloadAsync(bmc.State.CdSlot.Path, wait.Token);
            Assert.Equal(ImageDownloadStatus.Completed, download.Status);
            Assert.True(await EventuallyAsync(async () => await NodeAsync("crash-1") is { Reservation: null } n && OneShotRelease.ReadAt(n) is not null, TimeSpan.FromSeconds(20)),
                "the first server did not write on the node that the BMC read its ISO");
        }
        finally
        {
            // SIGKILL: nothing of the first server's shutdown runs.
            first.Kill();
            await first.DisposeAsync();
        }
        Assert.True(bmc.State.CdSlot.Inserted);
        Assert.True(DeployStatus.FromNode(await NodeAsync("crash-1")).OneShotReleasePending);

        await using var second = await ServeAsync(port, TimeSpan.FromSeconds(1));

        // Released means written on the node and the reservation dropped; the write comes first.
        Assert.True(await EventuallyAsync(async () => await NodeAsync("crash-1") is { Reservation: null } n && OneShotRelease.ReleasedAt(n) is not null, TimeSpan.FromSeconds(30)),
            $"the restarted server did not release the ISO; its log:\n{second.LogTail}");
        var released = await NodeAsync("crash-1");
        Assert.Equal(ProvisionStates.Active, released.ProvisionState);
        Assert.Null(released.Reservation);
        Assert.Null(released.LastError);
        Assert.False(bmc.State.CdSlot.Inserted);
        var insert = bmc.Requests.Last(r => r.Path.EndsWith("InsertMedia", StringComparison.Ordinal));
        Assert.Contains(bmc.Requests, r => r.Path.EndsWith("EjectMedia", StringComparison.Ordinal) && r.At > insert.At);
        Assert.Null(await _store.GetArtifactAsync(node.Uuid, NodeIsoArtifacts.DeltaArtifact, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(new Uri($"http://127.0.0.1:{port}/v1/images/{node.Uuid:D}/boot.iso"))).StatusCode);
    }
}
