namespace Ironic.BmcEmulation;

/// <summary>The one-time/continuous boot override of the System as last set.</summary>
public sealed record BootOverride(string Target, string Enabled, string? Mode);

/// <summary>One boot of the emulated server.</summary>
/// <param name="Device">The override target it booted from ("Cd", "UsbCd", "Pxe"…), or "Hdd" without an override.</param>
/// <param name="Mode">BootSourceOverrideMode at the time, when the override was used.</param>
/// <param name="Image">For a CD/USB boot, the image inserted in a slot of that media type (null: nothing inserted).</param>
/// <param name="FromOverride">Whether a Once/Continuous override chose the device (a Once override is cleared by the boot).</param>
public sealed record BootRecord(DateTimeOffset At, string Device, string? Mode, string? Image, bool FromOverride);

/// <summary>Where the BMC's background fetch of an inserted image stands.</summary>
public enum ImageDownloadStatus
{
    /// <summary>Nothing was inserted since start (or the busy-slot image, which is never fetched).</summary>
    None,
    InProgress,
    Completed,
    Failed,
    /// <summary>Ejected before the download finished.</summary>
    Cancelled,
    /// <summary>With <see cref="ImageFetchMode.HeadOnly"/>: HEAD answered 2xx with a Content-Length; no body was fetched.</summary>
    Probed,
}

/// <summary>How much of an inserted image the emulated BMC fetches.</summary>
public enum ImageFetchMode
{
    /// <summary>HEAD, then Range GETs of the whole image, hashed (what a real BMC reads while booting from it).</summary>
    Full,
    /// <summary>HEAD only: proves the URL answers without moving the bytes (many emulators, big images).</summary>
    HeadOnly,
    /// <summary>Nothing is fetched; Download stays None.</summary>
    None,
}

/// <summary>What the emulated BMC fetched of an image: HEAD, then Range GETs of DownloadChunkSize.</summary>
/// <param name="Url">The image URL fetched.</param>
/// <param name="ContentLength">Content-Length the HEAD answered, when it did.</param>
/// <param name="BytesReceived">Bytes received over all Range GETs so far.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the whole image once Completed.</param>
/// <param name="RangeRequests">How many Range GETs were sent.</param>
/// <param name="Error">Why it failed, in the words the BMC would log.</param>
public sealed record ImageDownload(
    ImageDownloadStatus Status,
    string? Url,
    long? ContentLength,
    long BytesReceived,
    string? Sha256,
    int RangeRequests,
    string? Error)
{
    public static readonly ImageDownload NotStarted = new(ImageDownloadStatus.None, null, null, 0, null, 0, null);
}

/// <summary>One virtual media slot as it stands now.</summary>
/// <param name="Id">The slot's Id ("CD", "2", "EXT1"…).</param>
/// <param name="Path">Its @odata.id.</param>
public sealed record VirtualMediaSlotState(
    string Id,
    string Path,
    IReadOnlyList<string> MediaTypes,
    string? Image,
    bool Inserted,
    bool WriteProtected,
    string? TransferProtocolType,
    ImageDownload Download);

/// <summary>A request the emulator answered. Authorization, X-Auth-Token and Cookie headers read "***",
/// and any "Password" in a JSON body reads "***".</summary>
public sealed record RecordedRequest(
    DateTimeOffset At,
    string Method,
    string Path,
    int Status,
    IReadOnlyDictionary<string, string> Headers,
    string? Body);
