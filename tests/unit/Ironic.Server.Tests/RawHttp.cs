using System.Net.Sockets;
using System.Text;

namespace Ironic.Server.Tests;

/// <summary>
/// Sends a request line exactly as written (no client-side normalization of "../" or
/// percent-escapes) and returns the whole response, so tests see what a hostile client sees.
/// </summary>
internal static class RawHttp
{
    public sealed record Response(int Status, string Head, byte[] Body)
    {
        public string BodyText => Encoding.UTF8.GetString(Body);
        public string? Header(string name) => Head.Split("\r\n").Skip(1)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim()).FirstOrDefault();
    }

    public static async Task<Response> SendAsync(Uri server, string target, string method = "GET", string extraHeaders = "")
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        var request = $"{method} {target} HTTP/1.1\r\nHost: {server.Authority}\r\n{extraHeaders}Connection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var all = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await stream.CopyToAsync(all, timeout.Token);
        var bytes = all.ToArray();
        var split = IndexOf(bytes, "\r\n\r\n"u8.ToArray());
        var head = Encoding.ASCII.GetString(bytes, 0, split);
        var body = bytes[(split + 4)..];
        var status = int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var response = new Response(status, head, body);
        if (response.Header("Transfer-Encoding") is "chunked") response = response with { Body = Dechunk(body) };
        return response;
    }

    private static byte[] Dechunk(byte[] body)
    {
        using var output = new MemoryStream();
        var at = 0;
        while (true)
        {
            var lineEnd = IndexOf(body.AsSpan(at).ToArray(), "\r\n"u8.ToArray()) + at;
            var size = Convert.ToInt32(Encoding.ASCII.GetString(body, at, lineEnd - at).Split(';')[0], 16);
            if (size == 0) return output.ToArray();
            output.Write(body, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
