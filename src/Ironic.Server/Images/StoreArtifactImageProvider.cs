using System.Security.Cryptography;
using Ironic.Core.Inventory;

namespace Ironic.Server.Images;

/// <summary>
/// Serves a node's artifacts from the inventory (what a deploy stored to publish, e.g. a
/// small rendered file). The node is found by name or UUID; the ETag is the SHA-256 of the
/// content, the Last-Modified time the node's.
/// </summary>
public sealed class StoreArtifactImageProvider(IInventoryStore store) : INodeImageProvider
{
    public async Task<NodeImage?> OpenAsync(string node, string file, CancellationToken cancellationToken)
    {
        if (!ImageNames.IsSafe(node) || !ImageNames.IsSafe(file)) return null;
        var found = await store.GetNodeAsync(node, cancellationToken).ConfigureAwait(false);
        if (found is null) return null;
        var content = await store.GetArtifactAsync(found.Uuid, file, cancellationToken).ConfigureAwait(false);
        if (content is null) return null;
        var etag = "\"" + Convert.ToHexString(SHA256.HashData(content))[..32].ToLowerInvariant() + "\"";
        return new NodeImage(new MemoryStream(content, writable: false), content.Length, etag, found.UpdatedAt, ImageNames.ContentTypeOf(file));
    }
}
