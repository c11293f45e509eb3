using System.Diagnostics;
using Ironic.Core.Inventory;
using Ironic.Core.Status;

namespace Ironic.Server.Tests.Status;

/// <summary>
/// The status page as a browser renders it: Debian's headless Chromium loads GET / from a
/// real server, dumps the DOM and takes a screenshot (kept for a person to look at: its path
/// is in the test output and $IRONIC_STATUS_SCREENSHOT_DIR chooses the folder).
/// </summary>
[Collection("Chromium")]
public sealed class ChromiumStatusPageTests : IAsyncLifetime
{
    private IInventoryStore _store = null!;
    private BootServer _server = null!;
    private readonly List<Node> _nodes = [];

    public async Task InitializeAsync()
    {
        _store = await TestInventory.OpenAsync("sqlite");
        _server = BootServer.Create(new BootServerOptions { Listen = "127.0.0.1:0", Name = "boot-a" }, _ => { }, _store);
        await _server.StartAsync(CancellationToken.None);
        // A second conductor that went quiet: the page must show it off the ring.
        await _store.HeartbeatAsync(new Conductor("boot-b", new Uri("http://10.0.0.2:6385"), DateTimeOffset.UtcNow.AddMinutes(-5)), CancellationToken.None);
        string[] states = [ProvisionStates.Active, ProvisionStates.Active, ProvisionStates.WaitCallback, ProvisionStates.Deploying, ProvisionStates.Available];
        for (var i = 0; i < 120; i++)
        {
            var state = i % 29 == 0 ? ProvisionStates.DeployFailed : states[i % states.Length];
            var node = await _store.CreateNodeAsync(new Node
            {
                Name = $"rack{i / 40 + 1}-n{i % 40 + 1:00}",
                ProvisionState = state,
                PowerState = state == ProvisionStates.Available ? PowerStates.Off : PowerStates.On,
                LastError = state == ProvisionStates.DeployFailed ? "Virtual media insert refused by the BMC (HTTP 400 ActionParameterMissing)" : null,
            }, CancellationToken.None);
            _nodes.Add(node);
            if (state is ProvisionStates.WaitCallback or ProvisionStates.Active)
            {
                _server.Activity.RecordBootConfig(node.Uuid, new BootConfigFetch(DateTimeOffset.UtcNow.AddSeconds(-(i % 50)), $"52:54:00:00:{i / 256:x2}:{i % 256:x2}", "boot.ipxe", "boot-a"));
                _server.Activity.RecordImage(node.Name, new ImageDownload(DateTimeOffset.UtcNow.AddSeconds(-(i % 70)), "boot.iso", 206, "bytes=0-1048575", "boot-a"));
            }
        }
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _store.DisposeAsync();
    }

    [Fact]
    public async Task Chromium_RendersTheNodesAndTheRing()
    {
        var dom = await RunChromiumAsync("--dump-dom", _server.Address!.ToString());

        Assert.Contains("<h1>Ironic boot server <span id=\"server-name\">boot-a</span></h1>", dom, StringComparison.Ordinal);
        Assert.Contains("<span class=\"count\" id=\"total-nodes\">120</span>", dom, StringComparison.Ordinal);
        foreach (var node in _nodes) Assert.Contains($"<tr data-node=\"{node.Name}\">", dom, StringComparison.Ordinal);
        Assert.Contains("<tr data-conductor=\"boot-b\">", dom, StringComparison.Ordinal);
        Assert.Contains("stale, off ring", dom, StringComparison.Ordinal);
        Assert.Contains("Virtual media insert refused by the BMC", dom, StringComparison.Ordinal);
        // Failures sort first: the first row of the table is a failed node.
        var firstRow = dom.IndexOf("<tr data-node=", StringComparison.Ordinal);
        Assert.Contains("deploy failed", dom[firstRow..dom.IndexOf("</tr>", firstRow, StringComparison.Ordinal)], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chromium_TakesAScreenshotOfThePage()
    {
        var directory = Environment.GetEnvironmentVariable("IRONIC_STATUS_SCREENSHOT_DIR") is { Length: > 0 } d ? d : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        var png = Path.Combine(directory, "status-page.png");
        File.Delete(png);

        await RunChromiumAsync($"--screenshot={png}", _server.Address!.ToString());

        var bytes = await File.ReadAllBytesAsync(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        // IHDR width and height (PNG spec 11.2.2): the window size asked for.
        Assert.Equal(1280, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(900, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
        Assert.True(bytes.Length > 20_000, $"a {bytes.Length}-byte screenshot is too small to hold the rendered page");
        Console.WriteLine($"Status page screenshot: {png}");
    }

    private static async Task<string> RunChromiumAsync(string action, string url)
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Chromium is not installed: install Debian's chromium (apt-get install chromium; it is in .ci/packages.txt).");
        var profile = Directory.CreateTempSubdirectory("ironic-chromium-");
        try
        {
            var start = new ProcessStartInfo(chromium)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", $"--user-data-dir={profile.FullName}", "--window-size=1280,900", "--hide-scrollbars",
                action, url,
            }) start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"Chromium did not finish '{action}' of {url} in 120 s. Its output: {await stderr}");
            }
            if (process.ExitCode != 0) throw new InvalidOperationException($"Chromium exited {process.ExitCode} on '{action}' of {url}: {await stderr}");
            return await stdout;
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { }
        }
    }
}

[CollectionDefinition("Chromium", DisableParallelization = true)]
public sealed class ChromiumCollection;
