using System.Net.Http.Headers;
using Ironic.BmcEmulation;
using Ironic.Core.Hardware;
using Ironic.Core.Redfish;

namespace Ironic.Core.Tests.Redfish;

/// <summary>One image server for the whole class: each BMC emulator fetches from it.</summary>
public sealed class ImageServerFixture : IDisposable
{
    internal LocalImageServer Server { get; } = new("node1.iso", 3 * 1024 * 1024 + 123);
    public void Dispose() => Server.Dispose();
}

/// <summary>
/// Drives the Redfish client through the BMC emulator's vendor profiles: insert, verify, boot
/// once, power on, eject, with the image really fetched over HTTP by the emulated BMC.
/// </summary>
public class EmulatorEndToEndTests(ImageServerFixture images) : IClassFixture<ImageServerFixture>
{
    private readonly LocalImageServer _images = images.Server;

    private static async Task<BmcEmulator> StartBmcAsync(BmcEmulatorOptions options) =>
        await BmcEmulator.StartAsync(options with { DownloadChunkSize = 256 * 1024 }, CancellationToken.None);

    private static RedfishHardware Hardware(BmcEmulator bmc, Action<string>? log = null, string? password = null, HttpMessageHandler? handler = null, Func<RedfishClientOptions, RedfishClientOptions>? tune = null)
    {
        var options = new RedfishClientOptions(bmc.Address)
        {
            Username = bmc.Options.UserName,
            Password = password ?? bmc.Options.Password,
            RetryDelay = TimeSpan.FromMilliseconds(50),
            TaskPollInterval = TimeSpan.FromMilliseconds(50),
            MaxRetryAfter = TimeSpan.FromMilliseconds(200),
            ReadRetries = 4,
            WriteRetries = 4,
            Log = log,
        };
        return new RedfishHardware(tune?.Invoke(options) ?? options, null, handler)
        {
            InsertOptions = new VirtualMediaInsertOptions { VerifyTimeout = TimeSpan.FromSeconds(20), VerifyInterval = TimeSpan.FromMilliseconds(50), SettleTime = TimeSpan.FromMilliseconds(300) },
            PowerOptions = new RedfishPowerOptions { Timeout = TimeSpan.FromSeconds(20), PollInterval = TimeSpan.FromMilliseconds(50) },
        };
    }

    public static TheoryData<string> Profiles => new(Enum.GetNames<BmcProfile>());

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task EveryProfile_InsertsVerifiesBootsOncePowersOnAndEjects(string profileName)
    {
        var profile = Enum.Parse<BmcProfile>(profileName);
        await using var bmc = await StartBmcAsync(new BmcEmulatorOptions { Profile = profile });
        await using var hardware = Hardware(bmc);

        var slot = await hardware.AttachAndBootAsync(new VirtualMediaBootRequest(_images.ImageUrl) { BootOnce = true, PowerOn = true, Mode = BootMode.Uefi }, CancellationToken.None);

        Assert.True(slot.Holds(_images.ImageUrl), $"{profile}: slot {slot.Path} reads {slot.Image}, inserted {slot.Inserted}");
        var download = await bmc.State.WaitForDownloadAsync(slot.Path, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ImageDownloadStatus.Completed, download.Status);
        Assert.Equal(_images.Sha256, download.Sha256);
        Assert.Equal(_images.ImageUrl.AbsoluteUri, bmc.State.Slot(slot.Path).Image);

        // The server really booted from the virtual CD holding our image, and the Once override was used up.
        var booted = Assert.Single(bmc.State.Boots);
        Assert.Contains(booted.Device, new[] { "Cd", "UsbCd" });
        Assert.True(booted.FromOverride);
        Assert.Equal(_images.ImageUrl.AbsoluteUri, booted.Image);
        if (booted.Mode is not null) Assert.Equal("UEFI", booted.Mode);
        Assert.Equal("On", bmc.State.PowerState);
        Assert.Equal(HardwarePowerState.On, await hardware.GetPowerStateAsync(CancellationToken.None));

        await hardware.EjectVirtualMediaAsync(CancellationToken.None);
        Assert.False(bmc.State.Slot(slot.Path).Inserted);
        Assert.All(bmc.State.Slots.Where(s => s.MediaTypes.Contains("CD") || s.MediaTypes.Contains("DVD")), s => Assert.False(s.Inserted));
    }

    public static TheoryData<string> QuirkFlows => new()
    {
        "iLO, every 3rd request 503",
        "XCC, actions as 202 tasks",
        "iDRAC, 150 ms per answer",
        "Supermicro, 1.5 s power transitions",
        "Generic, tasks + every 4th request 503 + slow power",
        "Generic, credentials and transfer protocol required",
    };

    /// <summary>A quirk flow: the BMC to start, and what its requests must show that the quirk was really met.</summary>
    private static (BmcEmulatorOptions Options, Action<BmcEmulator> Met) QuirkFlow(string name) => name switch
    {
        "iLO, every 3rd request 503" => (
            new BmcEmulatorOptions { Profile = BmcProfile.Ilo, FailEveryNthRequest = 3 },
            bmc => Assert.True(bmc.Requests.Count(r => r.Status == 503) >= 5, "the BMC answered fewer than five 503s")),
        "XCC, actions as 202 tasks" => (
            new BmcEmulatorOptions { Profile = BmcProfile.Xcc, Quirks = BmcProfiles.DefaultQuirks(BmcProfile.Xcc) | BmcQuirks.ActionsAsTasks, TaskDuration = TimeSpan.FromMilliseconds(400) },
            bmc =>
            {
                Assert.Contains(bmc.Requests, r => r.Method == "POST" && r.Path.EndsWith("ComputerSystem.Reset", StringComparison.Ordinal) && r.Status == 202);
                Assert.Contains(bmc.Requests, r => r.Method == "GET" && r.Path.Contains("/TaskService/TaskMonitors/", StringComparison.Ordinal) && r.Status == 202);
            }),
        "iDRAC, 150 ms per answer" => (
            new BmcEmulatorOptions { Profile = BmcProfile.Idrac, ResponseDelay = TimeSpan.FromMilliseconds(150) },
            bmc =>
            {
                var requests = bmc.Requests.ToList();
                Assert.True(requests[^1].At - requests[0].At >= TimeSpan.FromMilliseconds(150) * (requests.Count - 1), "the answers were not slowed down");
            }),
        "Supermicro, 1.5 s power transitions" => (
            new BmcEmulatorOptions { Profile = BmcProfile.Supermicro, PowerTransitionDelay = TimeSpan.FromMilliseconds(1500) },
            bmc => PowerPolledThroughTheTransition(bmc, TimeSpan.FromMilliseconds(1500))),
        "Generic, tasks + every 4th request 503 + slow power" => (
            new BmcEmulatorOptions { Profile = BmcProfile.Generic, Quirks = BmcQuirks.ActionsAsTasks, FailEveryNthRequest = 4, PowerTransitionDelay = TimeSpan.FromMilliseconds(800) },
            bmc =>
            {
                Assert.Contains(bmc.Requests, r => r.Status == 503);
                Assert.Contains(bmc.Requests, r => r.Method == "POST" && r.Path.EndsWith("VirtualMedia.InsertMedia", StringComparison.Ordinal) && r.Status == 202);
                Assert.Contains(bmc.Requests, r => r.Method == "POST" && r.Path.EndsWith("VirtualMedia.EjectMedia", StringComparison.Ordinal) && r.Status == 202);
                PowerPolledThroughTheTransition(bmc, TimeSpan.FromMilliseconds(800));
            }),
        "Generic, credentials and transfer protocol required" => (
            new BmcEmulatorOptions { Profile = BmcProfile.Generic, Quirks = BmcQuirks.CredentialsRequired | BmcQuirks.TransferProtocolTypeRequired },
            bmc =>
            {
                var inserts = bmc.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("VirtualMedia.InsertMedia", StringComparison.Ordinal)).ToList();
                Assert.Equal(400, inserts[0].Status);
                Assert.Equal(204, inserts[^1].Status);
                var accepted = System.Text.Json.Nodes.JsonNode.Parse(inserts[^1].Body!)!.AsObject();
                Assert.Equal("", accepted["UserName"]!.GetValue<string>());
                Assert.True(accepted.ContainsKey("Password"));
                Assert.Equal("HTTP", accepted["TransferProtocolType"]!.GetValue<string>());
            }),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>The client waited for the power change: it read the System after the reset for at least the transition time.</summary>
    private static void PowerPolledThroughTheTransition(BmcEmulator bmc, TimeSpan transition)
    {
        var requests = bmc.Requests.ToList();
        var reset = requests.FindLastIndex(r => r.Method == "POST" && r.Path.EndsWith("ComputerSystem.Reset", StringComparison.Ordinal) && r.Status is >= 200 and < 300);
        Assert.True(reset >= 0, "no reset was accepted");
        var polls = requests.Skip(reset + 1).Where(r => r.Method == "GET" && r.Path == bmc.State.SystemPath && r.Status == 200).ToList();
        Assert.True(polls.Count >= 2, $"the client read the System {polls.Count} time(s) after the reset");
        Assert.True(polls[^1].At - requests[reset].At >= transition - TimeSpan.FromMilliseconds(100), "the client stopped reading the power state before the transition ended");
    }

    [Theory]
    [MemberData(nameof(QuirkFlows))]
    public async Task QuirkyBmcs_InsertVerifyBootOncePowerOnAndEject_WithTheImageReallyFetched(string flow)
    {
        var (options, met) = QuirkFlow(flow);
        using var images = new LocalImageServer("quirk.iso", 1024 * 1024 + 7);
        await using var bmc = await StartBmcAsync(options);
        await using var hardware = Hardware(bmc);

        var slot = await hardware.AttachAndBootAsync(new VirtualMediaBootRequest(images.ImageUrl) { BootOnce = true, PowerOn = true, Mode = BootMode.Uefi }, CancellationToken.None);

        // On as soon as the call returns: the client waited for the power change, whatever it took.
        Assert.Equal("On", bmc.State.PowerState);
        Assert.True(slot.Holds(images.ImageUrl), $"{flow}: slot {slot.Path} reads {slot.Image}, inserted {slot.Inserted}");
        var download = await bmc.State.WaitForDownloadAsync(slot.Path, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ImageDownloadStatus.Completed, download.Status);
        Assert.Equal(images.Sha256, download.Sha256);
        // The image server saw what a BMC sends: HEAD, then Range GETs of 256 KiB (the emulator's chunk here) to the end.
        Assert.True(images.Heads >= 1, "the image server saw no HEAD");
        Assert.Equal((1024 * 1024 + 7 + 256 * 1024 - 1) / (256 * 1024), images.RangeGets);
        var booted = Assert.Single(bmc.State.Boots);
        Assert.Contains(booted.Device, new[] { "Cd", "UsbCd" });
        Assert.True(booted.FromOverride);
        Assert.Equal(images.ImageUrl.AbsoluteUri, booted.Image);

        await hardware.EjectVirtualMediaAsync(CancellationToken.None);
        Assert.All(bmc.State.Slots.Where(s => s.MediaTypes.Contains("CD") || s.MediaTypes.Contains("DVD")), s => Assert.False(s.Inserted));
        met(bmc);
    }

    [Fact]
    public async Task Patch_WithAStrongETagGoneStale_IsRetriedWithTheFreshOne()
    {
        await using var bmc = await StartBmcAsync(new BmcEmulatorOptions { Profile = BmcProfile.Generic, Quirks = BmcQuirks.IfMatchRequired });
        await using var hardware = Hardware(bmc);
        var system = await hardware.GetSystemAsync(CancellationToken.None);
        var stale = (await hardware.Client.GetAsync(system.Path, CancellationToken.None)).ETag!;
        // Someone else changes the System in between: the ETag read above no longer matches.
        await using (var other = Hardware(bmc)) await other.SetBootDeviceAsync(BootDevice.Pxe, once: true, null, CancellationToken.None);
        bmc.ClearRequests();

        await hardware.Client.PatchAsync(system.Path, new System.Text.Json.Nodes.JsonObject { ["Boot"] = new System.Text.Json.Nodes.JsonObject { ["BootSourceOverrideTarget"] = "Cd" } }, stale, CancellationToken.None);

        Assert.Equal("Cd", bmc.State.Boot.Target);
        Assert.False(stale.StartsWith("W/", StringComparison.Ordinal));
        var patches = bmc.Requests.Where(r => r.Method == "PATCH").ToList();
        Assert.Equal(2, patches.Count);
        Assert.Equal((stale, 412), (patches[0].Headers["If-Match"], patches[0].Status));
        Assert.Equal(200, patches[1].Status);
        var fresh = patches[1].Headers["If-Match"];
        Assert.NotEqual(stale, fresh);
        Assert.False(fresh.StartsWith("W/", StringComparison.Ordinal));
        // The fresh tag is the one the BMC gave when the client read the System again after the 412.
        Assert.Contains(bmc.Requests, r => r.Method == "GET" && r.Path == system.Path && r.At > patches[0].At && r.At < patches[1].At);
    }

    [Fact]
    public async Task Supermicro_BootsFromUsbCd_TheOnlyCdTargetItAllows()
    {
        await using var bmc = await StartBmcAsync(new BmcEmulatorOptions { Profile = BmcProfile.Supermicro });
        await using var hardware = Hardware(bmc);
        await hardware.SetBootDeviceAsync(BootDevice.Cd, once: true, null, CancellationToken.None);
        Assert.Equal("UsbCd", bmc.State.Boot.Target);
    }

    [Theory]
    [InlineData(BmcQuirks.ActionsAsTasks)]
    [InlineData(BmcQuirks.SessionsDisabled)]
    [InlineData(BmcQuirks.WeakETags | BmcQuirks.IfMatchRequired | BmcQuirks.PatchOnlyVirtualMedia)]
    [InlineData(BmcQuirks.EjectRequiresJsonBody | BmcQuirks.TransferProtocolTypeRequired)]
    public async Task GenericBmc_WithQuirks_StillInsertsAndEjects(BmcQuirks quirks)
    {
        await using var bmc = await StartBmcAsync(new BmcEmulatorOptions { Profile = BmcProfile.Generic, Quirks = quirks });
        await using var hardware = Hardware(bmc);
        var slot = await hardware.AttachAndBootAsync(new VirtualMediaBootRequest(_images.ImageUrl) { BootOnce = true, PowerOn = true }, CancellationToken.None);
        Assert.True(bmc.State.Slot(slot.Path).Inserted);
        Assert.Equal("On", bmc.State.PowerState);
        await hardware.EjectVirtualMediaAsync(CancellationToken.None);
        Assert.False(bmc.State.Slot(slot.Path).Inserted);
    }

    [Fact]
    public async Task IntermittentServiceUnavailable_IsRetried()
    {
        await using var bmc = await StartBmcAsync(new BmcEmulatorOptions { Profile = BmcProfile.Idrac, FailEveryNthRequest = 4, RetryAfterSeconds = 0 });
        await using var hardware = Hardware(bmc);
        var slot = await hardware.AttachAndBootAsync(new VirtualMediaBootRequest(_images.ImageUrl) { BootOnce = true, PowerOn = true }, CancellationToken.None);
        Assert.True(bmc.State.Slot(slot.Path).Inserted);
        Assert.Contains(bmc.Requests, r => r.Status == 503);
    }

    [Fact]
    public async Task FirstLogin_SurvivesADroppedConnection()
    {
        await using var bmc = await StartBmcAsync(new BmcEmulatorOptions { Profile = BmcProfile.Idrac });
        bmc.DropNext(1);
        await using var hardware = Hardware(bmc);

        Assert.Equal(HardwarePowerState.Off, await hardware.GetPowerStateAsync(CancellationToken.None));

        var requests = bmc.Requests.ToList();
        Assert.Equal(("GET", "/redfish/v1/", 0), (requests[0].Method, requests[0].Path.TrimEnd('/') + "/", requests[0].Status));
        Assert.Equal(("GET", 200), (requests[1].Method, requests[1].Status));
        Assert.Contains(requests, r => r.Method == "POST" && r.Path.EndsWith("/Sessions", StringComparison.Ordinal) && r.Status == 201);
        Assert.Equal("session", hardware.Client.AuthenticationMode);
    }

    [Fact]
    public async Task FirstLogin_SurvivesServiceUnavailable()
    {
        await using var bmc = await StartBmcAsync(new BmcEmulatorOptions { Profile = BmcProfile.Ilo, RetryAfterSeconds = 0 });
        bmc.FailNext(3);
        await using var hardware = Hardware(bmc);

        Assert.Equal(HardwarePowerState.Off, await hardware.GetPowerStateAsync(CancellationToken.None));

        var login = bmc.Requests.Take(5).Select(r => (r.Method, r.Status)).ToList();
        Assert.Equal([("GET", 503), ("GET", 503), ("GET", 503), ("GET", 200), ("POST", 201)], login);
        Assert.Equal("session", hardware.Client.AuthenticationMode);
    }

    [Fact]
    public async Task Tls_IsVerified_AndTheEmulatorsCertificateIsTrustedThroughACaBundle()
    {
        await using var bmc = await StartBmcAsync(new BmcEmulatorOptions { Profile = BmcProfile.Generic, UseTls = true });
        await using (var untrusted = Hardware(bmc, tune: o => o with { ReadRetries = 0 }))
        {
            var e = await Assert.ThrowsAsync<RedfishUnreachableException>(() => untrusted.GetPowerStateAsync(CancellationToken.None));
            Assert.Contains("TLS", e.Message, StringComparison.Ordinal);
        }
        var bundle = Path.Combine(Path.GetTempPath(), $"bmc-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(bundle, bmc.Certificate!.ExportCertificatePem());
        try
        {
            await using var trusted = Hardware(bmc, tune: o => o with { CaBundlePath = bundle });
            Assert.Equal(HardwarePowerState.Off, await trusted.GetPowerStateAsync(CancellationToken.None));
            await using var skipping = Hardware(bmc, tune: o => o with { VerifyTls = false });
            Assert.Equal(HardwarePowerState.Off, await skipping.GetPowerStateAsync(CancellationToken.None));
        }
        finally
        {
            File.Delete(bundle);
        }
    }

    [Fact]
    public async Task SlowBmc_BeyondTheRequestTimeout_IsUnreachable_SayingSo()
    {
        await using var bmc = await StartBmcAsync(new BmcEmulatorOptions { Profile = BmcProfile.Generic, ResponseDelay = TimeSpan.FromSeconds(2) });
        await using var hardware = Hardware(bmc, tune: o => o with { RequestTimeout = TimeSpan.FromMilliseconds(200), ReadRetries = 1 });
        var e = await Assert.ThrowsAsync<RedfishUnreachableException>(() => hardware.GetPowerStateAsync(CancellationToken.None));
        Assert.Contains("no answer within 0.2 s", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongCredentials_EndInAnAuthenticationError_QuotingTheBmc()
    {
        await using var bmc = await StartBmcAsync(new BmcEmulatorOptions { Profile = BmcProfile.Ilo });
        await using var hardware = Hardware(bmc, password: "not-the-password");
        var e = await Assert.ThrowsAsync<RedfishAuthenticationException>(() => hardware.InsertVirtualMediaAsync(_images.ImageUrl, CancellationToken.None));
        Assert.Contains("The BMC said:", e.Message, StringComparison.Ordinal);
        Assert.NotEmpty(e.BmcMessages);
        Assert.DoesNotContain("not-the-password", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UrlTheBmcRefuses_EndsInARefusal_QuotingTheBmc()
    {
        await using var bmc = await StartBmcAsync(new BmcEmulatorOptions { Profile = BmcProfile.Idrac });
        await using var hardware = Hardware(bmc);
        var url = new Uri(_images.Address, "images/node1.img?token=abc");

        var e = await Assert.ThrowsAsync<RedfishActionRefusedException>(() => hardware.InsertVirtualMediaAsync(url, CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, e.StatusCode);
        var said = Assert.Single(e.BmcMessages);
        Assert.Equal("Base.1.12.ActionParameterValueError", said.MessageId);
        Assert.Contains("the image must be an .iso file named in the URL path, without a query string", said.Message, StringComparison.Ordinal);
        Assert.Equal(
            $"The BMC at {bmc.Address} refused to insert {url} into {bmc.State.CdSlot.Path}: it answered 400 and said: {said.MessageId}: {said.Message!.TrimEnd('.')}. "
            + "Many BMCs want image URLs that end in .iso, carry no query string.", e.Message);
        Assert.Empty(bmc.State.Boots);
        Assert.False(bmc.State.CdSlot.Inserted);
    }

    [Fact]
    public async Task BusySlot_EndsInAClearError_OrIsReplacedWhenAsked()
    {
        await using var bmc = await StartBmcAsync(new BmcEmulatorOptions { Profile = BmcProfile.Generic, PreinsertedImage = "http://192.0.2.9/old-installer.iso" });
        await using var hardware = Hardware(bmc);
        var e = await Assert.ThrowsAsync<RedfishBusyException>(() => hardware.InsertVirtualMediaAsync(_images.ImageUrl, CancellationToken.None));
        Assert.True(e.Message.StartsWith($"The BMC at {bmc.Address} reports that its virtual media slot {bmc.State.CdSlot.Path} already holds Image 'http://192.0.2.9/old-installer.iso', Inserted true, so {_images.ImageUrl} was not inserted.", StringComparison.Ordinal), e.Message);
        Assert.DoesNotContain(bmc.Requests, r => r.Path.EndsWith("VirtualMedia.InsertMedia", StringComparison.Ordinal));

        var slot = await hardware.AttachAndBootAsync(new VirtualMediaBootRequest(_images.ImageUrl) { ReplaceInsertedImage = true }, CancellationToken.None);
        Assert.Equal(_images.ImageUrl.AbsoluteUri, bmc.State.Slot(slot.Path).Image);
    }

    [Fact]
    public async Task BusySlot_TakenJustBeforeTheInsert_EndsInTheBmcsResourceInUse_AskedOnce()
    {
        await using var bmc = await StartBmcAsync(new BmcEmulatorOptions { Profile = BmcProfile.Generic, ImageFetch = ImageFetchMode.None });
        const string Other = "http://192.0.2.9/someone-elses.iso";
        using var racer = new RacingInsert(new SocketsHttpHandler(), bmc, Other);
        await using var hardware = Hardware(bmc, handler: racer);

        var e = await Assert.ThrowsAsync<RedfishBusyException>(() => hardware.InsertVirtualMediaAsync(_images.ImageUrl, CancellationToken.None));

        var inserts = bmc.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("VirtualMedia.InsertMedia", StringComparison.Ordinal)).Select(r => r.Status).ToList();
        Assert.Equal([204, 409], inserts);
        Assert.True(e.HasMessageId("ResourceInUse"));
        var said = Assert.Single(e.BmcMessages);
        Assert.Contains($"it answered 409 and said: {said.MessageId}: {said.Message}", e.Message, StringComparison.Ordinal);
        Assert.Contains(Other, said.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Contains($"The slot now reads Image '{Other}', Inserted true.", StringComparison.Ordinal), e.Message);
    }

    /// <summary>Just before the client's first InsertMedia reaches the BMC, another client inserts its own image (Basic authentication).</summary>
    private sealed class RacingInsert(HttpMessageHandler inner, BmcEmulator bmc, string image) : DelegatingHandler(inner)
    {
        private int _raced;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("VirtualMedia.InsertMedia", StringComparison.Ordinal) && Interlocked.Exchange(ref _raced, 1) == 0)
            {
                using var other = new HttpRequestMessage(HttpMethod.Post, request.RequestUri) { Content = new StringContent($$"""{"Image":"{{image}}"}""", System.Text.Encoding.UTF8, "application/json") };
                other.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{bmc.Options.UserName}:{bmc.Options.Password}")));
                using var answer = await base.SendAsync(other, cancellationToken);
                Assert.True(answer.IsSuccessStatusCode, $"the racing insert failed: {(int)answer.StatusCode}");
            }
            return await base.SendAsync(request, cancellationToken);
        }
    }

    [Theory]
    [InlineData(BmcProfile.Ilo, "false")]        // drops the image when the fetch fails
    [InlineData(BmcProfile.Generic, "true")]     // keeps it inserted, marked Critical
    public async Task ImageTheBmcCannotFetch_IsRefused_AfterVerification_QuotingTheSlotAsTheBmcReadsIt(BmcProfile profile, string insertedAfter)
    {
        await using var bmc = await StartBmcAsync(new BmcEmulatorOptions { Profile = profile });
        await using var hardware = Hardware(bmc);
        var missing = new Uri(_images.Address, "images/missing.iso");

        var e = await Assert.ThrowsAsync<RedfishActionRefusedException>(() => hardware.InsertVirtualMediaAsync(missing, hardware.InsertOptions with { VerifyTimeout = TimeSpan.FromSeconds(5) }, CancellationToken.None));

        var slot = bmc.State.CdSlot;
        Assert.Equal(ImageDownloadStatus.Failed, slot.Download.Status);
        Assert.Equal(
            $"The BMC at {bmc.Address} accepted {missing} for {slot.Path}, but then the slot read Image '{missing}', Inserted {insertedAfter}, Status.Health Critical. "
            + "The BMC most likely cannot fetch the image: check that the URL answers HEAD and Range requests from the BMC's network.", e.Message);
    }

    [Fact]
    public async Task ImageTheBmcCannotFetch_IsRefusedAtInsert_ByABmcThatChecksFirst_QuotingIt()
    {
        await using var bmc = await StartBmcAsync(new BmcEmulatorOptions { Profile = BmcProfile.Idrac });
        await using var hardware = Hardware(bmc);
        var missing = new Uri(_images.Address, "images/missing.iso");

        var e = await Assert.ThrowsAsync<RedfishActionRefusedException>(() => hardware.InsertVirtualMediaAsync(missing, CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, e.StatusCode);
        var said = Assert.Single(e.BmcMessages);
        Assert.Equal("Base.1.12.ResourceMissingAtURI", said.MessageId);
        Assert.Contains($"'{missing}' was not found", said.Message, StringComparison.Ordinal);
        Assert.StartsWith($"The BMC at {bmc.Address} refused to insert {missing} into {bmc.State.CdSlot.Path}: it answered 400 and said: Base.1.12.ResourceMissingAtURI: {said.Message!.TrimEnd('.')}.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoPasswordOrToken_InLogsOrErrors_DuringAWholeRun()
    {
        await using var bmc = await StartBmcAsync(new BmcEmulatorOptions { Profile = BmcProfile.Ilo, Password = "Pa55-w0rd-xyz" });
        var captured = new List<string>();
        var tokens = new TokenSpy(new SocketsHttpHandler());
        await using (var hardware = Hardware(bmc, line => { lock (captured) captured.Add(line); }, handler: tokens))
        {
            await hardware.AttachAndBootAsync(new VirtualMediaBootRequest(_images.ImageUrl) { BootOnce = true, PowerOn = true }, CancellationToken.None);
            await hardware.SetPowerStateAsync(PowerAction.ForceRestart, CancellationToken.None);
            await hardware.EjectVirtualMediaAsync(CancellationToken.None);
            var refused = await Assert.ThrowsAnyAsync<RedfishException>(() => hardware.InsertVirtualMediaAsync(new Uri("ftp://127.0.0.1/x.iso"), CancellationToken.None));
            captured.Add(refused.ToString());
        }
        await using (var wrong = Hardware(bmc, line => { lock (captured) captured.Add(line); }, password: "Wr0ng-pass-abc"))
        {
            captured.Add((await Assert.ThrowsAnyAsync<RedfishException>(() => wrong.GetPowerStateAsync(CancellationToken.None))).ToString());
        }
        tokens.Dispose();

        var all = string.Join("\n", captured);
        Assert.NotEmpty(tokens.Tokens);
        Assert.Contains("POST ", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Pa55-w0rd-xyz", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Wr0ng-pass-abc", all, StringComparison.Ordinal);
        foreach (var token in tokens.Tokens) Assert.DoesNotContain(token, all, StringComparison.Ordinal);
        Assert.Equal(0, bmc.State.SessionCount);
    }

    /// <summary>Sees the session tokens the BMC hands out, so the test can look for them in the output.</summary>
    private sealed class TokenSpy(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public List<string> Tokens { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("X-Auth-Token", out var values)) lock (Tokens) Tokens.AddRange(values);
            return response;
        }
    }
}
