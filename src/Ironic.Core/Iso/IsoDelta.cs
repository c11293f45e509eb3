using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Ironic.Core.Iso;

/// <summary>Bytes of the result that differ from the base: at <see cref="Offset"/>, inside the base or after its end.</summary>
public sealed record IsoPatch(long Offset, byte[] Bytes)
{
    public long End => Offset + Bytes.Length;
}

/// <summary>
/// A node-specific ISO as the difference from its base: sector replacements inside the base,
/// sectors appended after it, and the new total length (bytes past the base that no patch covers
/// read as zero). The base is identified by its length and <see cref="IsoImage.Fingerprint"/>, so a
/// delta refuses to apply to the wrong base.
/// </summary>
public sealed class IsoDelta
{
    private static ReadOnlySpan<byte> Magic => "IRNISODL"u8;
    public const ushort FormatVersion = 1;
    private const int MaxPatches = 1 << 20;

    public IsoDelta(long baseLength, string baseFingerprint, long newLength, IReadOnlyList<IsoPatch> patches)
    {
        ArgumentNullException.ThrowIfNull(patches);
        ArgumentException.ThrowIfNullOrEmpty(baseFingerprint);
        if (newLength < 0 || baseLength < 0) throw new ArgumentOutOfRangeException(nameof(newLength), "Lengths cannot be negative.");
        var sorted = patches.Where(p => p.Bytes.Length > 0).OrderBy(p => p.Offset).ToList();
        for (var i = 0; i < sorted.Count; i++)
        {
            if (sorted[i].Offset < 0 || sorted[i].End > newLength)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Patch at byte {sorted[i].Offset} (+{sorted[i].Bytes.Length}) lies outside the result of {newLength} bytes."), nameof(patches));
            }
            if (i > 0 && sorted[i].Offset < sorted[i - 1].End)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Patches at bytes {sorted[i - 1].Offset} and {sorted[i].Offset} overlap."), nameof(patches));
            }
        }
        BaseLength = baseLength;
        BaseFingerprint = baseFingerprint;
        NewLength = newLength;
        Patches = sorted;
    }

    public long BaseLength { get; }
    public string BaseFingerprint { get; }
    public long NewLength { get; }
    public IReadOnlyList<IsoPatch> Patches { get; }

    /// <summary>Bytes carried by the patches (what the delta costs to store, roughly).</summary>
    public long PayloadBytes => Patches.Sum(p => (long)p.Bytes.Length);

    /// <summary>Checks that an image of <paramref name="length"/> bytes with <paramref name="fingerprint"/> (<see cref="IsoImage.Fingerprint"/>) is the base this delta was made from.</summary>
    public void EnsureBase(long length, string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        if (length != BaseLength || !string.Equals(fingerprint, BaseFingerprint, StringComparison.Ordinal))
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                $"This delta was made from a base of {BaseLength} bytes with fingerprint {BaseFingerprint[..16]}…, but the given image is {length} bytes with fingerprint {fingerprint[..16]}…: apply it to the ISO it was made from."));
        }
    }

    /// <summary>Serialized form: magic, version, base length + fingerprint, new length, patches, SHA-256 of all before it.</summary>
    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        Span<byte> head = stackalloc byte[8 + 2 + 2 + 8 + 32 + 8 + 4];
        Magic.CopyTo(head);
        BinaryPrimitives.WriteUInt16LittleEndian(head[8..], FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(head[12..], BaseLength);
        Convert.FromHexString(BaseFingerprint).CopyTo(head[20..]);
        BinaryPrimitives.WriteInt64LittleEndian(head[52..], NewLength);
        BinaryPrimitives.WriteInt32LittleEndian(head[60..], Patches.Count);
        buffer.Write(head);
        Span<byte> patchHead = stackalloc byte[12];
        foreach (var p in Patches)
        {
            BinaryPrimitives.WriteInt64LittleEndian(patchHead, p.Offset);
            BinaryPrimitives.WriteInt32LittleEndian(patchHead[8..], p.Bytes.Length);
            buffer.Write(patchHead);
            buffer.Write(p.Bytes);
        }
        var body = buffer.ToArray();
        return [.. body, .. SHA256.HashData(body)];
    }

    public static IsoDelta FromBytes(ReadOnlySpan<byte> data)
    {
        const int headLength = 64;
        if (data.Length < headLength + 32 || !data[..8].SequenceEqual(Magic))
        {
            throw new IsoFormatException("This is not an ISO delta (no IRNISODL header); pass a file written by New-BootIso -DeltaFile or 'ironic iso inject --delta'.");
        }
        var version = BinaryPrimitives.ReadUInt16LittleEndian(data[8..]);
        if (version != FormatVersion)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"The ISO delta has format version {version}; this build reads version {FormatVersion}. Recreate the delta with this version."));
        }
        var body = data[..^32];
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(data[^32..]))
        {
            throw new IsoFormatException("The ISO delta's checksum does not match its content: the file is truncated or corrupted. Recreate it.");
        }
        var baseLength = BinaryPrimitives.ReadInt64LittleEndian(data[12..]);
        var fingerprint = Convert.ToHexString(data.Slice(20, 32)).ToLowerInvariant();
        var newLength = BinaryPrimitives.ReadInt64LittleEndian(data[52..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(data[60..]);
        if (count is < 0 or > MaxPatches) throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"The ISO delta declares {count} patches; it is corrupted."));
        var patches = new List<IsoPatch>(count);
        var pos = headLength;
        for (var i = 0; i < count; i++)
        {
            if (pos + 12 > body.Length) throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"The ISO delta ends inside patch {i}."));
            var offset = BinaryPrimitives.ReadInt64LittleEndian(body[pos..]);
            var length = BinaryPrimitives.ReadInt32LittleEndian(body[(pos + 8)..]);
            pos += 12;
            if (length < 0 || pos + length > body.Length) throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"Patch {i} of the ISO delta claims {length} bytes beyond the end of the delta."));
            patches.Add(new IsoPatch(offset, body.Slice(pos, length).ToArray()));
            pos += length;
        }
        try
        {
            return new IsoDelta(baseLength, fingerprint, newLength, patches);
        }
        catch (ArgumentException e)
        {
            throw new IsoFormatException($"The ISO delta is inconsistent: {e.Message}", e);
        }
    }
}
