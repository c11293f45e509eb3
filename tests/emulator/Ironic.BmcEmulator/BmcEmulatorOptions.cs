using System.Net;

namespace Ironic.BmcEmulation;

/// <summary>How one emulated BMC behaves. Defaults: Generic profile on 127.0.0.1, a free port, admin/password.</summary>
public sealed record BmcEmulatorOptions
{
    /// <summary>Where to listen: "127.0.0.1:0" (a free port), "127.0.0.1:8000", "[::1]:8000".</summary>
    public string Listen { get; init; } = "127.0.0.1:0";

    public BmcProfile Profile { get; init; } = BmcProfile.Generic;

    /// <summary>The quirks in force; null means the profile's defaults (<see cref="BmcProfiles.DefaultQuirks"/>).
    /// To add one to a profile: <c>BmcProfiles.DefaultQuirks(BmcProfile.Ilo) | BmcQuirks.ActionsAsTasks</c>.</summary>
    public BmcQuirks? Quirks { get; init; }

    public string UserName { get; init; } = "admin";

    public string Password { get; init; } = "password";

    /// <summary>A folder of DMTF-mockup-style index.json files (either the folder of /redfish/v1 or one holding redfish/v1/);
    /// null uses the profile's built-in mockup.</summary>
    public string? MockupDirectory { get; init; }

    /// <summary>Serve HTTPS with a self-signed certificate made at start (see <see cref="BmcEmulator.Certificate"/>).</summary>
    public bool UseTls { get; init; }

    /// <summary>Added before every answer (a slow BMC).</summary>
    public TimeSpan ResponseDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Answer every Nth request (1-based count over all requests) with 503 and Retry-After; 0 = never.</summary>
    public int FailEveryNthRequest { get; init; }

    /// <summary>Answer each request with 503 with this probability (0..1), drawn from a Random seeded with <see cref="FailureSeed"/>.</summary>
    public double FailureProbability { get; init; }

    public int FailureSeed { get; init; } = 1;

    /// <summary>How long a power change takes; meanwhile PowerState reads PoweringOn/PoweringOff.</summary>
    public TimeSpan PowerTransitionDelay { get; init; } = TimeSpan.Zero;

    /// <summary>With <see cref="BmcQuirks.ActionsAsTasks"/>: how long a task runs before its change is applied.</summary>
    public TimeSpan TaskDuration { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>The Retry-After (seconds) sent with 202 task answers and 503s.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>A busy slot: the first CD/DVD slot starts inserted with this image URL (nothing is downloaded).</summary>
    public string? PreinsertedImage { get; init; }

    /// <summary>How much of an inserted image is fetched: all of it (default), HEAD only, or nothing.</summary>
    public ImageFetchMode ImageFetch { get; init; } = ImageFetchMode.Full;

    /// <summary>Size of each Range GET when the BMC downloads an inserted image.</summary>
    public int DownloadChunkSize { get; init; } = 1024 * 1024;

    /// <summary>The power state the System starts in: "Off" or "On".</summary>
    public string InitialPowerState { get; init; } = "Off";

    internal BmcQuirks EffectiveQuirks => Quirks ?? BmcProfiles.DefaultQuirks(Profile);

    /// <summary>Parses "127.0.0.1:8000", "8000" (loopback), "localhost:8000", "[::1]:8000".</summary>
    public static IPEndPoint ParseListen(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (int.TryParse(text, out var bare) && bare is >= 0 and <= 65535) return new IPEndPoint(IPAddress.Loopback, bare);
        var colon = text.LastIndexOf(':');
        if (colon > 0 && int.TryParse(text.AsSpan(colon + 1), out var port) && port is >= 0 and <= 65535)
        {
            var host = text[..colon].Trim('[', ']');
            if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return new IPEndPoint(IPAddress.Loopback, port);
            if (IPAddress.TryParse(host, out var address)) return new IPEndPoint(address, port);
        }
        throw new ArgumentException($"Cannot read the listen address '{text}': give HOST:PORT such as 127.0.0.1:8000 (port 0 picks a free one).", nameof(text));
    }
}
