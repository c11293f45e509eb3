using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Ironic.Core.Tests.Redfish;

/// <summary>
/// Serves one file over HTTP on 127.0.0.1 with HEAD and single Range requests, as the image
/// server a BMC fetches virtual media from; counts what it was asked.
/// </summary>
internal sealed class LocalImageServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly byte[] _content;
    private readonly Task _loop;
    private int _heads;
    private int _rangeGets;

    public LocalImageServer(string fileName, int size)
    {
        _content = new byte[size];
        new Random(42).NextBytes(_content);
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(_content));
        FileName = fileName;
        // HttpListener cannot pick a free port itself: take one from the OS and retry on a race.
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                _listener.Start();
                Address = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }
        _loop = Task.Run(ServeAsync);
    }

    public Uri Address { get; private set; } = null!;
    public string FileName { get; }
    public string Sha256 { get; }
    public Uri ImageUrl => new(Address, "images/" + FileName);
    public int Heads => Volatile.Read(ref _heads);
    public int RangeGets => Volatile.Read(ref _rangeGets);

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => Answer(context));
        }
    }

    private void Answer(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            if (context.Request.Url!.AbsolutePath != "/images/" + FileName)
            {
                response.StatusCode = 404;
                return;
            }
            response.Headers["Accept-Ranges"] = "bytes";
            response.ContentType = "application/octet-stream";
            if (context.Request.HttpMethod == "HEAD")
            {
                Interlocked.Increment(ref _heads);
                response.ContentLength64 = _content.Length;
                return;
            }
            var (start, end) = (0L, _content.LongLength - 1);
            if (context.Request.Headers["Range"] is { } range && range.StartsWith("bytes=", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _rangeGets);
                var parts = range["bytes=".Length..].Split('-');
                start = long.Parse(parts[0], CultureInfo.InvariantCulture);
                if (parts[1].Length > 0) end = Math.Min(end, long.Parse(parts[1], CultureInfo.InvariantCulture));
                response.StatusCode = 206;
                response.Headers["Content-Range"] = $"bytes {start}-{end}/{_content.Length}";
            }
            response.ContentLength64 = end - start + 1;
            response.OutputStream.Write(_content, (int)start, (int)(end - start + 1));
        }
        catch (HttpListenerException)
        {
            // The BMC hung up (an eject cancels its download): nothing to answer.
        }
        finally
        {
            try { response.Close(); } catch (HttpListenerException) { }
        }
    }

    public void Dispose()
    {
        // Close alone: on Linux, Stop followed by Close unregisters the prefixes twice, and the
        // second time HttpListener binds the port again to look it up, failing with "Address
        // already in use" when another test took the port in between.
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
