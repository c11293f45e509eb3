namespace Ironic.Core.Deploy;

/// <summary>Where the image cache lives and how much it may hold.</summary>
public sealed record ImageCacheOptions
{
    /// <summary>The cache directory (blobs/, urls/, refs/, tmp/ beneath it).</summary>
    public required string Directory { get; init; }

    /// <summary>Bytes of base images the cache may hold; unreferenced ones are evicted, least recently used first.</summary>
    public long MaxBytes { get; init; } = 20L << 30;

    /// <summary>How many times a download is resumed or retried (cut connection, 5xx) before it fails.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The longest wait for the next bytes of a body (or for response headers) before the connection counts as cut.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The pause before the first retry; doubled for each further one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The default directory: images/ beside the embedded inventory in the user's data directory.</summary>
    public static string DefaultDirectory => Path.Combine(Inventory.StoreLocation.DataDirectory(), "images");
}
