using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;

namespace Ironic.Core.Deploy;

/// <summary>
/// Base images (boot ISOs, kernels, ramdisks) downloaded once and kept by content hash.
/// <list type="bullet">
/// <item>One download per source at a time: concurrent requests for one URL share it.</item>
/// <item>A download streams to tmp/, resumes with Range after a cut, is verified, and only then
/// renamed into blobs/&lt;sha256&gt; — a partial file is never served. What a crash left in tmp/ is removed at open.</item>
/// <item>urls/ maps a source to the hash it gave; refs/ records which holder (a node's overlay)
/// uses which base. Past the quota, bases no holder references are evicted, least recently used first.</item>
/// </list>
/// Every index entry is its own small file replaced atomically, so processes sharing a cache
/// directory never see a half-written index (they may, at worst, both download one image).
/// </summary>
public sealed class ImageCache : IDisposable
{
    private const int BufferSize = 1 << 16;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ConcurrentDictionary<string, Lazy<Task<CachedImage>>> _inFlight = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _indexGate = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private readonly string _blobs;
    private readonly string _urls;
    private readonly string _refs;
    private readonly string _tmp;
    private readonly string _locks;
    private long _downloads;

    private ImageCache(ImageCacheOptions options, HttpClient http, bool ownsHttp)
    {
        Options = options;
        _http = http;
        _ownsHttp = ownsHttp;
        _blobs = Path.Combine(options.Directory, "blobs");
        _urls = Path.Combine(options.Directory, "urls");
        _refs = Path.Combine(options.Directory, "refs");
        _tmp = Path.Combine(options.Directory, "tmp");
        _locks = Path.Combine(options.Directory, "locks");
    }

    public ImageCacheOptions Options { get; }

    /// <summary>Downloads and file copies started by this instance (single-flight makes concurrent requests count once).</summary>
    public long DownloadCount => Interlocked.Read(ref _downloads);

    /// <summary>
    /// Opens (creating) the cache directory and removes what a crash left: partial downloads and
    /// blobs whose index files were never written.
    /// </summary>
    public static ImageCache Open(ImageCacheOptions options, HttpClient? http = null, bool disposeHttp = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        var cache = new ImageCache(options, http ?? CreateHttpClient(), http is null || disposeHttp);
        foreach (var dir in new[] { cache._blobs, cache._urls, cache._refs, cache._tmp, cache._locks }) Directory.CreateDirectory(dir);
        foreach (var leftover in Directory.EnumerateFiles(cache._tmp)) RemoveIfAbandoned(leftover);
        return cache;
    }

    /// <summary>
    /// Deletes a file of tmp/ that a crashed process left. Other processes (a boot server, a
    /// deploy command) may share this cache and be writing into tmp/ right now: a download
    /// holds its .part file open with an exclusive lock, and an index file lives there for
    /// microseconds; so a file that is locked, or was written in the last minute, is left alone.
    /// </summary>
    private static void RemoveIfAbandoned(string path)
    {
        if (DateTime.UtcNow - File.GetLastWriteTimeUtc(path) < AbandonedAfter) return;
        try
        {
            // Opening with FileShare.None fails while another process holds the file (flock on Unix).
            using var _ = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(1);

    /// <summary>An HttpClient for image downloads: no overall timeout (bodies are long; <see cref="ImageCacheOptions.ReadTimeout"/> guards stalls).</summary>
    public static HttpClient CreateHttpClient(bool skipCertificateCheck = false)
    {
        var handler = new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, ConnectTimeout = TimeSpan.FromSeconds(30) };
        if (skipCertificateCheck) handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// The cached image for <paramref name="source"/>, downloading it when needed (once, however
    /// many callers ask at the same time). The source's checksum, when given, is verified. With a
    /// <paramref name="holder"/>, the image is referenced for it before it is returned, so that it
    /// cannot be evicted in between.
    /// </summary>
    public async Task<CachedImage> GetAsync(ImageSource source, string? holder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        for (var round = 0; ; round++)
        {
            var hit = await TryGetIndexedAsync(source, cancellationToken).ConfigureAwait(false);
            if (hit is not null)
            {
                if (holder is null) return hit;
                if (await TryReferenceAsync(holder, hit.Sha256, cancellationToken).ConfigureAwait(false)) return hit;
                continue; // evicted between the look-up and the reference: look again
            }
            var flight = _inFlight.GetOrAdd(source.Key, _ => new Lazy<Task<CachedImage>>(() => DownloadAndIndexAsync(source)));
            // The flight runs on the cache's own token: a caller that gives up does not cancel it for the others.
            var image = await flight.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            // Another caller's flight verified its own checksum; verify ours against the stored digests.
            await VerifyChecksumAsync(source, image, cancellationToken).ConfigureAwait(false);
            if (holder is null || await TryReferenceAsync(holder, image.Sha256, cancellationToken).ConfigureAwait(false)) return image;
            if (round > 2) throw new ImageCacheException(ImageCacheFailure.QuotaExceeded, $"The image from {source.Location} was evicted as soon as it was cached: the cache quota ({Options.MaxBytes} bytes) is too small for the images in use. Raise the quota ([deploy]image_cache_size).");
        }
    }

    /// <summary>Opens a cached image by its SHA-256; null when it is not (or no longer) in the cache.</summary>
    public CachedImage? TryGetBySha256(string sha256)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        if (!IsSha256Hex(sha256)) return null;
        var path = BlobPath(sha256);
        var info = new FileInfo(path);
        return info.Exists ? new CachedImage(sha256, path, info.Length) : null;
    }

    /// <summary>Records that <paramref name="holder"/> (a node) uses the image; a holder references one image at a time.</summary>
    public async Task AddReferenceAsync(string holder, string sha256, CancellationToken cancellationToken)
    {
        if (!await TryReferenceAsync(holder, sha256, cancellationToken).ConfigureAwait(false))
        {
            throw new ImageCacheException(ImageCacheFailure.NotFound, $"The image {sha256} is not in the cache at {Options.Directory}; fetch it again.");
        }
    }

    /// <summary>Drops the holder's reference; its image becomes evictable when no other holder uses it.</summary>
    public async Task RemoveReferenceAsync(string holder, CancellationToken cancellationToken)
    {
        await _indexGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try { TryDelete(RefPath(holder)); }
        finally { _indexGate.Release(); }
    }

    /// <summary>The image each holder references.</summary>
    public IReadOnlyDictionary<string, string> References()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(_refs))
        {
            var hash = ReadSmallFile(file);
            if (hash is not null) result[DecodeHolder(Path.GetFileName(file))] = hash;
        }
        return result;
    }

    /// <summary>The cached images, least recently used first.</summary>
    public IReadOnlyList<CachedImage> Images() =>
        Directory.EnumerateFiles(_blobs)
            .Where(f => IsSha256Hex(Path.GetFileName(f)))
            .Select(f => new FileInfo(f))
            .OrderBy(f => f.LastWriteTimeUtc)
            .Select(f => new CachedImage(f.Name, f.FullName, f.Length))
            .ToList();

    /// <summary>Bytes the cached images take.</summary>
    public long SizeBytes => Images().Sum(i => i.Length);

    /// <summary>Evicts unreferenced images, least recently used first, until at most <paramref name="targetBytes"/> remain; returns what was evicted.</summary>
    public async Task<IReadOnlyList<CachedImage>> EvictAsync(long targetBytes, CancellationToken cancellationToken)
    {
        await _indexGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try { return EvictLocked(targetBytes, keep: null); }
        finally { _indexGate.Release(); }
    }

    private async Task<CachedImage?> TryGetIndexedAsync(ImageSource source, CancellationToken cancellationToken)
    {
        var hash = ReadSmallFile(UrlPath(source.Key));
        if (hash is null) return null;
        var image = TryGetBySha256(hash);
        if (image is null) return null;
        if (source.Checksum is { } expected)
        {
            var actual = await DigestAsync(image, expected.Algorithm, cancellationToken).ConfigureAwait(false);
            // The image behind the URL may have changed since it was cached: fetch it again.
            if (!string.Equals(actual, expected.Hex, StringComparison.Ordinal)) return null;
        }
        Touch(image.Path);
        return image;
    }

    private async Task VerifyChecksumAsync(ImageSource source, CachedImage image, CancellationToken cancellationToken)
    {
        if (source.Checksum is not { } expected) return;
        var actual = await DigestAsync(image, expected.Algorithm, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(actual, expected.Hex, StringComparison.Ordinal)) throw ChecksumMismatch(source, expected, actual);
    }

    /// <summary>The image's digest in <paramref name="algorithm"/>: from its digests file, else computed once and recorded.</summary>
    private async Task<string> DigestAsync(CachedImage image, string algorithm, CancellationToken cancellationToken)
    {
        if (algorithm == "sha256") return image.Sha256;
        var digestPath = image.Path + "." + algorithm;
        if (ReadSmallFile(digestPath) is { } known) return known;
        using var hash = ImageChecksum.CreateHash(algorithm);
        var buffer = new byte[BufferSize];
        var stream = image.OpenRead();
        await using (stream.ConfigureAwait(false))
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0) hash.AppendData(buffer, 0, n);
        }
        var hex = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
        WriteSmallFileAtomically(digestPath, hex);
        return hex;
    }

    private async Task<bool> TryReferenceAsync(string holder, string sha256, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        await _indexGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!File.Exists(BlobPath(sha256))) return false;
            WriteSmallFileAtomically(RefPath(holder), sha256);
            Touch(BlobPath(sha256));
            return true;
        }
        finally { _indexGate.Release(); }
    }

    private async Task<CachedImage> DownloadAndIndexAsync(ImageSource source)
    {
        await Task.Yield(); // never run the download on the first caller's stack
        var cancellationToken = _disposing.Token;
        var tmp = Path.Combine(_tmp, Guid.NewGuid().ToString("n") + ".part");
        FileStream? sourceLock = null;
        try
        {
            // One download per source across the processes sharing this directory as well (the
            // parallel `ironic deploy start` of a rack runbook, a boot server): whoever holds the
            // source's lock downloads; the others wait, then find the image indexed.
            sourceLock = await LockSourceAsync(source, cancellationToken).ConfigureAwait(false);
            if (await TryGetIndexedAsync(source, cancellationToken).ConfigureAwait(false) is { } cachedMeanwhile) return cachedMeanwhile;
            Interlocked.Increment(ref _downloads);
            var (sha256, length, digests) = source.IsFile
                ? await CopyFileAsync(source, tmp, cancellationToken).ConfigureAwait(false)
                : await DownloadHttpAsync(source, tmp, cancellationToken).ConfigureAwait(false);
            if (source.Checksum is { } expected && !string.Equals(digests[expected.Algorithm], expected.Hex, StringComparison.Ordinal))
            {
                throw ChecksumMismatch(source, expected, digests[expected.Algorithm]);
            }
            await _indexGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                EnsureRoom(source, length, keep: sha256);
                var blob = BlobPath(sha256);
                foreach (var (algorithm, hex) in digests.Where(d => d.Key != "sha256")) WriteSmallFileAtomically(blob + "." + algorithm, hex);
                // The atomic step: the blob appears complete and verified, or not at all.
                File.Move(tmp, blob, overwrite: true);
                Touch(blob);
                WriteSmallFileAtomically(UrlPath(source.Key), sha256);
                EvictLocked(Options.MaxBytes, keep: sha256);
                return new CachedImage(sha256, blob, length);
            }
            finally { _indexGate.Release(); }
        }
        finally
        {
            TryDelete(tmp);
            sourceLock?.Dispose();
            _inFlight.TryRemove(source.Key, out _);
        }
    }

    /// <summary>
    /// The source's lock file under locks/, held open with an exclusive lock (flock on Unix) until
    /// disposed; waits while another process holds it. The system drops the lock of a process that
    /// dies, so a crashed download never blocks the next one.
    /// </summary>
    private async Task<FileStream> LockSourceAsync(ImageSource source, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_locks, Path.GetFileName(UrlPath(source.Key)) + ".lock");
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException e) when (IsHeldByAnother(e))
            {
                await Task.Delay(SourceLockPollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static readonly TimeSpan SourceLockPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The file is locked by another open: EWOULDBLOCK on Linux (11) and macOS (35), a sharing or lock violation on Windows.</summary>
    private static bool IsHeldByAnother(IOException e) => e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    /// <summary>Fails early when the image alone, or with every referenced image, cannot fit the quota.</summary>
    private void EnsureRoom(ImageSource source, long length, string? keep)
    {
        if (length > Options.MaxBytes)
        {
            throw new ImageCacheException(ImageCacheFailure.QuotaExceeded, string.Create(CultureInfo.InvariantCulture,
                $"The image from {source.Location} is {length} bytes, more than the image cache's quota of {Options.MaxBytes} bytes. Raise the quota ([deploy]image_cache_size)."));
        }
        var referenced = References().Values.ToHashSet(StringComparer.Ordinal);
        var pinned = Images().Where(i => referenced.Contains(i.Sha256) && i.Sha256 != keep).Sum(i => i.Length);
        if (pinned + length > Options.MaxBytes)
        {
            throw new ImageCacheException(ImageCacheFailure.QuotaExceeded, string.Create(CultureInfo.InvariantCulture,
                $"The image from {source.Location} ({length} bytes) does not fit in the image cache: {pinned} of its {Options.MaxBytes} bytes hold images that deployed nodes still use. Undeploy nodes or raise the quota ([deploy]image_cache_size)."));
        }
    }

    private List<CachedImage> EvictLocked(long targetBytes, string? keep)
    {
        var images = Images();
        var total = images.Sum(i => i.Length);
        var referenced = References().Values.ToHashSet(StringComparer.Ordinal);
        var evicted = new List<CachedImage>();
        foreach (var image in images)
        {
            if (total <= targetBytes) break;
            if (referenced.Contains(image.Sha256) || image.Sha256 == keep) continue;
            TryDelete(image.Path);
            foreach (var algorithm in ImageChecksum.Algorithms) TryDelete(image.Path + "." + algorithm);
            total -= image.Length;
            evicted.Add(image);
        }
        // URL entries that point at evicted images are dropped so a look-up goes straight to a download.
        if (evicted.Count > 0)
        {
            var gone = evicted.Select(e => e.Sha256).ToHashSet(StringComparer.Ordinal);
            foreach (var file in Directory.EnumerateFiles(_urls))
            {
                if (ReadSmallFile(file) is { } hash && gone.Contains(hash)) TryDelete(file);
            }
        }
        return evicted;
    }

    private async Task<(string Sha256, long Length, Dictionary<string, string> Digests)> CopyFileAsync(ImageSource source, string tmp, CancellationToken cancellationToken)
    {
        var path = source.Location.LocalPath;
        if (!File.Exists(path))
        {
            throw new ImageCacheException(ImageCacheFailure.NotFound, $"The image file '{path}' does not exist; check the path (it is read by the process that runs the deploy).");
        }
        using var hashes = new DigestSet(source.Checksum?.Algorithm);
        var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (input.ConfigureAwait(false))
        {
            EnsureRoom(source, input.Length, keep: null);
            var output = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            await using (output.ConfigureAwait(false))
            {
                var buffer = new byte[BufferSize];
                int n;
                while ((n = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hashes.Append(buffer.AsSpan(0, n));
                    await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                }
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                var digests = hashes.Finish();
                return (digests["sha256"], output.Length, digests);
            }
        }
    }

    private async Task<(string Sha256, long Length, Dictionary<string, string> Digests)> DownloadHttpAsync(ImageSource source, string tmp, CancellationToken cancellationToken)
    {
        var url = source.Location;
        using var hashes = new DigestSet(source.Checksum?.Algorithm);
        var output = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
        await using (output.ConfigureAwait(false))
        {
            long? total = null;
            EntityTagHeaderValue? etag = null;
            DateTimeOffset? lastModified = null;
            var failures = 0;
            string lastProblem = "";
            var lastFailure = ImageCacheFailure.ConnectionFailed;
            var buffer = new byte[BufferSize];
            while (true)
            {
                if (failures > 0)
                {
                    if (failures >= Options.MaxAttempts)
                    {
                        throw total is { } t && output.Length < t
                            ? new ImageCacheException(ImageCacheFailure.ShortRead, string.Create(CultureInfo.InvariantCulture,
                                $"The download of {url} stopped at {output.Length} of {t} bytes (Content-Length) and {failures} attempts to resume it failed; last: {lastProblem}. Check the image server and the network, then deploy again."))
                            : new ImageCacheException(lastFailure, string.Create(CultureInfo.InvariantCulture,
                                $"The download of {url} failed {failures} times; last: {lastProblem}. Check that the image server is up and reachable, and its log."));
                    }
                    await Task.Delay(Options.RetryDelay * Math.Pow(2, failures - 1), cancellationToken).ConfigureAwait(false);
                }
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                var resumeFrom = output.Length;
                if (resumeFrom > 0)
                {
                    request.Headers.Range = new RangeHeaderValue(resumeFrom, null);
                    // Resume only the same representation: If-Range makes a changed file come back whole (200).
                    if (etag is { IsWeak: false }) request.Headers.IfRange = new RangeConditionHeaderValue(etag);
                    else if (lastModified is { } lm) request.Headers.IfRange = new RangeConditionHeaderValue(lm);
                }
                HttpResponseMessage response;
                using (var headersTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    headersTimeout.CancelAfter(Options.ReadTimeout);
                    try
                    {
                        response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersTimeout.Token).ConfigureAwait(false);
                    }
                    catch (HttpRequestException e) when (FindInner<AuthenticationException>(e) is { } tls)
                    {
                        throw new ImageCacheException(ImageCacheFailure.TlsFailure,
                            $"The TLS handshake with {url.Host}:{url.Port} failed for {url}: {tls.Message}. Make the server's certificate trusted by this host (or fix its name), or use the skip-certificate-check option for a lab.", e);
                    }
                    catch (HttpRequestException e)
                    {
                        failures++;
                        lastFailure = ImageCacheFailure.ConnectionFailed;
                        lastProblem = e.Message;
                        continue;
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        failures++;
                        lastFailure = ImageCacheFailure.ConnectionFailed;
                        lastProblem = string.Create(CultureInfo.InvariantCulture, $"no answer within {Options.ReadTimeout.TotalSeconds:0.#} s");
                        continue;
                    }
                }
                using (response)
                {
                    var status = (int)response.StatusCode;
                    if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
                    {
                        throw new ImageCacheException(ImageCacheFailure.NotFound,
                            $"GET {url} answered {status} {response.ReasonPhrase}: there is no image there. Check the URL (boot_iso, kernel or ramdisk in instance_info).");
                    }
                    if (status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout || response.StatusCode == HttpStatusCode.TooManyRequests)
                    {
                        failures++;
                        lastFailure = ImageCacheFailure.HttpError;
                        lastProblem = $"{status} {response.ReasonPhrase}";
                        continue;
                    }
                    if (response.StatusCode == HttpStatusCode.PartialContent && resumeFrom > 0 && response.Content.Headers.ContentRange is { From: { } from } range && from == resumeFrom)
                    {
                        total = range.Length ?? total;
                    }
                    else if (response.StatusCode == HttpStatusCode.OK)
                    {
                        // A whole body (first request, or the server ignored Range / the image changed): start over.
                        if (output.Length > 0)
                        {
                            output.SetLength(0);
                            output.Position = 0;
                            hashes.Reset();
                        }
                        total = response.Content.Headers.ContentLength;
                        etag = response.Headers.ETag;
                        lastModified = response.Content.Headers.LastModified;
                        if (total is { } length) EnsureRoomUnderGate(source, length);
                    }
                    else
                    {
                        throw new ImageCacheException(ImageCacheFailure.HttpError,
                            $"GET {url} answered {status} {response.ReasonPhrase}{(resumeFrom > 0 ? string.Create(CultureInfo.InvariantCulture, $" to a request to resume at byte {resumeFrom}") : "")}. Check the URL and the image server's log.");
                    }
                    var cut = await CopyBodyAsync(response, output, hashes, buffer, cancellationToken).ConfigureAwait(false);
                    if (cut is null && total is { } expectedLength && output.Length < expectedLength) cut = "the body ended early";
                    if (cut is not null)
                    {
                        failures++;
                        lastProblem = string.Create(CultureInfo.InvariantCulture, $"{cut} at byte {output.Length}");
                        continue;
                    }
                    if (total is { } declared && output.Length != declared)
                    {
                        throw new ImageCacheException(ImageCacheFailure.ShortRead, string.Create(CultureInfo.InvariantCulture,
                            $"GET {url} sent {output.Length} bytes but declared {declared} (Content-Length); the server is misbehaving. Check the image server."));
                    }
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    var digests = hashes.Finish();
                    return (digests["sha256"], output.Length, digests);
                }
            }
        }
    }

    private void EnsureRoomUnderGate(ImageSource source, long length)
    {
        _indexGate.Wait(_disposing.Token);
        try { EnsureRoom(source, length, keep: null); }
        finally { _indexGate.Release(); }
    }

    /// <summary>Copies the body to the file; returns why it stopped early (a cut, a stall) or null when it ended normally.</summary>
    private async Task<string?> CopyBodyAsync(HttpResponseMessage response, FileStream output, DigestSet hashes, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                while (true)
                {
                    stall.CancelAfter(Options.ReadTimeout);
                    var n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                    if (n == 0) return null;
                    hashes.Append(buffer.AsSpan(0, n));
                    await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return string.Create(CultureInfo.InvariantCulture, $"no bytes for {Options.ReadTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return "the connection broke (" + e.Message + ")";
        }
    }

    private static ImageCacheException ChecksumMismatch(ImageSource source, ImageChecksum expected, string actual) =>
        new(ImageCacheFailure.ChecksumMismatch,
            $"The image from {source.Location} has {expected.Algorithm} {actual}, not {expected.Hex} as asked; nothing was cached. Check image_checksum (or os_hash_value) against the image, or the URL.");

    private static T? FindInner<T>(Exception e) where T : Exception
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is T t) return t;
        }
        return null;
    }

    private string BlobPath(string sha256) => Path.Combine(_blobs, sha256);

    private string UrlPath(string key) => Path.Combine(_urls, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant());

    private string RefPath(string holder) => Path.Combine(_refs, EncodeHolder(holder));

    // Holder names become file names: anything but [A-Za-z0-9._-] is escaped as %XX.
    private static string EncodeHolder(string holder)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(holder))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_') builder.Append(c);
            else builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    private static string DecodeHolder(string name) => Uri.UnescapeDataString(name);

    private static bool IsSha256Hex(string text) => text.Length == 64 && text.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c));

    private static string? ReadSmallFile(string path)
    {
        try { return File.ReadAllText(path).Trim() is { Length: > 0 } s ? s : null; }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    private void WriteSmallFileAtomically(string path, string content)
    {
        var tmp = Path.Combine(_tmp, Guid.NewGuid().ToString("n") + ".idx");
        File.WriteAllText(tmp, content);
        File.Move(tmp, path, overwrite: true);
    }

    private static void Touch(string path)
    {
        try { File.SetLastWriteTimeUtc(path, DateTime.UtcNow); }
        catch (FileNotFoundException) { }
        catch (IOException) { }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public void Dispose()
    {
        _disposing.Cancel();
        _disposing.Dispose();
        _indexGate.Dispose();
        if (_ownsHttp) _http.Dispose();
    }

    /// <summary>SHA-256 always (the cache key) plus the algorithm the source's checksum names.</summary>
    private sealed class DigestSet : IDisposable
    {
        private readonly Dictionary<string, IncrementalHash> _hashes = new(StringComparer.Ordinal);

        public DigestSet(string? extraAlgorithm)
        {
            _hashes["sha256"] = ImageChecksum.CreateHash("sha256");
            if (extraAlgorithm is not null && extraAlgorithm != "sha256") _hashes[extraAlgorithm] = ImageChecksum.CreateHash(extraAlgorithm);
        }

        public void Append(ReadOnlySpan<byte> data)
        {
            foreach (var hash in _hashes.Values) hash.AppendData(data);
        }

        public void Reset()
        {
            foreach (var hash in _hashes.Values) hash.GetHashAndReset();
        }

        public Dictionary<string, string> Finish() =>
            _hashes.ToDictionary(p => p.Key, p => Convert.ToHexString(p.Value.GetHashAndReset()).ToLowerInvariant(), StringComparer.Ordinal);

        public void Dispose()
        {
            foreach (var hash in _hashes.Values) hash.Dispose();
        }
    }
}
