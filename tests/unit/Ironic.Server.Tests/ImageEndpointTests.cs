using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Ironic.Core.Inventory;
using Ironic.Server.Images;

namespace Ironic.Server.Tests;

public sealed class ImageEndpointTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"ironic-images-{Guid.NewGuid():N}");
    private readonly byte[] _content = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7 % 251)).ToArray();
    private IInventoryStore _store = null!;
    private BootServer _server = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(15) };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_root, "node1"));
        await File.WriteAllBytesAsync(Path.Combine(_root, "node1", "boot.iso"), _content);
        await File.WriteAllTextAsync(Path.Combine(_root, "secret.txt"), "outside any node folder");
        _store = await TestInventory.OpenAsync("sqlite");
        _server = BootServer.Create(new BootServerOptions { Listen = "127.0.0.1:0", Name = "img", ImagesDirectory = _root }, _ => { }, _store);
        await _server.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _store.DisposeAsync();
        _http.Dispose();
        Directory.Delete(_root, true);
    }

    private Uri Url(string path = "/v1/images/node1/boot.iso") => new(_server.Address!, path);

    private async Task<HttpResponseMessage> GetAsync(Action<HttpRequestMessage>? headers = null, HttpMethod? method = null, string? path = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, Url(path ?? "/v1/images/node1/boot.iso"));
        headers?.Invoke(request);
        return await _http.SendAsync(request);
    }

    [Fact]
    public async Task Get_ServesTheWholeFile_WithValidators()
    {
        using var r = await GetAsync();
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(_content, await r.Content.ReadAsByteArrayAsync());
        Assert.Equal("bytes", r.Headers.AcceptRanges.Single());
        Assert.NotNull(r.Headers.ETag);
        Assert.False(r.Headers.ETag.IsWeak);
        Assert.NotNull(r.Content.Headers.LastModified);
        Assert.Equal(_content.Length, r.Content.Headers.ContentLength);
        Assert.Equal("application/x-iso9660-image", r.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Head_SendsHeadersButNoBody()
    {
        var raw = await RawHttp.SendAsync(_server.Address!, "/v1/images/node1/boot.iso", method: "HEAD");
        Assert.Equal(200, raw.Status);
        Assert.Equal(_content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), raw.Header("Content-Length"));
        Assert.Equal("bytes", raw.Header("Accept-Ranges"));
        Assert.NotNull(raw.Header("ETag"));
        Assert.Empty(raw.Body);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 1023)]
    [InlineData(50_000, 50_999)]
    [InlineData(99_999, 99_999)]
    public async Task Range_ServesExactlyThoseBytes(long from, long to)
    {
        using var r = await GetAsync(q => q.Headers.Range = new RangeHeaderValue(from, to));
        Assert.Equal(HttpStatusCode.PartialContent, r.StatusCode);
        Assert.Equal(_content[(int)from..(int)(to + 1)], await r.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes {from}-{to}/{_content.Length}", r.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task Range_OpenEndedAndSuffix()
    {
        using var tail = await GetAsync(q => q.Headers.Range = new RangeHeaderValue(99_000, null));
        using var suffix = await GetAsync(q => q.Headers.Range = new RangeHeaderValue(null, 500));
        using var past = await GetAsync(q => q.Headers.Range = new RangeHeaderValue(99_990, 200_000));
        Assert.Equal(_content[99_000..], await tail.Content.ReadAsByteArrayAsync());
        Assert.Equal(_content[^500..], await suffix.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.PartialContent, past.StatusCode);
        Assert.Equal(_content[99_990..], await past.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Range_BeyondTheEnd_Is416WithTheLength()
    {
        using var r = await GetAsync(q => q.Headers.Range = new RangeHeaderValue(200_000, 200_100));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, r.StatusCode);
        Assert.Equal($"bytes */{_content.Length}", r.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task SeveralRanges_GetTheWholeFile()
    {
        var raw = await RawHttp.SendAsync(_server.Address!, "/v1/images/node1/boot.iso", extraHeaders: "Range: bytes=0-9,20-29\r\n");
        Assert.Equal(200, raw.Status);
        Assert.Equal(_content, raw.Body);
    }

    [Fact]
    public async Task IfNoneMatch_WithTheETag_Is304_AndAnotherETag_Is200()
    {
        using var first = await GetAsync();
        var etag = first.Headers.ETag!;
        using var same = await GetAsync(q => q.Headers.IfNoneMatch.Add(etag));
        using var other = await GetAsync(q => q.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"other\"")));
        Assert.Equal(HttpStatusCode.NotModified, same.StatusCode);
        Assert.Empty(await same.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task IfModifiedSince_AndIfRange_AreHonoured()
    {
        using var first = await GetAsync();
        var lastModified = first.Content.Headers.LastModified!.Value;
        using var notModified = await GetAsync(q => q.Headers.IfModifiedSince = lastModified);
        using var staleIfRange = await GetAsync(q => { q.Headers.Range = new RangeHeaderValue(0, 9); q.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"old\"")); });
        using var freshIfRange = await GetAsync(q => { q.Headers.Range = new RangeHeaderValue(0, 9); q.Headers.IfRange = new RangeConditionHeaderValue(first.Headers.ETag!); });
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(HttpStatusCode.OK, staleIfRange.StatusCode);
        Assert.Equal(HttpStatusCode.PartialContent, freshIfRange.StatusCode);
    }

    [Fact]
    public async Task ETag_ChangesWhenTheFileChanges()
    {
        using var before = await GetAsync();
        var path = Path.Combine(_root, "node1", "boot.iso");
        await File.WriteAllBytesAsync(path, _content.Reverse().ToArray());
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        using var after = await GetAsync(q => q.Headers.IfNoneMatch.Add(before.Headers.ETag!));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
    }

    [Theory]
    [InlineData("/v1/images/node1/..%2Fsecret.txt")]
    [InlineData("/v1/images/node1/../secret.txt")]
    [InlineData("/v1/images/..%2F/secret.txt")]
    [InlineData("/v1/images/%2e%2e/secret.txt")]
    [InlineData("/v1/images/node1/%2Fetc%2Fpasswd")]
    [InlineData("/v1/images/node1/.hidden")]
    [InlineData("/v1/images/node2/boot.iso")]
    public async Task Images_NeverLeaveTheirFolder(string target)
    {
        var r = await RawHttp.SendAsync(_server.Address!, target);
        Assert.Equal(404, r.Status);
        Assert.Equal("Not Found\n", r.BodyText);
    }

    [Fact]
    public async Task StoreArtifacts_AreServedByNodeNameWithARange()
    {
        var node = await _store.CreateNodeAsync(new Node { Name = "art-" + Guid.NewGuid().ToString("N")[..8] }, CancellationToken.None);
        await _store.PutArtifactAsync(node.Uuid, "config.txt", "hello artifact"u8.ToArray(), CancellationToken.None);
        using var r = await GetAsync(q => q.Headers.Range = new RangeHeaderValue(6, 13), path: $"/v1/images/{node.Name}/config.txt");
        using var byUuid = await GetAsync(path: $"/v1/images/{node.Uuid}/config.txt");
        Assert.Equal(HttpStatusCode.PartialContent, r.StatusCode);
        Assert.Equal("artifact", await r.Content.ReadAsStringAsync());
        Assert.Equal("hello artifact", await byUuid.Content.ReadAsStringAsync());
        Assert.Equal(r.Headers.ETag, byUuid.Headers.ETag);
    }

    [Fact]
    public async Task AnAddedProvider_IsAskedFirst()
    {
        _server.AddImageProvider(new FixedProvider("overlay", "boot.iso", "overlaid"u8.ToArray()));
        using var r = await GetAsync(path: "/v1/images/overlay/boot.iso");
        Assert.Equal("overlaid", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Curl_RangeDownload_MatchesTheFile()
    {
        var output = Path.Combine(_root, "part.bin");
        var psi = new ProcessStartInfo("curl", ["-sS", "--fail", "--range", "1000-8999", "-o", output, "-D", "-", Url().ToString()]) { RedirectStandardOutput = true, RedirectStandardError = true };
        Process curl;
        try { curl = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e) { throw new InvalidOperationException("curl is missing: install Debian's curl package.", e); }
        var headers = await curl.StandardOutput.ReadToEndAsync();
        var error = await curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync();
        Assert.True(curl.ExitCode == 0, $"curl failed: {error}");
        Assert.Contains("HTTP/1.1 206", headers, StringComparison.Ordinal);
        Assert.Contains($"Content-Range: bytes 1000-8999/{_content.Length}", headers, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(_content[1000..9000], await File.ReadAllBytesAsync(output));
    }

    private sealed class FixedProvider(string node, string file, byte[] content) : INodeImageProvider
    {
        public Task<NodeImage?> OpenAsync(string n, string f, CancellationToken cancellationToken) =>
            Task.FromResult(n == node && f == file ? new NodeImage(new MemoryStream(content), content.Length, "\"fixed\"", DateTimeOffset.UnixEpoch) : null);
    }
}
