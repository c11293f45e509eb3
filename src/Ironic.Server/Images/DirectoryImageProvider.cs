using System.Globalization;

namespace Ironic.Server.Images;

/// <summary>
/// Serves <c>{root}/{node}/{file}</c> from a directory (kernels, ramdisks, prepared ISOs).
/// Names are checked by <see cref="ImageNames.IsSafe"/> and the resolved path must stay under
/// the root, so nothing outside it can be named. The ETag is derived from size and mtime, as
/// nginx does.
/// </summary>
public sealed class DirectoryImageProvider(string root) : INodeImageProvider
{
    private readonly string _root = Path.GetFullPath(root);

    public string Root => _root;

    public Task<NodeImage?> OpenAsync(string node, string file, CancellationToken cancellationToken)
    {
        if (!ImageNames.IsSafe(node) || !ImageNames.IsSafe(file)) return Task.FromResult<NodeImage?>(null);
        var path = Path.GetFullPath(Path.Combine(_root, node, file));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return Task.FromResult<NodeImage?>(null);
        var info = new FileInfo(path);
        if (!info.Exists || (info.Attributes & (FileAttributes.Directory | FileAttributes.ReparsePoint)) != 0) return Task.FromResult<NodeImage?>(null);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Task.FromResult<NodeImage?>(null);
        }
        var modified = new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero);
        var etag = string.Create(CultureInfo.InvariantCulture, $"\"{modified.ToUnixTimeMilliseconds():x}-{stream.Length:x}\"");
        return Task.FromResult<NodeImage?>(new NodeImage(stream, stream.Length, etag, modified, ImageNames.ContentTypeOf(file)));
    }
}
