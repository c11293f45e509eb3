using System.Security.Cryptography;
using Ironic.BmcEmulation;
using Ironic.Core.Deploy;
using Ironic.Core.Hardware;
using Ironic.Core.Inventory;

namespace Ironic.Server.Tests.Deploy;

/// <summary>
/// Deploys against emulated Redfish BMCs that really fetch the inserted image (HEAD + Range GETs
/// from the boot server) and record its SHA-256.
/// </summary>
public sealed class DeployEndToEndTests
{
    internal static async Task<(Node Node, BmcEmulator Bmc)> AddRedfishNodeAsync(DeployHarness h, string name, BmcEmulatorOptions? options = null)
    {
        var bmc = await BmcEmulator.StartAsync(options ?? new BmcEmulatorOptions(), CancellationToken.None);
        var node = await h.AddNodeAsync(name, "redfish", RedfishDriverInfo(bmc));
        return (node, bmc);
    }

    /// <summary>driver_info that points a redfish node at <paramref name="bmc"/> (the emulator's default account).</summary>
    internal static Dictionary<string, string> RedfishDriverInfo(BmcEmulator bmc) => new()
    {
        [DriverInfoKeys.RedfishAddress] = bmc.Address.ToString(),
        [DriverInfoKeys.RedfishUsername] = "admin",
        [DriverInfoKeys.RedfishPassword] = "password",
    };

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    [Fact]
    public async Task FiftyNodes_FromOneBaseIso_OneDownload_FiftySmallOverlays_EveryBmcFetchesItsOwnIso()
    {
        await using var h = await DeployHarness.StartAsync();
        var baseUrl = h.ServeBaseIso();
        var machines = new List<(Node Node, BmcEmulator Bmc)>();
        try
        {
            for (var i = 0; i < 50; i++) machines.Add(await AddRedfishNodeAsync(h, $"rack1-{i:00}"));

            var deployed = await Task.WhenAll(machines.Select(m =>
                h.Deploy.DeployAsync(m.Node.Name, new DeployRequest { BootIso = baseUrl, KernelParameters = ["ipa-debug=1"] }, null, CancellationToken.None)));

            Assert.All(deployed, n => Assert.Equal(ProvisionStates.Active, n.ProvisionState));
            Assert.Equal(1, h.Files.Requests("base.iso"));
            Assert.Equal(1, h.Cache.DownloadCount);

            // Disk: one base in the cache, 50 deltas of at most 64 KiB in the inventory.
            var baseLength = new FileInfo(DeployHarness.BaseIso).Length;
            var cacheBytes = Directory.EnumerateFiles(Path.Combine(h.Root, "cache"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            long deltaBytes = 0;
            foreach (var (node, _) in machines)
            {
                var delta = await h.Store.GetArtifactAsync(node.Uuid, NodeIsoArtifacts.DeltaArtifact, CancellationToken.None);
                Assert.NotNull(delta);
                Assert.InRange(delta.Length, 1, 64 * 1024);
                deltaBytes += delta.Length;
            }
            Assert.True(cacheBytes + deltaBytes <= baseLength + 50L * 64 * 1024, $"cache {cacheBytes} + deltas {deltaBytes} > base {baseLength} + 50 x 64 KiB");
            Assert.Equal(50, h.Cache.References().Count);

            // Every BMC downloaded its node's ISO, and got exactly the composed overlay.
            var hashes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (node, bmc) in machines)
            {
                using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(3));
                var download = await bmc.State.WaitForDownloadAsync(bmc.State.CdSlot.Path, wait.Token);
                Assert.True(download.Status == ImageDownloadStatus.Completed, $"{node.Name}: {download.Status} {download.Error}");
                Assert.EndsWith($"/v1/images/{node.Uuid:D}/boot.iso", download.Url, StringComparison.Ordinal);
                Assert.Equal(Sha256Hex(await h.ComposedIsoAsync(node.Uuid)), download.Sha256);
                // It booted once from the virtual CD holding that ISO (the Once override is used up by that boot).
                Assert.Contains(bmc.State.Boots, b => b.Device == "Cd" && b.FromOverride && b.Image == download.Url);
                Assert.Equal("On", bmc.State.PowerState);
                hashes.Add(download.Sha256!);
            }
            Assert.Equal(50, hashes.Count); // each node's ISO carries its own parameters

            var nodes = await h.Store.ListNodesAsync(CancellationToken.None);
            Assert.All(nodes, n => Assert.Null(n.Reservation));
        }
        finally
        {
            foreach (var (_, bmc) in machines) await bmc.DisposeAsync();
        }
    }

    [Fact]
    public async Task BmcAnsweringOnly503_EndsInDeployFailed_WithTheBmcsWords_AndNoLeakedReservation()
    {
        await using var h = await DeployHarness.StartAsync(DeployHardware.CreateFactory(adjustRedfish: (_, o) => o with { RetryDelay = TimeSpan.FromMilliseconds(50), MaxRetryAfter = TimeSpan.FromMilliseconds(100) }));
        var (node, bmc) = await AddRedfishNodeAsync(h, "flaky-all", new BmcEmulatorOptions { FailureProbability = 1.0, RetryAfterSeconds = 0 });
        await using (bmc)
        {
            await Assert.ThrowsAsync<DeployException>(() => h.Deploy.DeployAsync(node.Name, new DeployRequest { BootIso = h.ServeBaseIso() }, null, CancellationToken.None));

            var stored = (await h.Store.GetNodeAsync(node.Name, CancellationToken.None))!;
            Assert.Equal(ProvisionStates.DeployFailed, stored.ProvisionState);
            Assert.Contains("503", stored.LastError, StringComparison.Ordinal);
            Assert.Null(stored.Reservation);
            Assert.Null(await h.Store.GetArtifactAsync(node.Uuid, NodeIsoArtifacts.DeltaArtifact, CancellationToken.None));
            Assert.Equal(DeployHarness.BaseSha256, Assert.Single(h.Cache.Images()).Sha256);
        }
    }

    [Fact]
    public async Task BmcFailingEveryThirdRequest_IsRetried_AndTheDeploySucceeds()
    {
        await using var h = await DeployHarness.StartAsync(DeployHardware.CreateFactory(adjustRedfish: (_, o) => o with { RetryDelay = TimeSpan.FromMilliseconds(50), MaxRetryAfter = TimeSpan.FromMilliseconds(100) }));
        var (node, bmc) = await AddRedfishNodeAsync(h, "flaky-third", new BmcEmulatorOptions { FailEveryNthRequest = 3, RetryAfterSeconds = 0 });
        await using (bmc)
        {
            var after = await h.Deploy.DeployAsync(node.Name, new DeployRequest { BootIso = h.ServeBaseIso() }, null, CancellationToken.None);

            Assert.Equal(ProvisionStates.Active, after.ProvisionState);
            Assert.Contains(bmc.Requests, r => r.Status == 503);
            using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var download = await bmc.State.WaitForDownloadAsync(bmc.State.CdSlot.Path, wait.Token);
            Assert.Equal(Sha256Hex(await h.ComposedIsoAsync(node.Uuid)), download.Sha256);
        }
    }

    /// <summary>
    /// A BMC whose certificate only the node's own CA bundle (driver_info redfish_verify_ca, a
    /// path, as in Ironic) trusts: the deploy verifies TLS with that bundle, as the BMC commands do.
    /// </summary>
    [Fact]
    public async Task TlsBmc_TrustedThroughTheNodesCaBundle_IsDeployed()
    {
        await using var h = await DeployHarness.StartAsync(DeployHardware.CreateFactory(adjustRedfish: (_, o) => o with { ReadRetries = 0 }));
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { UseTls = true }, CancellationToken.None);
        var bundle = Path.Combine(h.Root, "bmc-ca.pem");
        await File.WriteAllTextAsync(bundle, bmc.Certificate!.ExportCertificatePem());
        var untrusted = await h.AddNodeAsync("tls-untrusted", "redfish", RedfishDriverInfo(bmc));
        var trusted = await h.AddNodeAsync("tls-trusted", "redfish", new Dictionary<string, string>(RedfishDriverInfo(bmc)) { [DriverInfoKeys.RedfishVerifyCa] = bundle });

        var refused = await Assert.ThrowsAsync<DeployException>(() => h.Deploy.DeployAsync(untrusted.Name, new DeployRequest { BootIso = h.ServeBaseIso() }, null, CancellationToken.None));
        Assert.Contains("TLS", refused.Message, StringComparison.Ordinal);

        var after = await h.Deploy.DeployAsync(trusted.Name, new DeployRequest { BootIso = h.ServeBaseIso() }, null, CancellationToken.None);
        Assert.Equal(ProvisionStates.Active, after.ProvisionState);
        using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var download = await bmc.State.WaitForDownloadAsync(bmc.State.CdSlot.Path, wait.Token);
        Assert.Equal(Sha256Hex(await h.ComposedIsoAsync(trusted.Uuid)), download.Sha256);
    }

    /// <summary>
    /// The boot mode a node asks for (the request's, instance_info deploy_boot_mode, or boot_mode in
    /// instance_info capabilities) reaches the BMC with the one-time boot; a node that asks none
    /// leaves the BMC's mode alone; a mode that is none fails before anything is fetched.
    /// </summary>
    [Fact]
    public async Task BootMode_FromTheRequestOrInstanceInfo_IsSetWithTheOneTimeBoot()
    {
        await using var h = await DeployHarness.StartAsync();
        var baseUrl = h.ServeBaseIso();
        var (bios, biosBmc) = await AddRedfishNodeAsync(h, "mode-bios");
        var (uefi, uefiBmc) = await AddRedfishNodeAsync(h, "mode-uefi");
        var (none, noneBmc) = await AddRedfishNodeAsync(h, "mode-none");
        var (wrong, wrongBmc) = await AddRedfishNodeAsync(h, "mode-wrong");
        await using (biosBmc)
        await using (uefiBmc)
        await using (noneBmc)
        await using (wrongBmc)
        {
            // Two BMCs start in Legacy mode, so that keeping it and changing it both show.
            foreach (var (node, bmc) in new[] { (uefi, uefiBmc), (none, noneBmc) })
            {
                await using (var preset = DeployHardware.CreateRedfish(node)) await preset.SetBootDeviceAsync(BootDevice.Hdd, once: false, BootMode.Legacy, CancellationToken.None);
                bmc.ClearRequests();
            }
            await h.Deploy.DeployAsync(bios.Name, new DeployRequest { BootIso = baseUrl, BootMode = BootMode.Legacy }, null, CancellationToken.None);
            Assert.Equal("bios", (await h.Store.GetNodeAsync(bios.Name, CancellationToken.None))!.InstanceInfo[DeployBootMode.Key]);
            await h.Store.UpdateNodeAsync(uefi with { InstanceInfo = new Dictionary<string, string> { [DeployBootMode.CapabilitiesKey] = "{\"boot_mode\": \"uefi\"}" } }, CancellationToken.None);
            await h.Deploy.DeployAsync(uefi.Name, new DeployRequest { BootIso = baseUrl }, null, CancellationToken.None);
            await h.Deploy.DeployAsync(none.Name, new DeployRequest { BootIso = baseUrl }, null, CancellationToken.None);

            // The mode each machine booted its CD in (the emulator records it at power on).
            static string? BootedMode(BmcEmulator bmc) => bmc.State.Boots.Last(b => b.FromOverride && b.Device == "Cd").Mode;
            Assert.Equal("Legacy", BootedMode(biosBmc));
            Assert.Equal("UEFI", BootedMode(uefiBmc));
            Assert.Equal("Legacy", BootedMode(noneBmc));
            Assert.DoesNotContain(noneBmc.Requests, r => r.Method == "PATCH" && r.Body?.Contains("BootSourceOverrideMode", StringComparison.Ordinal) == true);

            var fetchesBefore = h.Files.Requests("base.iso");
            await h.Store.UpdateNodeAsync(wrong with { InstanceInfo = new Dictionary<string, string> { [DeployBootMode.Key] = "efi" } }, CancellationToken.None);
            var e = await Assert.ThrowsAsync<DeployException>(() => h.Deploy.DeployAsync(wrong.Name, new DeployRequest { BootIso = baseUrl }, null, CancellationToken.None));
            Assert.Equal(DeployFailure.InvalidInstanceInfo, e.Failure);
            Assert.Contains("instance_info/deploy_boot_mode 'efi'", e.Message, StringComparison.Ordinal);
            Assert.Contains("use uefi or bios", e.Message, StringComparison.Ordinal);
            var refused = (await h.Store.GetNodeAsync(wrong.Name, CancellationToken.None))!;
            Assert.Equal(ProvisionStates.Available, refused.ProvisionState);
            Assert.Null(refused.Reservation);
            Assert.Equal(fetchesBefore, h.Files.Requests("base.iso"));
            Assert.DoesNotContain(wrongBmc.Requests, r => r.Method != "GET");
        }
    }

    /// <summary>The base in the cache is whole and verified: one blob whose bytes hash to the base's SHA-256, no node referencing it.</summary>
    private static void AssertCacheEntryIntact(DeployHarness h)
    {
        var image = Assert.Single(h.Cache.Images());
        Assert.Equal(DeployHarness.BaseSha256, image.Sha256);
        using (var stream = image.OpenRead()) Assert.Equal(DeployHarness.BaseSha256, Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant());
        Assert.Empty(h.Cache.References());
    }

    [Fact]
    public async Task InsertMediaRefused_AfterTheEjectWorked_EndsInDeployFailed_QuotingTheBmc_AndARetryWorks()
    {
        await using var h = await DeployHarness.StartAsync(DeployHardware.CreateFactory(adjustRedfish: (_, o) => o with { RetryDelay = TimeSpan.FromMilliseconds(50) }));
        // A busy slot: the deploy's eject has something to take out before its insert.
        var (node, bmc) = await AddRedfishNodeAsync(h, "insert-500", new BmcEmulatorOptions { PreinsertedImage = "http://192.0.2.1/previous.iso" });
        await using (bmc)
        {
            bmc.AddFault(new RequestFault { Method = "POST", PathEndsWith = "VirtualMedia.InsertMedia", Status = 500, Message = "Virtual Media image could not be mounted (test fault)" });

            var e = await Assert.ThrowsAsync<DeployException>(() => h.Deploy.DeployAsync(node.Name, new DeployRequest { BootIso = h.ServeBaseIso() }, null, CancellationToken.None));

            Assert.Equal(DeployFailure.Failed, e.Failure);
            var eject = Assert.Single(bmc.Requests, r => r.Path.EndsWith("VirtualMedia.EjectMedia", StringComparison.Ordinal));
            var insert = Assert.Single(bmc.Requests, r => r.Path.EndsWith("VirtualMedia.InsertMedia", StringComparison.Ordinal));
            Assert.InRange(eject.Status, 200, 299);
            Assert.Equal(500, insert.Status);
            Assert.True(eject.At <= insert.At);
            var stored = (await h.Store.GetNodeAsync(node.Name, CancellationToken.None))!;
            Assert.Equal(ProvisionStates.DeployFailed, stored.ProvisionState);
            Assert.Contains("500", stored.LastError, StringComparison.Ordinal);
            Assert.Contains("Virtual Media image could not be mounted (test fault)", stored.LastError, StringComparison.Ordinal);
            Assert.Null(stored.Reservation);
            // Consistent: nothing of the failed deploy is published, the slot is empty, the base is cached whole.
            Assert.Null(await h.Store.GetArtifactAsync(node.Uuid, NodeIsoArtifacts.DeltaArtifact, CancellationToken.None));
            Assert.Null(await h.Store.GetArtifactAsync(node.Uuid, NodeIsoArtifacts.BaseArtifact, CancellationToken.None));
            Assert.False(bmc.State.CdSlot.Inserted);
            Assert.Equal("Off", bmc.State.PowerState);
            AssertCacheEntryIntact(h);

            var retried = await h.Deploy.DeployAsync(node.Name, new DeployRequest { BootIso = h.ServeBaseIso() }, null, CancellationToken.None);
            Assert.Equal(ProvisionStates.Active, retried.ProvisionState);
            Assert.Equal(1, h.Cache.DownloadCount);
        }
    }

    [Fact]
    public async Task PowerOnTimingOut_AfterTheInsert_EndsInDeployFailed_SayingSo()
    {
        await using var h = await DeployHarness.StartAsync(DeployHardware.CreateFactory(adjustRedfish: (_, o) => o with { RequestTimeout = TimeSpan.FromSeconds(1.5), WriteRetries = 0, RetryDelay = TimeSpan.FromMilliseconds(50) }));
        var (node, bmc) = await AddRedfishNodeAsync(h, "power-hangs", new BmcEmulatorOptions { ImageFetch = ImageFetchMode.None });
        await using (bmc)
        {
            // 1.5 s: the requests before the power-on must still get through on a loaded machine.
            bmc.AddFault(new RequestFault { Method = "POST", PathEndsWith = "ComputerSystem.Reset", BodyContains = "\"On\"", Status = 0, Delay = TimeSpan.FromSeconds(10) });

            var e = await Assert.ThrowsAsync<DeployException>(() => h.Deploy.DeployAsync(node.Name, new DeployRequest { BootIso = h.ServeBaseIso() }, null, CancellationToken.None));

            Assert.Contains("no answer within 1.5 s", e.Message, StringComparison.Ordinal);
            Assert.Contains(bmc.Requests, r => r.Path.EndsWith("VirtualMedia.InsertMedia", StringComparison.Ordinal) && r.Status is >= 200 and < 300);
            var stored = (await h.Store.GetNodeAsync(node.Name, CancellationToken.None))!;
            Assert.Equal(ProvisionStates.DeployFailed, stored.ProvisionState);
            Assert.Contains("no answer within 1.5 s", stored.LastError, StringComparison.Ordinal);
            Assert.Null(stored.Reservation);
            // The overlay is dropped with the failure: the URL the BMC holds answers 404 until a new deploy.
            Assert.Null(await h.Store.GetArtifactAsync(node.Uuid, NodeIsoArtifacts.DeltaArtifact, CancellationToken.None));
            using var http = new HttpClient();
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(bmc.State.CdSlot.Image)).StatusCode);
            AssertCacheEntryIntact(h);
            Assert.Equal("Off", bmc.State.PowerState);
        }
    }

    [Fact]
    public async Task BmcTimingOut_EndsInDeployFailed_SayingSo()
    {
        await using var h = await DeployHarness.StartAsync(DeployHardware.CreateFactory(adjustRedfish: (_, o) => o with { RequestTimeout = TimeSpan.FromMilliseconds(400), ReadRetries = 1, WriteRetries = 0, RetryDelay = TimeSpan.FromMilliseconds(50) }));
        var (node, bmc) = await AddRedfishNodeAsync(h, "slow", new BmcEmulatorOptions { ResponseDelay = TimeSpan.FromSeconds(2) });
        await using (bmc)
        {
            await Assert.ThrowsAsync<DeployException>(() => h.Deploy.DeployAsync(node.Name, new DeployRequest { BootIso = h.ServeBaseIso() }, null, CancellationToken.None));

            var stored = (await h.Store.GetNodeAsync(node.Name, CancellationToken.None))!;
            Assert.Equal(ProvisionStates.DeployFailed, stored.ProvisionState);
            Assert.Contains("no answer within", stored.LastError, StringComparison.Ordinal);
            Assert.Null(stored.Reservation);
        }
    }
}
