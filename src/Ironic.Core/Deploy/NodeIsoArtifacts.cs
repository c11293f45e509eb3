using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ironic.Core.Inventory;
using Ironic.Core.Iso;

namespace Ironic.Core.Deploy;

/// <summary>
/// Which base image a node's ISO overlay applies to: its SHA-256 in the image cache and the
/// source it came from (so a server on another host can fetch the same base itself).
/// </summary>
public sealed record OverlayBase(string Sha256, Uri Source)
{
    public byte[] ToBytes() => Encoding.UTF8.GetBytes($"sha256={Sha256}\nsource={Source}\n");

    public static OverlayBase FromBytes(byte[] data)
    {
        var fields = Encoding.UTF8.GetString(data)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!fields.TryGetValue("sha256", out var sha) || !fields.TryGetValue("source", out var source) || !Uri.TryCreate(source, UriKind.Absolute, out var uri))
        {
            throw new IsoFormatException("The node's stored overlay base record is damaged (no sha256= or source= line); deploy the node again.");
        }
        return new OverlayBase(sha, uri);
    }
}

/// <summary>
/// A node's ISO as stored with the node: the delta (artifact <see cref="DeltaArtifact"/>) and
/// its base (artifact <see cref="BaseArtifact"/>). Published at <c>/v1/images/&lt;node&gt;/boot.iso</c>.
/// </summary>
public static class NodeIsoArtifacts
{
    public const string DeltaArtifact = "iso-overlay.delta";
    public const string BaseArtifact = "iso-overlay.base";
    public const string PublishedFileName = "boot.iso";

    /// <summary>
    /// Builds the node's overlay of <paramref name="baseImage"/>: kernel parameters edited in
    /// every boot configuration, files replaced. Reads only the base's metadata and config files.
    /// </summary>
    public static IsoDelta BuildDelta(CachedImage baseImage, IReadOnlyList<string> kernelParameters, IReadOnlyDictionary<string, byte[]>? files)
    {
        ArgumentNullException.ThrowIfNull(baseImage);
        ArgumentNullException.ThrowIfNull(kernelParameters);
        using var stream = baseImage.OpenRead();
        var image = IsoImage.Open(stream);
        var builder = new BootIsoBuilder(image);
        if (kernelParameters.Count > 0)
        {
            var changed = builder.EditKernelParameters(new Iso.BootConfig.KernelParameterEdit(kernelParameters, []));
            if (changed.Count == 0)
            {
                throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"The boot ISO {baseImage.Sha256[..12]}… has no GRUB, ISOLINUX/SYSLINUX or ESXi boot.cfg entry to add kernel parameters to; use an ISO with one of them, or deploy without kernel parameters."));
            }
        }
        foreach (var (path, content) in files ?? new Dictionary<string, byte[]>())
        {
            builder.PutFile(path, content);
        }
        return builder.Build();
    }

    public static async Task StoreAsync(IInventoryStore store, Guid nodeUuid, IsoDelta delta, OverlayBase baseRecord, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(baseRecord);
        await store.PutArtifactAsync(nodeUuid, BaseArtifact, baseRecord.ToBytes(), cancellationToken).ConfigureAwait(false);
        await store.PutArtifactAsync(nodeUuid, DeltaArtifact, delta.ToBytes(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops the node's overlay: its stored artifacts, and its reference to the cached base (which may then be evicted).</summary>
    public static async Task DropAsync(IInventoryStore store, ImageCache cache, Guid nodeUuid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(cache);
        await store.DeleteArtifactsAsync(nodeUuid, cancellationToken).ConfigureAwait(false);
        await cache.RemoveReferenceAsync(nodeUuid.ToString("D"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The node's stored overlay, or null when it has none.</summary>
    public static async Task<(IsoDelta Delta, OverlayBase Base, string ETag)?> LoadAsync(IInventoryStore store, Guid nodeUuid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var baseBytes = await store.GetArtifactAsync(nodeUuid, BaseArtifact, cancellationToken).ConfigureAwait(false);
        var deltaBytes = await store.GetArtifactAsync(nodeUuid, DeltaArtifact, cancellationToken).ConfigureAwait(false);
        if (baseBytes is null || deltaBytes is null) return null;
        var etag = "\"" + Convert.ToHexString(SHA256.HashData(deltaBytes))[..32].ToLowerInvariant() + "\"";
        return (IsoDelta.FromBytes(deltaBytes), OverlayBase.FromBytes(baseBytes), etag);
    }
}
