using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Ironic.BmcEmulation;
using Ironic.Core.Deploy;
using Ironic.Core.Inventory;
using Ironic.Core.Tests.Deploy;
using Ironic.Core.Tests.Iso.Overlay;
using Ironic.Server;

namespace Ironic.Cli.Tests;

public sealed class DeployCommandTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cli-deploy-" + Guid.NewGuid().ToString("N")[..12]);
    private string Db => Path.Combine(_root, "inventory.db");
    private string CacheDir => Path.Combine(_root, "cache");

    public async Task InitializeAsync()
    {
        CliTestEnvironment.UseTestSecretKey();
        Directory.CreateDirectory(_root);
        await using var store = await InventoryStores.OpenAsync(StoreLocation.Sqlite(Db), CancellationToken.None);
        await store.CreateNodeAsync(new Node { Name = "n1" }, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    /// <summary>
    /// What a virtual-media deploy from the command line needs around it: the base ISO on an HTTP
    /// server, an emulated BMC (it fetches what it is given) as node <c>bmc1</c>, and a boot server
    /// on the same inventory and image cache that publishes the node's ISO.
    /// </summary>
    private sealed class VirtualMediaWorld : IAsyncDisposable
    {
        public required TestFileServer Files { get; init; }
        public required BmcEmulator Bmc { get; init; }
        public required BootServer Server { get; init; }
        public required Uri BaseIso { get; init; }
        public required Guid Node { get; init; }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            await Bmc.DisposeAsync();
            await Files.DisposeAsync();
        }

        /// <summary>Waits for the BMC's download, reads the node's ISO from the boot server as the BMC did, and checks they are the same bytes.</summary>
        public async Task<string> FetchedIsoAsync(string directory)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var download = await Bmc.State.WaitForDownloadAsync(Bmc.State.CdSlot.Path, wait.Token);
            Assert.True(download.Status == ImageDownloadStatus.Completed, $"{download.Status} {download.Error}");
            var path = Path.Combine(directory, "fetched.iso");
            using var http = new HttpClient();
            await File.WriteAllBytesAsync(path, await http.GetByteArrayAsync(download.Url));
            Assert.Equal(download.Sha256, Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(path))).ToLowerInvariant());
            return path;
        }
    }

    private async Task<VirtualMediaWorld> StartVirtualMediaWorldAsync()
    {
        var files = await TestFileServer.StartAsync();
        var baseIso = files.Add("base.iso", await File.ReadAllBytesAsync(TestIsos.Build("both")));
        var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), CancellationToken.None);
        Guid node;
        await using (var store = await InventoryStores.OpenAsync(StoreLocation.Sqlite(Db), CancellationToken.None))
        {
            node = (await store.CreateNodeAsync(new Node
            {
                Name = "bmc1",
                Driver = "redfish",
                DriverInfo = new Dictionary<string, string>
                {
                    [DriverInfoKeys.RedfishAddress] = bmc.Address.ToString(),
                    [DriverInfoKeys.RedfishUsername] = "admin",
                    [DriverInfoKeys.RedfishPassword] = "password",
                },
            }, CancellationToken.None)).Uuid;
        }
        var server = BootServer.Create(new BootServerOptions { Listen = "127.0.0.1:0", Name = "cli-test", Store = StoreLocation.Sqlite(Db), ImageCacheDirectory = CacheDir }, _ => { });
        await server.StartAsync(CancellationToken.None);
        return new VirtualMediaWorld { Files = files, Bmc = bmc, Server = server, BaseIso = baseIso, Node = node };
    }

    private static string Osirrox(string iso, string isoPath, string directory)
    {
        var target = Path.Combine(directory, "extracted-" + Path.GetFileName(isoPath));
        ExternalTool.RunChecked("osirrox", "xorriso", "-indev", iso, "-extract", isoPath, target);
        return target;
    }

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => RunWithoutStoreAsync([.. args, "--store", Db]);

    private static async Task<(int Code, string Output, string Error)> RunWithoutStoreAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await IronicCommandLine.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Start_WithKernelAndRamdisk_LeavesTheNodeWaitingForItsCallBack_AndShowSaysSo()
    {
        var (code, output, error) = await RunAsync("deploy", "start", "n1", "--kernel", "http://img.test/vmlinuz", "--ramdisk", "http://img.test/initrd", "--kernel-param", "ipa-debug=1", "--kernel-param", "nomodeset", "--image-cache", CacheDir, "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("wait call-back", json.RootElement.GetProperty("provision_state").GetString());
        Assert.Equal("active", json.RootElement.GetProperty("target_provision_state").GetString());
        Assert.Equal("ipa-debug=1 nomodeset", json.RootElement.GetProperty("kernel_arguments").GetString());

        var show = await RunAsync("deploy", "show", "n1");
        Assert.Equal(0, show.Code);
        Assert.Matches(@"provision_state\s+wait call-back", show.Output);
        Assert.Matches(@"kernel\s+http://img.test/vmlinuz", show.Output);
    }

    [Fact]
    public async Task Start_PrintsProgressPerStep_OnStderr()
    {
        var (code, _, error) = await RunAsync("deploy", "start", "n1", "--kernel", "http://img.test/k", "--ramdisk", "http://img.test/r", "--image-cache", CacheDir);

        Assert.Equal(0, code);
        Assert.Contains("n1: rendering boot.ipxe", error, StringComparison.Ordinal);
        Assert.Contains("n1: powering on", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithBootMode_StoresItInIronicsKey_AndBootsInThatMode()
    {
        var (code, _, error) = await RunAsync("deploy", "start", "n1", "--kernel", "http://img.test/k", "--ramdisk", "http://img.test/r", "--boot-mode", "bios", "--image-cache", CacheDir);

        Assert.True(code == 0, error);
        Assert.Contains("n1: setting a one-time boot from the network in bios mode", error, StringComparison.Ordinal);
        await using var store = await InventoryStores.OpenAsync(StoreLocation.Sqlite(Db), CancellationToken.None);
        Assert.Equal("bios", (await store.GetNodeAsync("n1", CancellationToken.None))!.InstanceInfo[DeployBootMode.Key]);
        Assert.Matches(@"boot_mode\s+bios", (await RunAsync("deploy", "show", "n1")).Output);

        var wrong = await RunAsync("deploy", "start", "n1", "--kernel", "http://img.test/k", "--ramdisk", "http://img.test/r", "--boot-mode", "efi");
        Assert.Equal(2, wrong.Code);
        Assert.Contains("efi", wrong.Error, StringComparison.Ordinal);
        Assert.Contains("uefi", wrong.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--boot-iso", "http://x/a.iso", "--kernel", "http://x/k")]
    [InlineData("--kernel", "http://x/k", "--checksum", "crc32:00")]
    public async Task Start_WithAWrongCombination_IsAUsageError(string a, string b, string c, string d)
    {
        var (code, _, error) = await RunAsync("deploy", "start", "n1", a, b, c, d);

        Assert.Equal(2, code);
        Assert.StartsWith("ironic: ", error, StringComparison.Ordinal);
        await using var store = await InventoryStores.OpenAsync(StoreLocation.Sqlite(Db), CancellationToken.None);
        Assert.Equal(ProvisionStates.Available, (await store.GetNodeAsync("n1", CancellationToken.None))!.ProvisionState);
    }

    [Fact]
    public async Task Start_WithInjectFile_TheBmcFetchesAnIsoThatHoldsTheFile()
    {
        await using var world = await StartVirtualMediaWorldAsync();
        var local = Path.Combine(_root, "agent.conf");
        await File.WriteAllTextAsync(local, "[DEFAULT]\nnode = bmc1\ntoken = 6f1c9a\n");
        var beside = Path.Combine(_root, "node.txt");
        await File.WriteAllTextAsync(beside, "beside the boot loader\n");

        var (code, _, error) = await RunAsync("deploy", "start", "bmc1", "--boot-iso", world.BaseIso.ToString(),
            "--inject-file", "/etc/ironic/agent.conf=" + local, "--inject-file", "/EFI/BOOT/node.txt=" + beside, "--image-cache", CacheDir);

        Assert.True(code == 0, error);
        var fetched = await world.FetchedIsoAsync(_root);
        Assert.Equal(await File.ReadAllTextAsync(local), await File.ReadAllTextAsync(Osirrox(fetched, "/etc/ironic/agent.conf", _root)));
        Assert.Equal(await File.ReadAllTextAsync(beside), await File.ReadAllTextAsync(Osirrox(fetched, "/EFI/BOOT/node.txt", _root)));
    }

    /// <summary>The ironic.conf of the world's boot server (its inventory and image cache), with <paramref name="more"/> after "[deploy]".</summary>
    private async Task<string> WriteServersConfigAsync(string more)
    {
        var config = Path.Combine(_root, "ironic.conf");
        await File.WriteAllTextAsync(config, $"""
            [database]
            connection = sqlite:///{Path.GetFileName(Db)}
            [deploy]
            image_cache_directory = {Path.GetFileName(CacheDir)}

            """ + more);
        return config;
    }

    /// <summary>
    /// `--config` with the boot server's ironic.conf: the inventory ([database]connection), the image
    /// cache ([deploy]image_cache_directory) and the default kernel parameters of virtual media
    /// ([redfish]kernel_append_params) come from it; the BMC's ISO boots with those parameters.
    /// </summary>
    [Fact]
    public async Task Start_WithConfig_UsesTheServersInventoryCacheAndKernelParameters()
    {
        await using var world = await StartVirtualMediaWorldAsync();
        var config = await WriteServersConfigAsync("""
            [redfish]
            kernel_append_params = from_ironic_conf=1 ironic_node={node_name}
            [pxe]
            kernel_append_params = only_for_ipxe=1
            """);

        var (code, _, error) = await RunWithoutStoreAsync("deploy", "start", "bmc1", "--boot-iso", world.BaseIso.ToString(), "--kernel-param", "ipa-debug=1", "--config", config);

        Assert.True(code == 0, error);
        var grub = await File.ReadAllTextAsync(Osirrox(await world.FetchedIsoAsync(_root), "/EFI/BOOT/grub.cfg", _root));
        Assert.Contains("from_ironic_conf=1 ironic_node=bmc1 ipa-debug=1", grub, StringComparison.Ordinal);
        Assert.DoesNotContain("only_for_ipxe", grub, StringComparison.Ordinal);
        using var cache = ImageCache.Open(new ImageCacheOptions { Directory = CacheDir });
        Assert.Single(cache.Images());

        // The other deploy commands read the same file, so they look in the same inventory.
        var show = await RunWithoutStoreAsync("deploy", "show", "bmc1", "--config", config);
        Assert.True(show.Code == 0, show.Error);
        Assert.Matches(@"provision_state\s+active", show.Output);
        var wait = await RunWithoutStoreAsync("deploy", "wait", "bmc1", "--config", config, "--timeout", "10");
        Assert.True(wait.Code == 0, wait.Error);
    }

    /// <summary>
    /// [deploy]external_http_url: the BMC is given the ISO under that address (here the boot
    /// server by another name, "localhost"), not the owning server's conductor URL, and fetches it.
    /// </summary>
    [Fact]
    public async Task Start_WithExternalHttpUrl_GivesTheBmcTheIsoUnderThatAddress()
    {
        await using var world = await StartVirtualMediaWorldAsync();
        var external = new Uri($"http://localhost:{world.Server.Address!.Port}/");
        var config = await WriteServersConfigAsync($"external_http_url = {external}\n");

        var (code, _, error) = await RunWithoutStoreAsync("deploy", "start", "bmc1", "--boot-iso", world.BaseIso.ToString(), "--config", config);

        Assert.True(code == 0, error);
        Assert.Equal(new Uri(external, $"/v1/images/{world.Node:D}/boot.iso").ToString(), world.Bmc.State.CdSlot.Image);
        await world.FetchedIsoAsync(_root);
    }

    [Fact]
    public async Task Start_WithConfig_AppliesTheImageCacheQuota()
    {
        await using var files = await TestFileServer.StartAsync();
        var url = files.Add("big.iso", new byte[3 << 20]);
        var config = Path.Combine(_root, "ironic.conf");
        await File.WriteAllTextAsync(config, "[deploy]\nimage_cache_size = 1M\n");

        var (code, _, error) = await RunAsync("deploy", "start", "n1", "--boot-iso", url.ToString(), "--config", config, "--image-cache", CacheDir);

        Assert.Equal(1, code);
        Assert.Contains("more than the image cache's quota of 1048576 bytes", error, StringComparison.Ordinal);
        Assert.Contains("[deploy]image_cache_size", error, StringComparison.Ordinal);
        var status = JsonDocument.Parse((await RunAsync("deploy", "show", "n1", "--json")).Output).RootElement;
        Assert.Equal("deploy failed", status.GetProperty("provision_state").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("reservation").ValueKind);
        using var cache = ImageCache.Open(new ImageCacheOptions { Directory = CacheDir });
        Assert.Empty(cache.Images());
    }

    [Fact]
    public async Task Start_WithIpxe_TakesTheDefaultParametersOfPxe_FromConfig()
    {
        var config = Path.Combine(_root, "ironic.conf");
        await File.WriteAllTextAsync(config, "[redfish]\nkernel_append_params = only_for_vmedia=1\n[pxe]\nkernel_append_params = nofb ipa-debug=0\n");

        var (code, _, error) = await RunAsync("deploy", "start", "n1", "--kernel", "http://img.test/k", "--ramdisk", "http://img.test/r", "--kernel-param", "ipa-debug=1", "--config", config, "--image-cache", CacheDir);

        Assert.True(code == 0, error);
        await using var store = await InventoryStores.OpenAsync(StoreLocation.Sqlite(Db), CancellationToken.None);
        var node = (await store.GetNodeAsync("n1", CancellationToken.None))!;
        var script = System.Text.Encoding.UTF8.GetString((await store.GetArtifactAsync(node.Uuid, "boot.ipxe", CancellationToken.None))!);
        Assert.Contains("nofb ipa-debug=1", script, StringComparison.Ordinal);
        Assert.DoesNotContain("only_for_vmedia", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithABrokenConfig_FailsNamingTheFileAndOption()
    {
        var config = Path.Combine(_root, "ironic.conf");
        await File.WriteAllTextAsync(config, "[deploy]\nimage_cache_size = lots\n");

        var (code, _, error) = await RunAsync("deploy", "start", "n1", "--kernel", "http://img.test/k", "--ramdisk", "http://img.test/r", "--config", config);

        Assert.Equal(1, code);
        Assert.Contains($"{config}: [deploy]image_cache_size 'lots' is not a size", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--boot-iso", "http://x/a.iso", "/etc/x.conf=./no-such-file", "does not exist")]
    [InlineData("--boot-iso", "http://x/a.iso", "no-equals-sign", "is not ISO_PATH=LOCAL_FILE")]
    [InlineData("--kernel", "http://x/k", "/etc/x.conf=EXISTING", "need -BootIso / --boot-iso")]
    public async Task Start_WithABadInjectFile_IsAUsageError_AndTouchesNothing(string flag, string value, string inject, string message)
    {
        var existing = Path.Combine(_root, "x.conf");
        await File.WriteAllTextAsync(existing, "x");
        var args = new List<string> { "deploy", "start", "n1", flag, value, "--inject-file", inject.Replace("EXISTING", existing, StringComparison.Ordinal) };
        if (flag == "--kernel") args.AddRange(["--ramdisk", "http://x/r"]);

        var (code, _, error) = await RunAsync([.. args]);

        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        await using var store = await InventoryStores.OpenAsync(StoreLocation.Sqlite(Db), CancellationToken.None);
        Assert.Equal(ProvisionStates.Available, (await store.GetNodeAsync("n1", CancellationToken.None))!.ProvisionState);
    }

    [Fact]
    public async Task Start_UnknownNode_FailsWithTheReason()
    {
        var (code, _, error) = await RunAsync("deploy", "start", "ghost", "--kernel", "http://x/k", "--ramdisk", "http://x/r", "--image-cache", CacheDir);

        Assert.Equal(1, code);
        Assert.Contains("No node is named 'ghost'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wait_TimesOut_OnANodeThatNeverCallsBack()
    {
        await RunAsync("deploy", "start", "n1", "--kernel", "http://x/k", "--ramdisk", "http://x/r", "--image-cache", CacheDir);

        var (code, _, error) = await RunAsync("deploy", "wait", "n1", "--timeout", "1");

        Assert.Equal(1, code);
        Assert.Contains("still 'wait call-back'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_UndeploysToAvailable()
    {
        await RunAsync("deploy", "start", "n1", "--kernel", "http://x/k", "--ramdisk", "http://x/r", "--image-cache", CacheDir);

        var (code, output, error) = await RunAsync("deploy", "stop", "n1", "--image-cache", CacheDir, "--json");

        Assert.True(code == 0, error);
        Assert.Equal("available", JsonDocument.Parse(output).RootElement.GetProperty("provision_state").GetString());
    }

    [Fact]
    public async Task Start_WithAFileThatIsNotAnIso_EndsInDeployFailed_AndExits1()
    {
        var iso = Path.Combine(_root, "tiny.iso");
        await File.WriteAllBytesAsync(iso, new byte[4096]);

        var (code, _, error) = await RunAsync("deploy", "start", "n1", "--boot-iso", iso, "--image-cache", CacheDir);

        Assert.Equal(1, code);
        Assert.Contains("deploy of node n1 failed", error, StringComparison.Ordinal);
        var show = await RunAsync("deploy", "show", "n1", "--json");
        var status = JsonDocument.Parse(show.Output).RootElement;
        Assert.Equal("deploy failed", status.GetProperty("provision_state").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("reservation").ValueKind);
    }

    /// <summary>
    /// Runs `ironic deploy start n1` as a process against a base that stalls after 3 MiB, waits
    /// until it holds the node and has part of the image on disk, and kills it (SIGKILL). Returns its pid.
    /// </summary>
    private async Task<int> KillADeployMidDownloadAsync(TestFileServer files)
    {
        var content = new byte[8 << 20];
        new Random(5).NextBytes(content);
        var url = files.Add("big.iso", content, new FileBehaviour { StallRequest = _ => true, CutAfterBytes = 3 << 20 });
        var ironic = Path.Combine(AppContext.BaseDirectory, "ironic.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { ironic, "deploy", "start", "n1", "--boot-iso", url.ToString(), "--store", Db, "--image-cache", CacheDir }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                var partial = Directory.Exists(Path.Combine(CacheDir, "tmp")) ? Directory.GetFiles(Path.Combine(CacheDir, "tmp"), "*.part") : [];
                if (partial.Any(f => new FileInfo(f).Length >= 1 << 20)) break;
                await Task.Delay(100);
            }
            await using var store = await InventoryStores.OpenAsync(StoreLocation.Sqlite(Db), CancellationToken.None);
            var during = (await store.GetNodeAsync("n1", CancellationToken.None))!;
            Assert.Equal(ProvisionStates.Deploying, during.ProvisionState);
            Assert.Equal($"process:{Environment.MachineName.ToLowerInvariant()}:{process.Id}", during.Reservation);
        }
        finally
        {
            // Process.Kill is SIGKILL on Unix: no finally block of the deploy runs.
            process.Kill();
            await process.WaitForExitAsync();
        }
        return process.Id;
    }

    private async Task<JsonElement> ShowAsync() => JsonDocument.Parse((await RunAsync("deploy", "show", "n1", "--json")).Output).RootElement.Clone();

    /// <summary>A killed download leaves at most a partial file that the cache never serves or uses as an image.</summary>
    private void AssertNoImageCached()
    {
        using var cache = ImageCache.Open(new ImageCacheOptions { Directory = CacheDir });
        Assert.Empty(cache.Images());
        Assert.Empty(Directory.GetFiles(Path.Combine(CacheDir, "blobs")));
    }

    /// <summary>
    /// `ironic deploy start` killed (SIGKILL) while a boot server runs on the inventory: the server's
    /// periodic sweep finds the node held by a process that is gone, fails the deploy saying so and
    /// frees the node, without a restart.
    /// </summary>
    [Fact]
    public async Task KilledDuringTheDeploy_ARunningServerFailsTheDeploy_AndFreesTheNode()
    {
        await using var files = await TestFileServer.StartAsync();
        await using var server = BootServer.Create(new BootServerOptions
        {
            Listen = "127.0.0.1:0", Name = "sweeper", Store = StoreLocation.Sqlite(Db), ImageCacheDirectory = CacheDir,
            ReservationSweepInterval = TimeSpan.FromMilliseconds(300),
        }, _ => { });
        await server.StartAsync(CancellationToken.None);

        var pid = await KillADeployMidDownloadAsync(files);

        var status = await ShowAsync();
        for (var i = 0; i < 100 && status.GetProperty("reservation").ValueKind != JsonValueKind.Null; i++)
        {
            await Task.Delay(100);
            status = await ShowAsync();
        }
        Assert.Equal(JsonValueKind.Null, status.GetProperty("reservation").ValueKind);
        Assert.Equal("deploy failed", status.GetProperty("provision_state").GetString());
        Assert.Equal($"the process that ran the deploy (pid {pid} on {Environment.MachineName.ToLowerInvariant()}) ended during the deploy; sweeper released its reservation. Deploy it again",
            status.GetProperty("last_error").GetString());
        Assert.Empty(server.Recovered);
        AssertNoImageCached();
    }

    /// <summary>With no server running, the next `ironic deploy start` of the node recovers it first, says so, and deploys.</summary>
    [Fact]
    public async Task KilledDuringTheDeploy_TheNextDeployRecoversTheNode_AndRuns()
    {
        await using var files = await TestFileServer.StartAsync();
        var pid = await KillADeployMidDownloadAsync(files);

        var (code, _, error) = await RunAsync("deploy", "start", "n1", "--kernel", "http://img.test/k", "--ramdisk", "http://img.test/r", "--image-cache", CacheDir);

        Assert.True(code == 0, error);
        Assert.Contains($"n1: recovered from process:{Environment.MachineName.ToLowerInvariant()}:{pid}: the process that ran the deploy (pid {pid} on", error, StringComparison.Ordinal);
        Assert.Equal("wait call-back", (await ShowAsync()).GetProperty("provision_state").GetString());
        AssertNoImageCached();
    }

    /// <summary>
    /// Killed with no server running and nothing else touching the node: the next boot server that
    /// starts on the inventory fails the deploy with that reason and frees it.
    /// </summary>
    [Fact]
    public async Task KilledDuringTheDeploy_TheNextServerFailsTheDeploy_AndNoImageIsCached()
    {
        await using var files = await TestFileServer.StartAsync();
        var pid = await KillADeployMidDownloadAsync(files);

        AssertNoImageCached();
        await using (var server = BootServer.Create(new BootServerOptions { Listen = "127.0.0.1:0", Name = "after-crash", Store = StoreLocation.Sqlite(Db), ImageCacheDirectory = CacheDir }, _ => { }))
        {
            await server.StartAsync(CancellationToken.None);
            Assert.Single(server.Recovered);
        }
        var status = await ShowAsync();
        Assert.Equal("deploy failed", status.GetProperty("provision_state").GetString());
        Assert.Contains($"(pid {pid} on {Environment.MachineName.ToLowerInvariant()}) ended during the deploy; after-crash released its reservation", status.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, status.GetProperty("reservation").ValueKind);
    }
}
