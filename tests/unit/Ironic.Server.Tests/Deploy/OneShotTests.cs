using System.Net;
using System.Security.Cryptography;
using Ironic.BmcEmulation;
using Ironic.Core.Deploy;
using Ironic.Core.Inventory;
using Ironic.Server.Status;

namespace Ironic.Server.Tests.Deploy;

/// <summary>
/// one_shot: the node goes active with its ISO still published and inserted; the boot server that
/// serves the ISO ejects it and drops the overlay only once the BMC has read it and stopped.
/// </summary>
public sealed class OneShotTests
{
    private static Task<DeployHarness> StartAsync(TimeSpan settle) =>
        DeployHarness.StartAsync(server: o => o with { OneShotSettleTime = settle });

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await Task.Delay(100);
        }
        return await condition();
    }

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    [Fact]
    public async Task OneShot_KeepsTheIsoWhileUnread_ThenEjectsAndDropsIt_OnceTheReadsHaveSettled()
    {
        await using var h = await StartAsync(TimeSpan.FromMilliseconds(500));
        var node = await h.AddNodeAsync("os-fake");

        var after = await h.Deploy.DeployAsync("os-fake", new DeployRequest { BootIso = h.ServeBaseIso(), OneShot = true }, null, CancellationToken.None);

        // Active, but nothing is taken away before the machine has read its ISO.
        Assert.Equal(ProvisionStates.Active, after.ProvisionState);
        var status = DeployStatus.FromNode(after);
        Assert.True(status.OneShotReleasePending);
        Assert.Null(status.OneShotReleasedAt);
        var fake = h.Fake(node);
        var url = new Uri(h.Server.Address!, $"/v1/images/{node.Uuid:D}/boot.iso");
        Assert.Equal(url, fake.InsertedImage);
        Assert.NotNull(await h.Store.GetArtifactAsync(node.Uuid, NodeIsoArtifacts.DeltaArtifact, CancellationToken.None));

        // The BMC reads it (one GET of the whole image), then goes quiet.
        using var http = new HttpClient();
        var read = await http.GetByteArrayAsync(url);
        Assert.Equal(await h.ComposedIsoAsync(node.Uuid), read);

        // Released means written on the node and the reservation dropped; the write comes first.
        Assert.True(await EventuallyAsync(async () => await h.Store.GetNodeAsync("os-fake", CancellationToken.None) is { Reservation: null } n && n.InstanceInfo.ContainsKey(OneShotRelease.ReleasedAtKey), TimeSpan.FromSeconds(15)),
            "the boot server did not release the one-shot ISO after its reads settled");
        var released = (await h.Store.GetNodeAsync("os-fake", CancellationToken.None))!;
        Assert.Equal(ProvisionStates.Active, released.ProvisionState);
        Assert.Null(released.Reservation);
        Assert.Null(released.LastError);
        Assert.False(DeployStatus.FromNode(released).OneShotReleasePending);
        Assert.NotNull(DeployStatus.FromNode(released).OneShotReleasedAt);
        Assert.Null(fake.InsertedImage);
        Assert.Equal("EjectVirtualMedia", fake.Calls[^1].Operation);
        Assert.Null(await h.Store.GetArtifactAsync(node.Uuid, NodeIsoArtifacts.DeltaArtifact, CancellationToken.None));
        Assert.Empty(h.Cache.References());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task OneShot_TheBmcFinishesFetchingTheIso_BeforeTheEject_ThenTheSlotIsEmptyAndTheOverlayGone()
    {
        await using var h = await StartAsync(TimeSpan.FromSeconds(2));
        // Small ranges: many GETs with gaps between them, as a BMC reads while the machine boots.
        var (node, bmc) = await DeployEndToEndTests.AddRedfishNodeAsync(h, "os-bmc", new BmcEmulatorOptions { DownloadChunkSize = 256 * 1024 });
        await using (bmc)
        {
            var after = await h.Deploy.DeployAsync(node.Name, new DeployRequest { BootIso = h.ServeBaseIso(), OneShot = true }, null, CancellationToken.None);
            Assert.True(DeployStatus.FromNode(after).OneShotReleasePending);
            var expected = Sha256Hex(await h.ComposedIsoAsync(node.Uuid));

            using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var download = await bmc.State.WaitForDownloadAsync(bmc.State.CdSlot.Path, wait.Token);
            // Done means the release is written and the node's reservation dropped (the write comes first).
            Assert.True(await EventuallyAsync(async () => !bmc.State.CdSlot.Inserted
                && await h.Store.GetArtifactAsync(node.Uuid, NodeIsoArtifacts.DeltaArtifact, CancellationToken.None) is null
                && await h.Store.GetNodeAsync(node.Name, CancellationToken.None) is { Reservation: null } n && OneShotRelease.ReleasedAt(n) is not null, TimeSpan.FromSeconds(30)),
                "the slot was not emptied or the overlay not dropped after the BMC's reads");

            // The BMC had the whole ISO before the eject: an eject during the download would read Cancelled.
            download = bmc.State.CdSlot.Download;
            Assert.Equal(ImageDownloadStatus.Completed, download.Status);
            Assert.Equal(expected, download.Sha256);
            Assert.True(download.RangeRequests > 10, $"{download.RangeRequests} range requests");
            Assert.Null(bmc.State.CdSlot.Image);
            Assert.Contains(bmc.State.Boots, b => b.Device == "Cd" && b.Image == download.Url);
            var lastInsert = bmc.Requests.Last(r => r.Path.EndsWith("InsertMedia", StringComparison.Ordinal));
            Assert.Contains(bmc.Requests, r => r.Path.EndsWith("EjectMedia", StringComparison.Ordinal) && r.At > lastInsert.At);
            var stored = (await h.Store.GetNodeAsync(node.Name, CancellationToken.None))!;
            Assert.Equal(ProvisionStates.Active, stored.ProvisionState);
            Assert.Null(stored.Reservation);
            Assert.NotNull(OneShotRelease.ReleasedAt(stored));
            Assert.Empty(h.Cache.References());
        }
    }

    [Fact]
    public async Task OneShot_ANodeWhoseBmcNeverReadsItsIso_KeepsIt_AndShowsTheReleasePending()
    {
        await using var h = await StartAsync(TimeSpan.FromMilliseconds(300));
        var (node, bmc) = await DeployEndToEndTests.AddRedfishNodeAsync(h, "os-unread", new BmcEmulatorOptions { ImageFetch = ImageFetchMode.None });
        await using (bmc)
        {
            await h.Deploy.DeployAsync(node.Name, new DeployRequest { BootIso = h.ServeBaseIso(), OneShot = true }, null, CancellationToken.None);
            var insert = bmc.Requests.Last(r => r.Path.EndsWith("InsertMedia", StringComparison.Ordinal));

            // Ten settle times pass without a single read.
            await Task.Delay(TimeSpan.FromSeconds(3));

            Assert.True(bmc.State.CdSlot.Inserted);
            Assert.EndsWith($"/v1/images/{node.Uuid:D}/boot.iso", bmc.State.CdSlot.Image, StringComparison.Ordinal);
            Assert.DoesNotContain(bmc.Requests, r => r.Path.EndsWith("EjectMedia", StringComparison.Ordinal) && r.At > insert.At);
            Assert.NotNull(await h.Store.GetArtifactAsync(node.Uuid, NodeIsoArtifacts.DeltaArtifact, CancellationToken.None));
            var stored = (await h.Store.GetNodeAsync(node.Name, CancellationToken.None))!;
            Assert.True(DeployStatus.FromNode(stored).OneShotReleasePending);
            var page = StatusPage.Render(await h.Server.GetStatusAsync(null, CancellationToken.None));
            Assert.Contains("data-one-shot=\"pending\"", page, StringComparison.Ordinal);
            Assert.Contains("one-shot release pending", page, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// The boot server restarts after the BMC read the ISO but before the reads settled: the read
    /// was written on the node, so the restarted server still ejects the ISO once no read comes.
    /// </summary>
    [Fact]
    public async Task OneShot_AServerRestartedAfterTheBmcReadTheIso_StillReleasesIt()
    {
        // A settle time the first server never reaches in this test; it records the read within 5 s.
        await using var h = await StartAsync(TimeSpan.FromSeconds(20));
        var node = await h.AddNodeAsync("os-restart");
        await h.Deploy.DeployAsync("os-restart", new DeployRequest { BootIso = h.ServeBaseIso(), OneShot = true }, null, CancellationToken.None);
        var url = new Uri(h.Server.Address!, $"/v1/images/{node.Uuid:D}/boot.iso");
        Assert.Equal(url, h.Fake(node).InsertedImage);
        Assert.Equal(url, OneShotRelease.ImageUrl((await h.Store.GetNodeAsync("os-restart", CancellationToken.None))!));
        using var http = new HttpClient();
        await http.GetByteArrayAsync(url);

        Assert.True(await EventuallyAsync(async () => await h.Store.GetNodeAsync("os-restart", CancellationToken.None) is { Reservation: null } n && OneShotRelease.ReadAt(n) is not null, TimeSpan.FromSeconds(15)),
            "the boot server did not record on the node that its ISO was read");
        var read = (await h.Store.GetNodeAsync("os-restart", CancellationToken.None))!;
        Assert.True(DeployStatus.FromNode(read).OneShotReleasePending);
        Assert.NotNull(DeployStatus.FromNode(read).OneShotReadAt);
        Assert.Null(read.Reservation);
        Assert.NotNull(h.Fake(node).InsertedImage);

        await h.RestartServerAsync(o => o with { OneShotSettleTime = TimeSpan.FromMilliseconds(500) });

        Assert.True(await EventuallyAsync(async () => await h.Store.GetNodeAsync("os-restart", CancellationToken.None) is { Reservation: null } n && OneShotRelease.ReleasedAt(n) is not null, TimeSpan.FromSeconds(15)),
            "the restarted boot server did not release the ISO that was read before the restart");
        var released = (await h.Store.GetNodeAsync("os-restart", CancellationToken.None))!;
        Assert.Equal(ProvisionStates.Active, released.ProvisionState);
        Assert.Null(released.Reservation);
        Assert.Null(h.Fake(node).InsertedImage);
        Assert.Null(await h.Store.GetArtifactAsync(node.Uuid, NodeIsoArtifacts.DeltaArtifact, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(url)).StatusCode);
    }

    /// <summary>
    /// Restarted before the BMC read anything, the server has nothing to go on: the ISO stays
    /// (the machine may not have booted yet), and the first read after the restart starts the usual release.
    /// </summary>
    [Fact]
    public async Task OneShot_AServerRestartedBeforeAnyRead_KeepsTheIso_UntilItIsRead()
    {
        await using var h = await StartAsync(TimeSpan.FromSeconds(20));
        var node = await h.AddNodeAsync("os-unread-restart");
        await h.Deploy.DeployAsync("os-unread-restart", new DeployRequest { BootIso = h.ServeBaseIso(), OneShot = true }, null, CancellationToken.None);
        await h.RestartServerAsync(o => o with { OneShotSettleTime = TimeSpan.FromMilliseconds(300) });

        await Task.Delay(TimeSpan.FromSeconds(2));
        var kept = (await h.Store.GetNodeAsync("os-unread-restart", CancellationToken.None))!;
        Assert.True(DeployStatus.FromNode(kept).OneShotReleasePending);
        Assert.Null(DeployStatus.FromNode(kept).OneShotReadAt);
        Assert.NotNull(h.Fake(node).InsertedImage);

        using var http = new HttpClient();
        await http.GetByteArrayAsync(h.Fake(node).InsertedImage!);
        Assert.True(await EventuallyAsync(async () => OneShotRelease.ReleasedAt((await h.Store.GetNodeAsync("os-unread-restart", CancellationToken.None))!) is not null, TimeSpan.FromSeconds(15)),
            "the ISO read after the restart was not released");
        Assert.Null(h.Fake(node).InsertedImage);
    }

    /// <summary>Only the server the BMC reads the ISO from resumes the release: another server's address on the node is left to that server.</summary>
    [Fact]
    public async Task Resume_TakesOnlyNodesWhoseIsoThisServerServes_AndThatWereRead()
    {
        await using var h = await StartAsync(TimeSpan.FromSeconds(20));
        var since = DateTimeOffset.UtcNow.AddMinutes(-5);
        async Task<Node> Pending(string name, string url, DateTimeOffset? readAt)
        {
            var n = await h.AddNodeAsync(name);
            var info = new Dictionary<string, string> { [OneShotRelease.PendingSinceKey] = OneShotRelease.Format(since), [OneShotRelease.ImageUrlKey] = url };
            if (readAt is { } at) info[OneShotRelease.ReadAtKey] = OneShotRelease.Format(at);
            return await h.Store.UpdateNodeAsync(n with { ProvisionState = ProvisionStates.Active, InstanceInfo = info }, CancellationToken.None);
        }
        var mine = await Pending("r-mine", "http://10.0.0.5:6385/v1/images/a/boot.iso", since.AddMinutes(1));
        await Pending("r-other", "http://10.0.0.6:6385/v1/images/b/boot.iso", since.AddMinutes(1));
        await Pending("r-unread", "http://10.0.0.5:6385/v1/images/c/boot.iso", null);
        await Pending("r-earlier-read", "http://10.0.0.5:6385/v1/images/d/boot.iso", since.AddMinutes(-1));
        var reads = new NodeImageReads();
        var releaser = new OneShotReleaser(h.Store, h.Cache, h.Hardware, reads, "c-resume", TimeSpan.FromSeconds(20));

        var resumed = await releaser.ResumeAsync(new Uri("http://10.0.0.5:6385"), CancellationToken.None);

        Assert.Equal(["r-mine"], resumed.Select(n => n.Name));
        Assert.NotNull(reads.Get(mine.Uuid));
        Assert.Single(reads.Served());
    }

    [Fact]
    public async Task WithoutOneShot_TheIsoStaysAfterItWasRead()
    {
        await using var h = await StartAsync(TimeSpan.FromMilliseconds(200));
        var node = await h.AddNodeAsync("keep");
        await h.Deploy.DeployAsync("keep", new DeployRequest { BootIso = h.ServeBaseIso() }, null, CancellationToken.None);
        using var http = new HttpClient();
        await http.GetByteArrayAsync(new Uri(h.Server.Address!, $"/v1/images/{node.Uuid:D}/boot.iso"));

        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.NotNull(h.Fake(node).InsertedImage);
        Assert.NotNull(await h.Store.GetArtifactAsync(node.Uuid, NodeIsoArtifacts.DeltaArtifact, CancellationToken.None));
        Assert.False(DeployStatus.FromNode((await h.Store.GetNodeAsync("keep", CancellationToken.None))!).OneShotReleasePending);
    }
}
