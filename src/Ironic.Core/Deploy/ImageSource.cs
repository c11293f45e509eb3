namespace Ironic.Core.Deploy;

/// <summary>
/// Where an image comes from (http, https or a local file) and the checksum it must have, if
/// any. The cache is keyed by <see cref="Key"/>, the absolute URL.
/// </summary>
public sealed record ImageSource(Uri Location, ImageChecksum? Checksum = null)
{
    public string Key => Location.AbsoluteUri;

    public bool IsFile => Location.IsFile;

    /// <summary>Parses an http(s) URL, a file:// URL or a local path.</summary>
    public static ImageSource Parse(string location, ImageChecksum? checksum = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        var text = location.Trim();
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file")
        {
            return new ImageSource(uri, checksum);
        }
        if (text.Contains("://", StringComparison.Ordinal))
        {
            throw new ImageCacheException(ImageCacheFailure.InvalidSource,
                $"The image location '{location}' uses a scheme the image cache cannot fetch; give an http://, https:// or file:// URL or a local path.");
        }
        return new ImageSource(new Uri(Path.GetFullPath(text)), checksum);
    }
}

/// <summary>An image in the cache: its SHA-256 (the name it is stored under), where it is and how long.</summary>
public sealed record CachedImage(string Sha256, string Path, long Length)
{
    public Stream OpenRead() => new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.RandomAccess);
}
