using System.Net;

namespace Ironic.BmcEmulation.Tests;

/// <summary>The deploy tests drive many BMCs at once: they must start, work and stop together in one process.</summary>
public class ScaleTests
{
    [Fact]
    public async Task FiftyEmulators_StartServeDownloadAndStop_InOneProcess()
    {
        await using var images = await TestImageServer.StartAsync(64_000);
        var profiles = Enum.GetValues<BmcProfile>();
        var emulators = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = profiles[i % profiles.Length], Quirks = BmcQuirks.None }, CancellationToken.None)));
        try
        {
            Assert.Equal(50, emulators.Select(e => e.Address.Port).Distinct().Count());
            await Task.WhenAll(emulators.Select(async (bmc, i) =>
            {
                using var redfish = new Redfish(bmc);
                Assert.Equal(HttpStatusCode.OK, (await redfish.GetAsync("/redfish/v1")).Status);
                var slot = bmc.State.Slots.Last(s => s.MediaTypes.Contains("CD")).Path;
                var insert = await redfish.PostAsync($"{slot}/Actions/VirtualMedia.InsertMedia", $$"""{"Image":"{{images.UrlOf($"node-{i}.iso")}}"}""");
                Assert.True(insert.Status is HttpStatusCode.NoContent or HttpStatusCode.OK, $"{bmc.Options.Profile}: {insert.Status}");
                var download = await bmc.State.WaitForDownloadAsync(slot, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
                Assert.Equal(images.Sha256, download.Sha256);
            }));
        }
        finally
        {
            foreach (var bmc in emulators) await bmc.DisposeAsync();
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(emulators[0].Address, "redfish/v1")));
    }
}
