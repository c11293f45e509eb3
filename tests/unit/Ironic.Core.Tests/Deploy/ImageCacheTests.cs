using System.Security.Cryptography;
using Ironic.Core.Deploy;

namespace Ironic.Core.Tests.Deploy;

public sealed class ImageCacheTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "imgcache-" + Guid.NewGuid().ToString("n"));
    private TestFileServer _server = null!;

    public async Task InitializeAsync() => _server = await TestFileServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private ImageCache OpenCache(long maxBytes = 1L << 30, TimeSpan? readTimeout = null) => ImageCache.Open(new ImageCacheOptions
    {
        Directory = _dir,
        MaxBytes = maxBytes,
        RetryDelay = TimeSpan.FromMilliseconds(20),
        ReadTimeout = readTimeout ?? TimeSpan.FromSeconds(30),
        MaxAttempts = 4,
    });

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string Sha256(byte[] data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

    private string[] LeftoverTempFiles() => Directory.GetFiles(Path.Combine(_dir, "tmp"));

    [Fact]
    public async Task Get_DownloadsOnce_ThenAnswersFromTheCache()
    {
        var content = RandomBytes(300_000, 1);
        var url = _server.Add("base.iso", content);
        using var cache = OpenCache();

        var first = await cache.GetAsync(new ImageSource(url), holder: null, CancellationToken.None);
        var second = await cache.GetAsync(new ImageSource(url), holder: null, CancellationToken.None);

        Assert.Equal(Sha256(content), first.Sha256);
        Assert.Equal(first, second);
        Assert.Equal(content, await File.ReadAllBytesAsync(first.Path));
        Assert.Equal(1, _server.Requests("base.iso"));
        Assert.Empty(LeftoverTempFiles());
    }

    /// <summary>
    /// Two caches on one directory, as two processes have them (parallel `ironic deploy start`,
    /// a boot server): the source's lock file makes one download; the other waits and finds it.
    /// </summary>
    [Fact]
    public async Task Get_TwoCachesOnOneDirectory_ShareOneDownload_ThroughTheSourcesLockFile()
    {
        var content = RandomBytes(2_000_000, 3);
        var url = _server.Add("two.iso", content, new FileBehaviour { Delay = TimeSpan.FromMilliseconds(500) });
        using var first = OpenCache();
        using var second = OpenCache();

        var results = await Task.WhenAll(
            Task.Run(() => first.GetAsync(new ImageSource(url), "node-a", CancellationToken.None)),
            Task.Run(() => second.GetAsync(new ImageSource(url), "node-b", CancellationToken.None)));

        Assert.Equal(1, _server.Requests("two.iso"));
        Assert.Equal(1, first.DownloadCount + second.DownloadCount);
        Assert.All(results, r => Assert.Equal(Sha256(content), r.Sha256));
        Assert.Single(first.Images());
        Assert.Equal(2, first.References().Count);
    }

    /// <summary>While another holds the source's lock nothing is downloaded; once it lets go (or its process dies, which drops the lock), the get downloads.</summary>
    [Fact]
    public async Task Get_WaitsWhileAnotherHoldsTheSourcesLock_ThenDownloads()
    {
        var content = RandomBytes(100_000, 4);
        var url = _server.Add("held.iso", content);
        using var cache = OpenCache();
        // Another "process" holds the source's lock: the get waits for it.
        var key = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(new ImageSource(url).Key))).ToLowerInvariant();
        var holder = new FileStream(Path.Combine(_dir, "locks", key + ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var get = cache.GetAsync(new ImageSource(url), null, CancellationToken.None);
        await Task.Delay(500);
        Assert.False(get.IsCompleted);
        Assert.Equal(0, _server.Requests("held.iso"));

        await holder.DisposeAsync();
        var image = await get.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(Sha256(content), image.Sha256);
        Assert.Equal(1, _server.Requests("held.iso"));
    }

    [Fact]
    public async Task Get_FiftyConcurrentCallersForOneUrl_ShareExactlyOneDownload()
    {
        var content = RandomBytes(2_000_000, 2);
        var url = _server.Add("shared.iso", content, new FileBehaviour { Delay = TimeSpan.FromMilliseconds(300) });
        using var cache = OpenCache();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Task.Run(() => cache.GetAsync(new ImageSource(url), $"node-{i}", CancellationToken.None))));

        Assert.Equal(1, _server.Requests("shared.iso"));
        Assert.Equal(1, cache.DownloadCount);
        Assert.All(results, r => Assert.Equal(Sha256(content), r.Sha256));
        Assert.Single(cache.Images());
        Assert.Equal(50, cache.References().Count);
    }

    [Fact]
    public async Task Get_ResumesWithRange_AfterTheConnectionIsCutMidBody()
    {
        var content = RandomBytes(1_000_000, 3);
        var url = _server.Add("cut.iso", content, new FileBehaviour { CutRequest = n => n == 1, CutAfterBytes = 500_000 });
        using var cache = OpenCache();

        var image = await cache.GetAsync(new ImageSource(url, ImageChecksum.Parse("sha256:" + Sha256(content))), null, CancellationToken.None);

        Assert.Equal(content, await File.ReadAllBytesAsync(image.Path));
        Assert.Equal(2, _server.Requests("cut.iso"));
        var range = Assert.Single(_server.RangeHeaders);
        Assert.StartsWith("bytes=", range, StringComparison.Ordinal);
        Assert.NotEqual("bytes=0-", range);
    }

    [Fact]
    public async Task Get_StartsOver_WhenTheServerIgnoresRangeOnResume()
    {
        var content = RandomBytes(800_000, 4);
        var url = _server.Add("norange.iso", content, new FileBehaviour { CutRequest = n => n == 1, CutAfterBytes = 300_000, IgnoreRange = true });
        using var cache = OpenCache();

        var image = await cache.GetAsync(new ImageSource(url), null, CancellationToken.None);

        Assert.Equal(Sha256(content), image.Sha256);
        Assert.Equal(content.Length, new FileInfo(image.Path).Length);
    }

    [Fact]
    public async Task Get_ResumesAfterAStall_LongerThanTheReadTimeout()
    {
        var content = RandomBytes(600_000, 5);
        var url = _server.Add("stall.iso", content, new FileBehaviour { StallRequest = n => n == 1, CutAfterBytes = 200_000 });
        using var cache = OpenCache(readTimeout: TimeSpan.FromMilliseconds(500));

        var image = await cache.GetAsync(new ImageSource(url), null, CancellationToken.None);

        Assert.Equal(Sha256(content), image.Sha256);
        Assert.Equal(2, _server.Requests("stall.iso"));
    }

    [Fact]
    public async Task Get_FailsWithShortRead_WhenEveryAttemptIsCut_AndLeavesNothingBehind()
    {
        var content = RandomBytes(1_000_000, 6);
        // Every request delivers only up to byte 400000 of the file, so no attempt gets further.
        var url = _server.Add("broken.iso", content, new FileBehaviour { CutRequest = _ => true, CutAfterBytes = 400_000 });
        using var cache = OpenCache();

        var e = await Assert.ThrowsAsync<ImageCacheException>(() => cache.GetAsync(new ImageSource(url), "node-1", CancellationToken.None));

        Assert.Equal(ImageCacheFailure.ShortRead, e.Failure);
        // Kestrel's abort may drop bytes it had not sent yet: the download stops at or before byte 400000.
        var stoppedAt = long.Parse(System.Text.RegularExpressions.Regex.Match(e.Message, @"stopped at (\d+) of 1000000 bytes").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(stoppedAt, 0, 400_000);
        Assert.Contains(url.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Equal(4, _server.Requests("broken.iso"));
        Assert.Empty(cache.Images());
        Assert.Empty(cache.References());
        Assert.Empty(LeftoverTempFiles());
    }

    [Fact]
    public async Task Get_Explains404_WithoutRetrying()
    {
        using var cache = OpenCache();
        var url = new Uri(_server.BaseAddress, "missing.iso");

        var e = await Assert.ThrowsAsync<ImageCacheException>(() => cache.GetAsync(new ImageSource(url), null, CancellationToken.None));

        Assert.Equal(ImageCacheFailure.NotFound, e.Failure);
        Assert.Contains("404", e.Message, StringComparison.Ordinal);
        Assert.Contains("Check the URL", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.Requests("missing.iso"));
    }

    [Fact]
    public async Task Get_RetriesServerErrors_ThenSucceeds()
    {
        var content = RandomBytes(10_000, 7);
        var url = _server.Add("flaky.iso", content, new FileBehaviour { Status = n => n <= 2 ? 503 : null });
        using var cache = OpenCache();

        var image = await cache.GetAsync(new ImageSource(url), null, CancellationToken.None);

        Assert.Equal(Sha256(content), image.Sha256);
        Assert.Equal(3, _server.Requests("flaky.iso"));
    }

    [Fact]
    public async Task Get_ReportsAPersistent500_AsAnHttpError()
    {
        var url = _server.Add("down.iso", [1, 2, 3], new FileBehaviour { Status = _ => 500 });
        using var cache = OpenCache();

        var e = await Assert.ThrowsAsync<ImageCacheException>(() => cache.GetAsync(new ImageSource(url), null, CancellationToken.None));

        Assert.Equal(ImageCacheFailure.HttpError, e.Failure);
        Assert.Contains("500", e.Message, StringComparison.Ordinal);
        Assert.Equal(4, _server.Requests("down.iso"));
    }

    [Fact]
    public async Task Get_RefusesAnUntrustedCertificate_WithATlsError()
    {
        using var certificate = TestFileServer.SelfSignedCertificate();
        await using var tls = await TestFileServer.StartAsync(certificate);
        var url = tls.Add("secure.iso", RandomBytes(1000, 8));
        using var cache = OpenCache();

        var e = await Assert.ThrowsAsync<ImageCacheException>(() => cache.GetAsync(new ImageSource(url), null, CancellationToken.None));

        Assert.Equal(ImageCacheFailure.TlsFailure, e.Failure);
        Assert.Contains("TLS", e.Message, StringComparison.Ordinal);
        Assert.Contains("certificate", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, tls.Requests("secure.iso"));
    }

    [Fact]
    public async Task Get_FetchesOverHttps_WhenTheCertificateCheckIsSkipped()
    {
        using var certificate = TestFileServer.SelfSignedCertificate();
        await using var tls = await TestFileServer.StartAsync(certificate);
        var content = RandomBytes(5000, 9);
        var url = tls.Add("secure.iso", content);
        using var http = ImageCache.CreateHttpClient(skipCertificateCheck: true);
        using var cache = ImageCache.Open(new ImageCacheOptions { Directory = _dir }, http);

        var image = await cache.GetAsync(new ImageSource(url), null, CancellationToken.None);

        Assert.Equal(Sha256(content), image.Sha256);
    }

    [Theory]
    [InlineData("sha256")]
    [InlineData("md5")]
    [InlineData("sha512")]
    public async Task Get_VerifiesTheChecksum_InEachAlgorithm(string algorithm)
    {
        var content = RandomBytes(50_000, 10);
        var url = _server.Add($"sum-{algorithm}.iso", content);
        using var hash = ImageChecksum.CreateHash(algorithm);
        hash.AppendData(content);
        var hex = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
        using var cache = OpenCache();

        var image = await cache.GetAsync(new ImageSource(url, ImageChecksum.Parse(hex)), null, CancellationToken.None);

        Assert.Equal(Sha256(content), image.Sha256);
    }

    [Fact]
    public async Task Get_RefusesAChecksumMismatch_AndCachesNothing()
    {
        var content = RandomBytes(50_000, 11);
        var url = _server.Add("wrong.iso", content);
        var wrong = ImageChecksum.Parse("sha256:" + new string('a', 64));
        using var cache = OpenCache();

        var e = await Assert.ThrowsAsync<ImageCacheException>(() => cache.GetAsync(new ImageSource(url, wrong), "node-1", CancellationToken.None));

        Assert.Equal(ImageCacheFailure.ChecksumMismatch, e.Failure);
        Assert.Contains(Sha256(content), e.Message, StringComparison.Ordinal);
        Assert.Contains(new string('a', 64), e.Message, StringComparison.Ordinal);
        Assert.Empty(cache.Images());
        Assert.Empty(cache.References());
        Assert.Empty(LeftoverTempFiles());
        // Without the wrong checksum the same URL caches fine: the failure left no poisoned entry.
        var image = await cache.GetAsync(new ImageSource(url), null, CancellationToken.None);
        Assert.Equal(Sha256(content), image.Sha256);
    }

    [Fact]
    public async Task Get_ChecksACachedImage_AgainstASecondCallersChecksum()
    {
        var content = RandomBytes(20_000, 12);
        var url = _server.Add("twice.iso", content);
        using var cache = OpenCache();
        await cache.GetAsync(new ImageSource(url), null, CancellationToken.None);

        var md5 = Convert.ToHexString(MD5.HashData(content)).ToLowerInvariant();
        var ok = await cache.GetAsync(new ImageSource(url, ImageChecksum.Parse("md5:" + md5)), null, CancellationToken.None);
        Assert.Equal(Sha256(content), ok.Sha256);

        // A checksum the cached bytes do not have makes the cache look again at the source; the source has not changed, so it fails.
        var e = await Assert.ThrowsAsync<ImageCacheException>(() =>
            cache.GetAsync(new ImageSource(url, ImageChecksum.Parse("md5:" + new string('0', 32))), null, CancellationToken.None));
        Assert.Equal(ImageCacheFailure.ChecksumMismatch, e.Failure);
        Assert.Single(cache.Images());
    }

    [Fact]
    public async Task Get_Refetches_WhenTheImageBehindTheUrlChangedAndTheChecksumSaysSo()
    {
        var old = RandomBytes(20_000, 13);
        var url = _server.Add("moving.iso", old);
        using var cache = OpenCache();
        await cache.GetAsync(new ImageSource(url), null, CancellationToken.None);

        var fresh = RandomBytes(20_000, 14);
        _server.Add("moving.iso", fresh);
        var image = await cache.GetAsync(new ImageSource(url, ImageChecksum.Parse(Sha256(fresh))), null, CancellationToken.None);

        Assert.Equal(Sha256(fresh), image.Sha256);
        Assert.Equal(2, _server.Requests("moving.iso"));
    }

    [Fact]
    public async Task Get_CopiesLocalFiles_ByPathAndByFileUrl()
    {
        var content = RandomBytes(70_000, 15);
        var local = Path.Combine(Path.GetTempPath(), "local-" + Guid.NewGuid().ToString("n") + ".iso");
        await File.WriteAllBytesAsync(local, content);
        try
        {
            using var cache = OpenCache();
            var byPath = await cache.GetAsync(ImageSource.Parse(local), null, CancellationToken.None);
            var byUrl = await cache.GetAsync(ImageSource.Parse(new Uri(local).AbsoluteUri), null, CancellationToken.None);

            Assert.Equal(Sha256(content), byPath.Sha256);
            Assert.Equal(byPath.Sha256, byUrl.Sha256);
            Assert.NotEqual(local, byPath.Path);
            Assert.Equal(1, cache.DownloadCount);
        }
        finally
        {
            File.Delete(local);
        }
    }

    [Fact]
    public async Task Get_ExplainsAMissingLocalFile()
    {
        using var cache = OpenCache();
        var e = await Assert.ThrowsAsync<ImageCacheException>(() => cache.GetAsync(ImageSource.Parse("/nonexistent/dir/x.iso"), null, CancellationToken.None));
        Assert.Equal(ImageCacheFailure.NotFound, e.Failure);
        Assert.Contains("/nonexistent/dir/x.iso", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RefusesSchemesItCannotFetch()
    {
        var e = Assert.Throws<ImageCacheException>(() => ImageSource.Parse("ftp://host/x.iso"));
        Assert.Equal(ImageCacheFailure.InvalidSource, e.Failure);
        Assert.Contains("http://", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quota_EvictsTheLeastRecentlyUsedUnreferencedBase_AndKeepsReferencedOnes()
    {
        var a = _server.Add("a.iso", RandomBytes(400_000, 16));
        var b = _server.Add("b.iso", RandomBytes(400_000, 17));
        var c = _server.Add("c.iso", RandomBytes(400_000, 18));
        using var cache = OpenCache(maxBytes: 1_000_000);

        var imageA = await cache.GetAsync(new ImageSource(a), "node-a", CancellationToken.None);
        await Task.Delay(50);
        var imageB = await cache.GetAsync(new ImageSource(b), null, CancellationToken.None);
        await Task.Delay(50);
        // A is older than B, but a node uses it: B goes.
        var imageC = await cache.GetAsync(new ImageSource(c), null, CancellationToken.None);

        var left = cache.Images().Select(i => i.Sha256).ToHashSet();
        Assert.Contains(imageA.Sha256, left);
        Assert.Contains(imageC.Sha256, left);
        Assert.DoesNotContain(imageB.Sha256, left);
        Assert.True(cache.SizeBytes <= 1_000_000);

        // Fetching B again downloads it again (its URL entry went with it); C, unreferenced and older, makes room.
        await cache.RemoveReferenceAsync("node-a", CancellationToken.None);
        await cache.GetAsync(new ImageSource(b), null, CancellationToken.None);
        Assert.Equal(2, _server.Requests("b.iso"));
        Assert.True(cache.SizeBytes <= 1_000_000);
    }

    [Fact]
    public async Task Quota_RefusesAnImage_ThatCannotFitNextToReferencedOnes()
    {
        var a = _server.Add("big-a.iso", RandomBytes(600_000, 19));
        var b = _server.Add("big-b.iso", RandomBytes(600_000, 20));
        using var cache = OpenCache(maxBytes: 1_000_000);
        await cache.GetAsync(new ImageSource(a), "node-a", CancellationToken.None);

        var e = await Assert.ThrowsAsync<ImageCacheException>(() => cache.GetAsync(new ImageSource(b), "node-b", CancellationToken.None));

        Assert.Equal(ImageCacheFailure.QuotaExceeded, e.Failure);
        Assert.Contains("Undeploy nodes or raise the quota", e.Message, StringComparison.Ordinal);
        Assert.Single(cache.Images());
        Assert.Empty(LeftoverTempFiles());
    }

    [Fact]
    public async Task Open_RemovesWhatACrashLeftBehind()
    {
        using (OpenCache()) { }
        var partial = Path.Combine(_dir, "tmp", "deadbeef.part");
        await File.WriteAllBytesAsync(partial, RandomBytes(1000, 21));
        File.SetLastWriteTimeUtc(partial, DateTime.UtcNow.AddMinutes(-5));

        using var cache = OpenCache();

        Assert.False(File.Exists(partial));
        Assert.Empty(cache.Images());
    }

    [Fact]
    public async Task Open_LeavesAnotherProcesssDownloadAlone_AndThatDownloadCompletes()
    {
        // Two processes (a boot server and a deploy command, or two deploy commands) share one
        // cache directory: opening the cache in one must not delete the other's partial download.
        var content = RandomBytes(3_000_000, 23);
        var url = _server.Add("slow.iso", content, new FileBehaviour { StallRequest = n => n == 1, CutAfterBytes = 100_000 });
        using var downloading = OpenCache(readTimeout: TimeSpan.FromSeconds(1));
        var download = downloading.GetAsync(new ImageSource(url), "node-a", CancellationToken.None);
        var partial = Path.Combine(_dir, "tmp");
        for (var i = 0; i < 200 && !Directory.EnumerateFiles(partial, "*.part").Any(); i++) await Task.Delay(10);
        var part = Assert.Single(Directory.GetFiles(partial, "*.part"));
        File.SetLastWriteTimeUtc(part, DateTime.UtcNow.AddMinutes(-5)); // even an old-looking one, while it is held open

        using (OpenCache()) { }

        Assert.True(File.Exists(part), "the other cache's open deleted a download in progress");
        var image = await download;
        Assert.Equal(content, await File.ReadAllBytesAsync(image.Path));
        Assert.Empty(LeftoverTempFiles());
    }

    [Fact]
    public async Task References_SurviveReopening_AndTryGetBySha256FindsTheBase()
    {
        var content = RandomBytes(10_000, 22);
        var url = _server.Add("persist.iso", content);
        string sha;
        using (var cache = OpenCache())
        {
            sha = (await cache.GetAsync(new ImageSource(url), "node/with:odd chars", CancellationToken.None)).Sha256;
        }

        using var reopened = OpenCache();

        Assert.Equal(sha, reopened.References()["node/with:odd chars"]);
        Assert.Equal(content, await File.ReadAllBytesAsync(reopened.TryGetBySha256(sha)!.Path));
        Assert.Null(reopened.TryGetBySha256(new string('f', 64)));
        Assert.Null(reopened.TryGetBySha256("../../etc/passwd"));
    }
}
