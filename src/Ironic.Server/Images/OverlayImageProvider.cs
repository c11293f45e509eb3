using System.Collections.Concurrent;
using Ironic.Core.Deploy;
using Ironic.Core.Inventory;
using Ironic.Core.Iso;
using Microsoft.Extensions.Logging;

namespace Ironic.Server.Images;

/// <summary>
/// Serves a deployed node's ISO at <c>/v1/images/{node}/boot.iso</c>: the base from the image
/// cache composed with the node's stored delta (an <see cref="IsoOverlay"/>), never a copy.
/// A server that lacks the base (another host ran the deploy) fetches it from the source the
/// deploy recorded, checked against the recorded SHA-256.
/// </summary>
public sealed class OverlayImageProvider(IInventoryStore store, ImageCache cache, ILogger? logger = null) : INodeImageProvider
{
    // Parsed deltas by ETag (the delta's hash): 50 BMCs reading in ranges must not re-parse per request.
    private readonly ConcurrentDictionary<string, IsoDelta> _deltas = new(StringComparer.Ordinal);

    public async Task<NodeImage?> OpenAsync(string node, string file, CancellationToken cancellationToken)
    {
        if (file != NodeIsoArtifacts.PublishedFileName || !ImageNames.IsSafe(node)) return null;
        var found = await store.GetNodeAsync(node, cancellationToken).ConfigureAwait(false);
        if (found is null) return null;
        var stored = await NodeIsoArtifacts.LoadAsync(store, found.Uuid, cancellationToken).ConfigureAwait(false);
        if (stored is not { } overlay) return null;
        var baseImage = cache.TryGetBySha256(overlay.Base.Sha256);
        if (baseImage is null)
        {
            try
            {
                var source = new ImageSource(overlay.Base.Source, new ImageChecksum("sha256", overlay.Base.Sha256));
                baseImage = await cache.GetAsync(source, found.Uuid.ToString("D"), cancellationToken).ConfigureAwait(false);
            }
            catch (ImageCacheException e)
            {
                logger?.LogError("Cannot serve the ISO of node {Node}: its base {Sha256} is not cached here and fetching it failed: {Message}", found.Name, overlay.Base.Sha256, e.Message);
                return null;
            }
        }
        if (_deltas.Count > 4096) _deltas.Clear();
        var delta = _deltas.GetOrAdd(overlay.ETag, _ => overlay.Delta);
        var baseStream = baseImage.OpenRead();
        try
        {
            var composed = IsoOverlay.Open(baseStream, delta, leaveOpen: false);
            var etag = "\"" + overlay.ETag.Trim('"')[..16] + baseImage.Sha256[..16] + "\"";
            // Reads are counted only for a one-shot deploy's ISO (instance_info one_shot is set when
            // that deploy starts, before the BMC can read): nothing else waits for them.
            return new NodeImage(composed, composed.Length, etag, found.UpdatedAt, ImageNames.ContentTypeOf(file))
            {
                DeployedNode = OneShotRelease.IsRequested(found) ? found.Uuid : null,
            };
        }
        catch (IsoFormatException e)
        {
            await baseStream.DisposeAsync().ConfigureAwait(false);
            logger?.LogError("Cannot serve the ISO of node {Node}: {Message}", found.Name, e.Message);
            return null;
        }
    }
}
