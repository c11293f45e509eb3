namespace Ironic.BmcEmulation;

/// <summary>
/// A fault for requests that match, armed at run time with <see cref="BmcEmulator.AddFault"/>: a
/// failure in the middle of a client's sequence (the InsertMedia after an eject that worked, the
/// power-on after the boot override), not just from the first request on. A matching request waits
/// <see cref="Delay"/> (a BMC that hangs), then gets <see cref="Status"/> and changes nothing, or,
/// with Status 0, is answered normally after the delay. The first <see cref="Count"/> matches are hit.
/// </summary>
public sealed record RequestFault
{
    /// <summary>The HTTP method to match: GET, POST, PATCH, DELETE.</summary>
    public required string Method { get; init; }

    /// <summary>The end of the path to match, e.g. "VirtualMedia.InsertMedia" or "ComputerSystem.Reset".</summary>
    public required string PathEndsWith { get; init; }

    /// <summary>A string the request body must contain (e.g. "\"On\"" for a power-on Reset); null matches any body.</summary>
    public string? BodyContains { get; init; }

    /// <summary>The answer: 503 (ServiceTemporarilyUnavailable, Retry-After), another 4xx/5xx (InternalError), or 0 to answer normally after <see cref="Delay"/>.</summary>
    public int Status { get; init; } = 500;

    /// <summary>What the BMC says in the error (its ExtendedInfo message).</summary>
    public string Message { get; init; } = "the emulator was told to fail this request";

    /// <summary>How long the answer is held back.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.Zero;

    /// <summary>How many matching requests it hits.</summary>
    public int Count { get; init; } = 1;

    internal bool Matches(IncomingRequest request) =>
        string.Equals(request.Method, Method, StringComparison.OrdinalIgnoreCase)
        && request.Path.EndsWith(PathEndsWith, StringComparison.Ordinal)
        && (BodyContains is null || request.Body.Contains(BodyContains, StringComparison.Ordinal));
}
