using System.Net;
using Ironic.Core.Inventory;

namespace Ironic.Server.Tests;

public sealed class BootApiTests : IAsyncLifetime
{
    private IInventoryStore _store = null!;
    private BootServer _server = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(15) };

    public async Task InitializeAsync()
    {
        _store = await TestInventory.OpenAsync("sqlite");
        _server = await StartAsync(new BootServerOptions { Listen = "127.0.0.1:0", Name = "solo-" + Guid.NewGuid().ToString("N")[..8] });
    }

    private async Task<BootServer> StartAsync(BootServerOptions options)
    {
        var server = BootServer.Create(options, _ => { }, _store);
        await server.StartAsync(CancellationToken.None);
        return server;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _store.DisposeAsync();
        _http.Dispose();
    }

    [Theory]
    [InlineData(":")]
    [InlineData("-")]
    [InlineData("")]
    [InlineData("%3A")]
    [InlineData("%3a")]
    public async Task BootApi_ServesTheNodesScript_ForAnyMacForm(string separator)
    {
        var (node, mac) = await TestInventory.AddWaitingNodeAsync(_store, "console=ttyS0 marker=abc");
        var path = "/v1/boot/" + mac.ToUpperInvariant().Replace(":", separator, StringComparison.Ordinal) + "/boot.ipxe";

        var response = await RawHttp.SendAsync(_server.Address!, path);

        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/plain", response.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Contains($"# node {node.Uuid}", response.BodyText, StringComparison.Ordinal);
        Assert.Contains("initrd=initrd.img console=ttyS0 marker=abc", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BootApi_Returns404_ForNodeNotInWaitState()
    {
        var (_, mac) = await TestInventory.AddWaitingNodeAsync(_store, state: ProvisionStates.Active);
        using var response = await _http.GetAsync(new Uri(_server.Address!, $"/v1/boot/{mac}/boot.ipxe"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task BootApi_ServesAnyState_WhenRestrictBootConfigIsOff()
    {
        await using var open = await StartAsync(new BootServerOptions
        {
            Listen = "127.0.0.1:0", Name = _server.Options.Name, BootConfig = new() { RestrictBootConfig = false },
        });
        var (_, mac) = await TestInventory.AddWaitingNodeAsync(_store, state: ProvisionStates.Active);
        using var response = await _http.GetAsync(new Uri(open.Address!, $"/v1/boot/{mac}/boot.ipxe"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ANodeThatLeavesItsWaitState_StopsGettingItsScript_WithinTheCacheTtl()
    {
        await using var cached = await StartAsync(new BootServerOptions { Listen = "127.0.0.1:0", Name = _server.Options.Name, BootCacheTtl = TimeSpan.FromMilliseconds(300) });
        var (node, mac) = await TestInventory.AddWaitingNodeAsync(_store);
        Assert.Equal(200, (await RawHttp.SendAsync(cached.Address!, $"/v1/boot/{mac}/boot.ipxe")).Status);

        await _store.UpdateNodeAsync(node with { ProvisionState = ProvisionStates.Active }, CancellationToken.None);
        await Task.Delay(400);

        Assert.Equal(404, (await RawHttp.SendAsync(cached.Address!, $"/v1/boot/{mac}/boot.ipxe")).Status);
    }

    [Fact]
    public async Task CatchAll_IsTheRelativeHexhypScript()
    {
        var response = await RawHttp.SendAsync(_server.Address!, "/boot.ipxe");
        Assert.Equal(200, response.Status);
        Assert.Contains("chain --autofree v1/boot/${net0/mac:hexhyp}/boot.ipxe", response.BodyText, StringComparison.Ordinal);
        Assert.Contains("${net7/mac:hexhyp}", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryFailure_GetsTheByteIdentical404()
    {
        var (_, waiting) = await TestInventory.AddWaitingNodeAsync(_store);
        var (_, active) = await TestInventory.AddWaitingNodeAsync(_store, state: ProvisionStates.Active);
        var longMac = new string('a', 5000);
        var targets = new[]
        {
            $"/v1/boot/{TestInventory.RandomMac()}/boot.ipxe",                 // unknown MAC
            $"/v1/boot/{active}/boot.ipxe",                                    // known MAC, wrong state
            $"/v1/boot/{waiting}/grub.cfg",                                    // unknown NAME
            $"/v1/boot/{waiting}/../../../etc/passwd",                         // ../ (normalized away by the server)
            $"/v1/boot/{waiting}/..%2F..%2Fetc%2Fpasswd",                      // encoded slashes
            $"/v1/boot/{waiting}/%2e%2e",                                      // %2e%2e
            $"/v1/boot/{waiting}/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            $"/v1/boot/%2e%2e/boot.ipxe",
            $"/v1/boot/{waiting}//etc/passwd",                                 // absolute path as NAME
            $"/v1/boot/{waiting}/%2Fetc%2Fpasswd",
            $"/v1/boot/{longMac}/boot.ipxe",                                   // very long MAC
            $"/v1/boot/{waiting}:00/boot.ipxe",
            "/v1/boot/not-a-mac/boot.ipxe",
            "/v1/boot/",
            "/v1/boot.ipxe",
            "/etc/passwd",
            "/internal/v1/boot/" + waiting + "/boot.ipxe",                    // internal route without the secret
        };
        var bodies = new List<(string Target, int Status, byte[] Body)>();
        foreach (var target in targets)
        {
            var r = await RawHttp.SendAsync(_server.Address!, target);
            bodies.Add((target, r.Status, r.Body));
        }
        var huge = await RawHttp.SendAsync(_server.Address!, $"/v1/boot/{active}/boot.ipxe", extraHeaders: $"X-Filler: {new string('x', 16000)}\r\nUser-Agent: {new string('u', 4000)}\r\n");
        bodies.Add(("huge headers", huge.Status, huge.Body));

        Assert.All(bodies, b =>
        {
            Assert.True(b.Status == 404, $"{b.Target} answered {b.Status}");
            Assert.Equal("Not Found\n"u8.ToArray(), b.Body);
        });
        // The control: the waiting node itself is served, so the 404s above are refusals, not a broken server.
        Assert.Equal(200, (await RawHttp.SendAsync(_server.Address!, $"/v1/boot/{waiting}/boot.ipxe")).Status);
    }

    [Fact]
    public async Task AMacOf64KiB_AndTheLongestRequestLineKestrelTakes_GetTheSame404()
    {
        var (_, active) = await TestInventory.AddWaitingNodeAsync(_store, state: ProvisionStates.Active);
        const string Before = "GET /v1/boot/", After = "/boot.ipxe HTTP/1.1\r\n";
        var macOf64KiB = await RawHttp.SendAsync(_server.Address!, $"/v1/boot/{new string('a', BootServer.MaxMacLength)}/boot.ipxe");
        // The limit counts the request line with its CRLF.
        var longest = BootServer.MaxRequestLineSize - Before.Length - After.Length;
        var atTheLimit = await RawHttp.SendAsync(_server.Address!, $"/v1/boot/{active}{new string('0', longest - active.Length)}/boot.ipxe");
        var escapedAtTheLimit = await RawHttp.SendAsync(_server.Address!, $"/v1/boot/{string.Concat(Enumerable.Repeat("%3A", longest / 3))}{new string('a', longest % 3)}/boot.ipxe");

        Assert.True(BootServer.MaxMacLength < longest);
        foreach (var r in new[] { macOf64KiB, atTheLimit, escapedAtTheLimit })
        {
            Assert.Equal(404, r.Status);
            Assert.Equal("Not Found\n", r.BodyText);
        }
    }

    [Fact]
    public async Task ARequestLineBeyondTheLimit_IsRefusedByKestrel_With414AndAnEmptyBody()
    {
        const string Before = "GET /v1/boot/", After = "/boot.ipxe HTTP/1.1\r\n";
        var oneTooLong = BootServer.MaxRequestLineSize - Before.Length - After.Length + 1;
        var r = await RawHttp.SendAsync(_server.Address!, $"/v1/boot/{new string('a', oneTooLong)}/boot.ipxe");
        Assert.Equal(414, r.Status);
        Assert.Empty(r.Body);
    }

    [Fact]
    public async Task HeadersUpToTheLimit_GetTheSame404_AndBeyondItKestrelAnswers431WithAnEmptyBody()
    {
        var (_, active) = await TestInventory.AddWaitingNodeAsync(_store, state: ProvisionStates.Active);
        var target = $"/v1/boot/{active}/boot.ipxe";
        // RawHttp sends Host and Connection too; the limit counts every header line with its CRLF.
        var fixedHeaders = $"Host: {_server.Address!.Authority}\r\n".Length + "Connection: close\r\n".Length;
        string Filler(int total) => $"X-Filler: {new string('x', total - fixedHeaders - "X-Filler: \r\n".Length)}\r\n";

        var atTheLimit = await RawHttp.SendAsync(_server.Address!, target, extraHeaders: Filler(BootServer.MaxRequestHeadersTotalSize));
        var manyLines = await RawHttp.SendAsync(_server.Address!, target, extraHeaders: string.Concat(Enumerable.Range(0, BootServer.MaxRequestHeaderCount - 2).Select(i => $"X-H{i}: {i}\r\n")));
        var oneByteMore = await RawHttp.SendAsync(_server.Address!, target, extraHeaders: Filler(BootServer.MaxRequestHeadersTotalSize + 1));
        var oneLineMore = await RawHttp.SendAsync(_server.Address!, target, extraHeaders: string.Concat(Enumerable.Range(0, BootServer.MaxRequestHeaderCount - 1).Select(i => $"X-H{i}: {i}\r\n")));

        foreach (var r in new[] { atTheLimit, manyLines })
        {
            Assert.Equal(404, r.Status);
            Assert.Equal("Not Found\n", r.BodyText);
        }
        foreach (var r in new[] { oneByteMore, oneLineMore })
        {
            Assert.Equal(431, r.Status);
            Assert.Empty(r.Body);
        }
    }

    [Fact]
    public async Task RequestsKestrelRefusesAsMalformedHttp_GetAnEmptyBody()
    {
        // A NUL in the path is not HTTP at all: Kestrel answers 400 itself, before any handler, with nothing in the body.
        var nul = await RawHttp.SendAsync(_server.Address!, "/v1/boot/%00/boot.ipxe");
        Assert.Equal(400, nul.Status);
        Assert.Empty(nul.Body);
    }

    [Fact]
    public async Task OtherMethods_GetTheSame404()
    {
        var (_, mac) = await TestInventory.AddWaitingNodeAsync(_store);
        var post = await RawHttp.SendAsync(_server.Address!, $"/v1/boot/{mac}/boot.ipxe", method: "POST", extraHeaders: "Content-Length: 0\r\n");
        Assert.Equal(404, post.Status);
        Assert.Equal("Not Found\n", post.BodyText);
        Assert.Null(post.Header("Allow"));
    }

    [Fact]
    public async Task AThrowingHandler_NeverShowsAStackTrace()
    {
        _server.AddImageProvider(new ThrowingImageProvider());
        var response = await RawHttp.SendAsync(_server.Address!, "/v1/images/anything/boot.iso");
        Assert.Equal(500, response.Status);
        Assert.Equal("Internal Server Error\n", response.BodyText);
        Assert.DoesNotContain("Exception", response.Head + response.BodyText, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overload_IsShedWith503AndRetryAfter()
    {
        var store = _store;
        var gate = new BlockingImageProvider();
        await using var small = BootServer.Create(new BootServerOptions { Listen = "127.0.0.1:0", Name = "small-" + Guid.NewGuid().ToString("N")[..6], MaxConcurrentRequests = 2 }, _ => { }, store);
        small.AddImageProvider(gate);
        await small.StartAsync(CancellationToken.None);
        var held = new[] { _http.GetAsync(new Uri(small.Address!, "/v1/images/a/b.iso")), _http.GetAsync(new Uri(small.Address!, "/v1/images/a/c.iso")) };
        await gate.TwoEntered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var shed = await RawHttp.SendAsync(small.Address!, "/boot.ipxe");
        var health = await RawHttp.SendAsync(small.Address!, "/healthz");
        gate.Release.SetResult();
        foreach (var h in held) (await h).Dispose();
        var after = await RawHttp.SendAsync(small.Address!, "/boot.ipxe");

        Assert.Equal(503, shed.Status);
        Assert.Equal("1", shed.Header("Retry-After"));
        Assert.Equal(200, health.Status);
        Assert.Equal(200, after.Status);
    }

    [Fact]
    public async Task AllowList_RefusesOtherNetworksWithTheSame404()
    {
        var (_, mac) = await TestInventory.AddWaitingNodeAsync(_store);
        await using var elsewhere = await StartAsync(new BootServerOptions { Listen = "127.0.0.1:0", Name = _server.Options.Name, AllowedNetworks = BootServerOptions.ParseNetworks("10.0.0.0/8, fd00::/8") });
        await using var loopback = await StartAsync(new BootServerOptions { Listen = "127.0.0.1:0", Name = _server.Options.Name, AllowedNetworks = BootServerOptions.ParseNetworks("127.0.0.0/8") });

        var refused = await RawHttp.SendAsync(elsewhere.Address!, $"/v1/boot/{mac}/boot.ipxe");
        var refusedCatchAll = await RawHttp.SendAsync(elsewhere.Address!, "/boot.ipxe");
        var allowed = await RawHttp.SendAsync(loopback.Address!, $"/v1/boot/{mac}/boot.ipxe");

        Assert.Equal(404, refused.Status);
        Assert.Equal("Not Found\n", refused.BodyText);
        Assert.Equal(404, refusedCatchAll.Status);
        Assert.Equal(200, allowed.Status);
    }

    [Fact]
    public void ParseNetworks_ExplainsABadEntry()
    {
        var e = Assert.Throws<ArgumentException>(() => BootServerOptions.ParseNetworks("10.0.0.0/8, bogus"));
        Assert.Contains("'bogus'", e.Message, StringComparison.Ordinal);
        Assert.Contains("CIDR", e.Message, StringComparison.Ordinal);
    }

    private sealed class ThrowingImageProvider : Images.INodeImageProvider
    {
        public Task<Images.NodeImage?> OpenAsync(string node, string file, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("secret internal detail /var/lib/ironic");
    }

    private sealed class BlockingImageProvider : Images.INodeImageProvider
    {
        private int _entered;
        public TaskCompletionSource TwoEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<Images.NodeImage?> OpenAsync(string node, string file, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _entered) == 2) TwoEntered.SetResult();
            await Release.Task;
            return null;
        }
    }
}
