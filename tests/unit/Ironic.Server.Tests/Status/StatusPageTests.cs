using Ironic.Core.Boot;
using Ironic.Core.Inventory;
using Ironic.Core.Status;
using Ironic.Server.Status;

namespace Ironic.Server.Tests.Status;

public sealed class StatusPageTests : IAsyncLifetime
{
    private IInventoryStore _store = null!;
    private BootServer _server = null!;
    private string _images = null!;

    public async Task InitializeAsync()
    {
        _store = await TestInventory.OpenAsync("sqlite");
        _images = Directory.CreateTempSubdirectory("ironic-status-images-").FullName;
        _server = BootServer.Create(new BootServerOptions { Listen = "127.0.0.1:0", Name = "status-c1", ImagesDirectory = _images }, _ => { }, _store);
        await _server.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _store.DisposeAsync();
        Directory.Delete(_images, recursive: true);
    }

    [Fact]
    public async Task StatusPage_ShowsNodesOwnerRingAndTheLastBootEvents()
    {
        var (waiting, mac) = await TestInventory.AddWaitingNodeAsync(_store);
        var (idle, _) = await TestInventory.AddWaitingNodeAsync(_store, state: ProvisionStates.Available);
        Directory.CreateDirectory(Path.Combine(_images, waiting.Name));
        await File.WriteAllBytesAsync(Path.Combine(_images, waiting.Name, "boot.iso"), new byte[4096]);

        var script = await RawHttp.SendAsync(_server.Address!, $"/v1/boot/{mac}/boot.ipxe");
        var image = await RawHttp.SendAsync(_server.Address!, $"/v1/images/{waiting.Name}/boot.iso", extraHeaders: "Range: bytes=0-1023\r\n");
        await _server.CallbacksDone();
        var page = await RawHttp.SendAsync(_server.Address!, "/");

        Assert.Equal(200, script.Status);
        Assert.Equal(206, image.Status);
        Assert.Equal(200, page.Status);
        Assert.Equal(StatusPage.ContentType, page.Header("Content-Type"));
        Assert.Contains("default-src 'none'", page.Header("Content-Security-Policy"), StringComparison.Ordinal);
        var html = page.BodyText;
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"10\">", html, StringComparison.Ordinal);
        Assert.Contains($"<tr data-node=\"{waiting.Name}\">", html, StringComparison.Ordinal);
        Assert.Contains($"<tr data-node=\"{idle.Name}\">", html, StringComparison.Ordinal);
        Assert.Contains($"boot.ipxe for {mac}</span>", html, StringComparison.Ordinal);
        Assert.Contains("boot.iso 206 bytes=0-1023", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-conductor=\"status-c1\"><td>status-c1 <span class=\"tag\">this server</span>", html, StringComparison.Ordinal);
        Assert.Contains("on ring", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://images.test", html, StringComparison.Ordinal);
        var row = RowOf(html, waiting.Name);
        Assert.Contains("<td>status-c1</td>", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusPage_FiltersByState_FromTheSummaryLinks()
    {
        var (failed, _) = await TestInventory.AddWaitingNodeAsync(_store, state: ProvisionStates.DeployFailed);
        var (active, _) = await TestInventory.AddWaitingNodeAsync(_store, state: ProvisionStates.Active);

        var all = (await RawHttp.SendAsync(_server.Address!, "/")).BodyText;
        var onlyFailed = (await RawHttp.SendAsync(_server.Address!, "/?state=deploy%20failed")).BodyText;

        Assert.Contains("href=\"/?state=deploy%20failed\"", all, StringComparison.Ordinal);
        Assert.Contains(failed.Name, onlyFailed, StringComparison.Ordinal);
        Assert.DoesNotContain(active.Name, onlyFailed, StringComparison.Ordinal);
        Assert.True(all.IndexOf(failed.Name, StringComparison.Ordinal) < all.IndexOf(active.Name, StringComparison.Ordinal), "failures are listed first");
    }

    [Fact]
    public async Task StatusPage_IsTheGeneric404_WhenTurnedOff()
    {
        await using var quiet = BootServer.Create(new BootServerOptions { Listen = "127.0.0.1:0", Name = "quiet", StatusPage = false }, _ => { }, _store);
        await quiet.StartAsync(CancellationToken.None);

        var page = await RawHttp.SendAsync(quiet.Address!, "/");

        Assert.Equal(404, page.Status);
        Assert.Equal("Not Found\n", page.BodyText);
    }

    [Fact]
    public void Render_EncodesEverythingFromTheInventory()
    {
        var now = DateTimeOffset.UtcNow;
        var node = new Node
        {
            Name = "<script>alert(1)</script>",
            ProvisionState = ProvisionStates.DeployFailed,
            LastError = "BMC said \"<b>no</b>\" & gave up",
        };
        var conductors = new[] { new Conductor("c\"><img src=x>", new Uri("http://10.0.0.1:6385/"), now) { ConductorGroup = "<g>" } };
        var status = BootServerStatus.Build("c\"><img src=x>", "ironic.db", [node], conductors, ConductorRing.Build(conductors, now, TimeSpan.FromMinutes(1)), new NodeActivityLog(), now);

        var html = StatusPage.Render(status);

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("BMC said &quot;&lt;b&gt;no&lt;/b&gt;&quot; &amp; gave up", html, StringComparison.Ordinal);
        Assert.Contains("&lt;g&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SaysHowManyRowsItLeftOut_DuringABootStorm()
    {
        var now = DateTimeOffset.UtcNow;
        var nodes = Enumerable.Range(0, 5000).Select(i => new Node { Name = $"r{i / 40:00}-n{i % 40:00}", ProvisionState = i % 7 == 0 ? ProvisionStates.WaitCallback : ProvisionStates.Active }).ToList();
        var log = new NodeActivityLog();
        foreach (var n in nodes.Where(n => n.ProvisionState == ProvisionStates.WaitCallback)) log.RecordBootConfig(n.Uuid, new BootConfigFetch(now.AddSeconds(-4), "52:54:00:00:00:01", "boot.ipxe", "c1"));
        var status = BootServerStatus.Build("c1", "ironic.db", nodes, [], ConductorRing.Build([], now, TimeSpan.FromMinutes(1)), log, now);

        var html = StatusPage.Render(status);

        Assert.Contains("<span class=\"count\" id=\"total-nodes\">5000</span>", html, StringComparison.Ordinal);
        Assert.Contains("Showing the first 1000 of 5000 nodes", html, StringComparison.Ordinal);
        Assert.Equal(1000, CountOf(html, "<tr data-node="));
        Assert.Contains("<span class=\"count\" id=\"recent-fetches\">715</span>", html, StringComparison.Ordinal);
        Assert.Contains("4 s ago</time>", html, StringComparison.Ordinal);
    }

    private static string RowOf(string html, string node)
    {
        var start = html.IndexOf($"<tr data-node=\"{node}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no row for {node}");
        return html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }

    private static int CountOf(string text, string part)
    {
        int count = 0, at = 0;
        while ((at = text.IndexOf(part, at, StringComparison.Ordinal)) >= 0) { count++; at += part.Length; }
        return count;
    }
}
