using System.Net;
using Ironic.Core.Inventory;

namespace Ironic.Server;

/// <summary>How one boot server runs: where it listens, which inventory it shares, its conductor name.</summary>
public sealed record BootServerOptions
{
    public const string DefaultListen = "127.0.0.1:6385";

    /// <summary>host:port to listen on; port 0 picks a free one.</summary>
    public string Listen { get; init; } = DefaultListen;

    public StoreLocation Store { get; init; } = StoreLocation.Default;

    /// <summary>This server's conductor name on the hash ring (default: the host name).</summary>
    public string Name { get; init; } = Environment.MachineName.ToLowerInvariant();

    /// <summary>Parses <c>host:port</c>, <c>[v6]:port</c> or a bare port into an endpoint.</summary>
    public static IPEndPoint ParseListen(string listen)
    {
        var text = listen.Trim();
        if (int.TryParse(text, out var bare)) text = "127.0.0.1:" + bare.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase)) text = "127.0.0.1" + text["localhost".Length..];
        if (text.StartsWith("*:", StringComparison.Ordinal)) text = "0.0.0.0" + text[1..];
        if (!IPEndPoint.TryParse(text, out var endpoint) || !text.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Cannot listen on '{listen}': give an address and port such as 127.0.0.1:6385, 0.0.0.0:6385 or [::1]:6385.");
        }
        return endpoint;
    }
}
