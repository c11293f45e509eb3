using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ironic.Core.Tests.Deploy;

/// <summary>How the test server misbehaves for one path.</summary>
public sealed record FileBehaviour
{
    /// <summary>Requests (1-based) whose body is cut (connection aborted) after <see cref="CutAfterBytes"/> bytes.</summary>
    public Func<int, bool> CutRequest { get; init; } = _ => false;
    public long CutAfterBytes { get; init; }

    /// <summary>Requests answered with this status instead of the file (null: serve).</summary>
    public Func<int, int?> Status { get; init; } = _ => null;

    /// <summary>Requests that stop sending after <see cref="CutAfterBytes"/> bytes and then hang.</summary>
    public Func<int, bool> StallRequest { get; init; } = _ => false;

    /// <summary>Answer every request with the whole body (200), ignoring Range.</summary>
    public bool IgnoreRange { get; init; }

    /// <summary>Pause before the body, so that concurrent callers really overlap.</summary>
    public TimeSpan Delay { get; init; }
}

/// <summary>
/// A real Kestrel file server on 127.0.0.1:0 for download tests: serves byte arrays with HEAD,
/// Range and ETag, counts requests per path, and can cut connections mid-body, stall, or answer
/// error codes, on chosen requests.
/// </summary>
public sealed class TestFileServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (byte[] Content, FileBehaviour Behaviour)> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _rangeHeaders = new();

    private TestFileServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyCollection<string> RangeHeaders => _rangeHeaders.ToArray();

    public static async Task<TestFileServer> StartAsync(X509Certificate2? tlsCertificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0, o =>
            {
                if (tlsCertificate is not null) o.UseHttps(tlsCertificate);
            });
        });
        var app = builder.Build();
        var server = new TestFileServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public Uri Add(string path, byte[] content, FileBehaviour? behaviour = null)
    {
        _files[path] = (content, behaviour ?? new FileBehaviour());
        return new Uri(BaseAddress, path);
    }

    public int Requests(string path) => _requests.TryGetValue(path, out var n) ? n : 0;

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!.TrimStart('/');
        var number = _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (!_files.TryGetValue(path, out var file))
        {
            context.Response.StatusCode = 404;
            return;
        }
        var (content, behaviour) = file;
        if (behaviour.Status(number) is { } status)
        {
            context.Response.StatusCode = status;
            return;
        }
        var etag = "\"" + Convert.ToHexString(SHA256.HashData(content))[..16] + "\"";
        context.Response.Headers.ETag = etag;
        context.Response.Headers.AcceptRanges = "bytes";
        long from = 0;
        var rangeHeader = context.Request.Headers.Range.ToString();
        if (rangeHeader.Length > 0) _rangeHeaders.Enqueue(rangeHeader);
        var ifRange = context.Request.Headers.IfRange.ToString();
        if (!behaviour.IgnoreRange && rangeHeader.StartsWith("bytes=", StringComparison.Ordinal) && (ifRange.Length == 0 || ifRange == etag))
        {
            var spec = rangeHeader["bytes=".Length..].Split('-');
            from = long.Parse(spec[0], CultureInfo.InvariantCulture);
            if (from >= content.Length)
            {
                context.Response.StatusCode = 416;
                return;
            }
            context.Response.StatusCode = 206;
            context.Response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {from}-{content.Length - 1}/{content.Length}");
        }
        context.Response.ContentLength = content.Length - from;
        if (HttpMethods.IsHead(context.Request.Method)) return;
        if (behaviour.Delay > TimeSpan.Zero) await Task.Delay(behaviour.Delay);
        var body = content.AsMemory((int)from);
        if (behaviour.CutRequest(number) || behaviour.StallRequest(number))
        {
            var part = (int)Math.Min(body.Length, Math.Max(0, behaviour.CutAfterBytes - from));
            await context.Response.Body.WriteAsync(body[..part]);
            await context.Response.Body.FlushAsync();
            if (behaviour.StallRequest(number)) await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            context.Abort();
            return;
        }
        await context.Response.Body.WriteAsync(body);
    }

    /// <summary>A self-signed certificate for 127.0.0.1 that no client trusts.</summary>
    public static X509Certificate2 SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
