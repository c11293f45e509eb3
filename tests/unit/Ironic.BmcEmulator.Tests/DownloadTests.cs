using System.Net;

namespace Ironic.BmcEmulation.Tests;

/// <summary>The BMC's own fetch of an inserted image: HEAD, then Range GETs, hashed.</summary>
public class DownloadTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static CancellationToken Soon => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [Fact]
    public async Task Insert_FetchesWithHeadThenRangeGetsOfTheChunkSize_AndHashesTheImage()
    {
        await using var images = await TestImageServer.StartAsync(300_000);
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { DownloadChunkSize = 65536 }, None);
        using var redfish = new Redfish(bmc);
        var url = images.UrlOf("agent.iso");

        Assert.Equal(HttpStatusCode.NoContent, (await redfish.PostAsync("/redfish/v1/Systems/1/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia", $$"""{"Image":"{{url}}"}""")).Status);
        var download = await bmc.State.WaitForDownloadAsync("Cd", Soon);

        Assert.Equal(ImageDownloadStatus.Completed, download.Status);
        Assert.Equal(300_000, download.BytesReceived);
        Assert.Equal(300_000, download.ContentLength);
        Assert.Equal(images.Sha256, download.Sha256);
        Assert.Equal(5, download.RangeRequests);
        Assert.Equal(url.ToString(), download.Url);
        Assert.Null(download.Error);
        Assert.Equal(
            [("HEAD", null), ("GET", "bytes=0-65535"), ("GET", "bytes=65536-131071"), ("GET", "bytes=131072-196607"), ("GET", "bytes=196608-262143"), ("GET", "bytes=262144-299999")],
            images.Requests);
    }

    [Fact]
    public async Task HeadOnly_ProbesTheImageWithoutFetchingIt_None_FetchesNothing()
    {
        await using var images = await TestImageServer.StartAsync(50_000);
        await using var probing = await BmcEmulator.StartAsync(new BmcEmulatorOptions { ImageFetch = ImageFetchMode.HeadOnly }, None);
        await using var idle = await BmcEmulator.StartAsync(new BmcEmulatorOptions { ImageFetch = ImageFetchMode.None }, None);
        foreach (var bmc in new[] { probing, idle })
        {
            using var redfish = new Redfish(bmc);
            Assert.Equal(HttpStatusCode.NoContent, (await redfish.PostAsync("/redfish/v1/Systems/1/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia", $$"""{"Image":"{{images.UrlOf("a.iso")}}"}""")).Status);
        }

        var probed = await probing.State.WaitForDownloadAsync("Cd", Soon);
        var nothing = await idle.State.WaitForDownloadAsync("Cd", Soon);

        Assert.Equal(ImageDownloadStatus.Probed, probed.Status);
        Assert.Equal(50_000, probed.ContentLength);
        Assert.Equal(0, probed.BytesReceived);
        Assert.Equal(ImageDownloadStatus.None, nothing.Status);
        Assert.True(idle.State.Slot("Cd").Inserted);
        Assert.Equal([("HEAD", (string?)null)], images.Requests);
    }

    [Fact]
    public async Task ServerIgnoringRange_FailsTheDownload_SlotStaysInsertedButCritical()
    {
        await using var images = await TestImageServer.StartAsync(100_000);
        images.IgnoreRange = true;
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var redfish = new Redfish(bmc);

        await redfish.PostAsync("/redfish/v1/Systems/1/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia", $$"""{"Image":"{{images.UrlOf("agent.iso")}}"}""");
        var download = await bmc.State.WaitForDownloadAsync("Cd", Soon);

        Assert.Equal(ImageDownloadStatus.Failed, download.Status);
        Assert.Contains("ignored the Range header", download.Error, StringComparison.Ordinal);
        var slot = (await redfish.GetAsync("/redfish/v1/Systems/1/VirtualMedia/Cd")).Body!;
        Assert.True(slot["Inserted"]!.GetValue<bool>());
        Assert.Equal("Critical", slot["Status"]!["Health"]!.GetValue<string>());
    }

    [Fact]
    public async Task MissingImage_WithEjectOnDownloadFailure_SlotReadsNotInserted()
    {
        await using var images = await TestImageServer.StartAsync(1000);
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = BmcProfile.Ilo }, None);
        using var redfish = new Redfish(bmc);

        var answer = await redfish.PostAsync("/redfish/v1/Managers/1/VirtualMedia/2/Actions/VirtualMedia.InsertMedia", $$"""{"Image":"{{images.UrlOf("missing.iso")}}"}""");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var download = await bmc.State.WaitForDownloadAsync("2", Soon);

        Assert.Equal(ImageDownloadStatus.Failed, download.Status);
        Assert.Contains("404", download.Error, StringComparison.Ordinal);
        Assert.False(bmc.State.Slot("2").Inserted);
        Assert.False((await redfish.GetAsync("/redfish/v1/Managers/1/VirtualMedia/2")).Body!["Inserted"]!.GetValue<bool>());
    }

    [Fact]
    public async Task EjectDuringDownload_CancelsIt()
    {
        await using var images = await TestImageServer.StartAsync(4_000_000);
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { DownloadChunkSize = 1024 }, None);
        using var redfish = new Redfish(bmc);
        const string slot = "/redfish/v1/Systems/1/VirtualMedia/Cd";

        await redfish.PostAsync($"{slot}/Actions/VirtualMedia.InsertMedia", $$"""{"Image":"{{images.UrlOf("big.iso")}}"}""");
        await redfish.PostAsync($"{slot}/Actions/VirtualMedia.EjectMedia", "{}");
        var download = await bmc.State.WaitForDownloadAsync("Cd", Soon);

        Assert.Equal(ImageDownloadStatus.Cancelled, download.Status);
        Assert.True(download.BytesReceived < 4_000_000);
        Assert.False(bmc.State.Slot("Cd").Inserted);
    }
}
