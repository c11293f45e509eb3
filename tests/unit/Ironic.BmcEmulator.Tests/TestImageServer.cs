using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ironic.BmcEmulation.Tests;

/// <summary>
/// A small image server on 127.0.0.1: serves one generated image at /images/NAME with HEAD and
/// single-range GETs (206 + Content-Range), and records what it was asked.
/// </summary>
internal sealed class TestImageServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(string Method, string? Range)> _requests = [];

    private TestImageServer(WebApplication app, byte[] image)
    {
        _app = app;
        Image = image;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(image));
    }

    public byte[] Image { get; }

    public string Sha256 { get; }

    public Uri Address { get; private set; } = null!;

    /// <summary>When set, Range headers are ignored and the whole image comes back with 200 (a server BMCs cannot use).</summary>
    public bool IgnoreRange { get; set; }

    public IReadOnlyList<(string Method, string? Range)> Requests
    {
        get { lock (_requests) return _requests.ToArray(); }
    }

    public Uri UrlOf(string name) => new(Address, "images/" + name);

    public static async Task<TestImageServer> StartAsync(int size)
    {
        var image = new byte[size];
        new Random(42).NextBytes(image);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new TestImageServer(app, image);
        app.Run(server.ServeAsync);
        await app.StartAsync();
        server.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return server;
    }

    private async Task ServeAsync(HttpContext context)
    {
        var request = context.Request;
        var range = request.Headers.Range.ToString();
        lock (_requests) _requests.Add((request.Method, range.Length == 0 ? null : range));
        var response = context.Response;
        if (!(request.Path.Value ?? "").StartsWith("/images/", StringComparison.Ordinal) || request.Path.Value!.Contains("missing", StringComparison.Ordinal))
        {
            response.StatusCode = 404;
            return;
        }
        response.ContentType = "application/octet-stream";
        response.Headers.AcceptRanges = "bytes";
        if (HttpMethods.IsHead(request.Method))
        {
            response.ContentLength = Image.Length;
            return;
        }
        var (from, to) = (0L, Image.Length - 1L);
        if (!IgnoreRange && range.StartsWith("bytes=", StringComparison.Ordinal))
        {
            var parts = range[6..].Split('-');
            from = long.Parse(parts[0], CultureInfo.InvariantCulture);
            to = parts[1].Length == 0 ? Image.Length - 1 : Math.Min(long.Parse(parts[1], CultureInfo.InvariantCulture), Image.Length - 1);
            response.StatusCode = 206;
            response.Headers.ContentRange = $"bytes {from}-{to}/{Image.Length}";
        }
        response.ContentLength = to - from + 1;
        await response.Body.WriteAsync(Image.AsMemory((int)from, (int)(to - from + 1)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
