namespace Ironic.Server.Images;

/// <summary>
/// A source of per-node files served at <c>/v1/images/{node}/{file}</c>: node-specific ISOs
/// (an IsoOverlay's composed stream), kernels and ramdisks of a deploy, plain files. The
/// server does Range, ETag, If-None-Match and Last-Modified on top; a provider only opens.
/// </summary>
public interface INodeImageProvider
{
    /// <summary>
    /// Opens <paramref name="file"/> of <paramref name="node"/> (a name or UUID), or returns null
    /// when this provider has no such file. Both names are as they came in the URL: a provider
    /// must never let them reach a path unchecked.
    /// </summary>
    Task<NodeImage?> OpenAsync(string node, string file, CancellationToken cancellationToken);
}

/// <summary>
/// An opened image: a seekable stream of <see cref="Length"/> bytes, a strong entity tag
/// (quoted, as it goes on the wire) that changes whenever the content does, and the time it last changed.
/// </summary>
public sealed record NodeImage(Stream Content, long Length, string ETag, DateTimeOffset LastModified, string ContentType = "application/octet-stream") : IAsyncDisposable
{
    /// <summary>A one-shot deploy's ISO: the node whose reads the server counts (the one-shot release waits for them).</summary>
    public Guid? DeployedNode { get; init; }

    public ValueTask DisposeAsync() => Content.DisposeAsync();
}

/// <summary>Checks the names that come from a URL before a provider uses them.</summary>
public static class ImageNames
{
    /// <summary>
    /// True for a plain file or node name: letters, digits, '.', '-', '_', at most 255 chars, not
    /// starting with '.', so no separator, no '..' and no hidden file can be named.
    /// </summary>
    public static bool IsSafe(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 255 || name[0] == '.') return false;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')) return false;
        }
        return true;
    }

    /// <summary>A content type from the file extension (what a BMC or iPXE may care about).</summary>
    public static string ContentTypeOf(string file) => Path.GetExtension(file).ToLowerInvariant() switch
    {
        ".iso" => "application/x-iso9660-image",
        ".ipxe" or ".cfg" or ".txt" => "text/plain; charset=utf-8",
        ".img" or ".raw" => "application/octet-stream",
        _ => "application/octet-stream",
    };
}
