using System.Buffers.Binary;
using System.Globalization;

namespace Ironic.Core.Iso;

/// <summary>
/// The 16-byte descriptor tag that starts every UDF descriptor (ECMA-167 3/7.2): identifier,
/// checksum of the tag, CRC of the descriptor body and the block the descriptor says it is in.
/// </summary>
internal static class UdfTag
{
    public const int Length = 16;

    public static ushort IdOf(ReadOnlySpan<byte> descriptor) => BinaryPrimitives.ReadUInt16LittleEndian(descriptor);

    /// <summary>
    /// Checks identifier, tag checksum, CRC and (when given) the recorded location; throws an
    /// <see cref="IsoFormatException"/> naming the descriptor and its byte offset otherwise.
    /// </summary>
    public static void Check(ReadOnlySpan<byte> d, ushort expectedId, uint? location, long offset, string what)
    {
        var id = IdOf(d);
        if (id != expectedId)
        {
            throw Damaged(offset, what, string.Create(CultureInfo.InvariantCulture, $"has tag identifier {id}, not {expectedId}"));
        }
        if (Checksum(d) != d[4]) throw Damaged(offset, what, "has a wrong tag checksum");
        // ECMA-167 3/7.2.6-7: the CRC covers CRC-length bytes after the tag.
        var crcLength = BinaryPrimitives.ReadUInt16LittleEndian(d[10..]);
        if (Length + crcLength > d.Length)
        {
            throw Damaged(offset, what, string.Create(CultureInfo.InvariantCulture, $"declares a CRC over {crcLength} bytes, more than the descriptor holds"));
        }
        if (Crc16(d.Slice(Length, crcLength)) != BinaryPrimitives.ReadUInt16LittleEndian(d[8..])) throw Damaged(offset, what, "has a wrong descriptor CRC");
        if (location is { } expected && BinaryPrimitives.ReadUInt32LittleEndian(d[12..]) != expected)
        {
            throw Damaged(offset, what, string.Create(CultureInfo.InvariantCulture, $"says it is at block {BinaryPrimitives.ReadUInt32LittleEndian(d[12..])}, not {expected}"));
        }
    }

    /// <summary>Recomputes CRC (over <paramref name="crcLength"/> bytes after the tag) and tag checksum after a descriptor changed.</summary>
    public static void Seal(Span<byte> d, int crcLength)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(d[10..], checked((ushort)crcLength));
        BinaryPrimitives.WriteUInt16LittleEndian(d[8..], Crc16(d.Slice(Length, crcLength)));
        d[4] = Checksum(d);
    }

    /// <summary>Sets the location field (ECMA-167 3/7.2.8) and seals the descriptor.</summary>
    public static void Relocate(Span<byte> d, uint location)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], location);
        Seal(d, BinaryPrimitives.ReadUInt16LittleEndian(d[10..]));
    }

    /// <summary>ECMA-167 3/7.2.3: the sum modulo 256 of tag bytes 0-3 and 5-15.</summary>
    private static byte Checksum(ReadOnlySpan<byte> d)
    {
        var sum = 0;
        for (var i = 0; i < Length; i++)
        {
            if (i != 4) sum += d[i];
        }
        return (byte)sum;
    }

    /// <summary>ECMA-167 3/7.2.6: CRC-ITU-T (polynomial 0x1021, initial 0, not reflected).</summary>
    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        var crc = 0;
        foreach (var b in data)
        {
            crc ^= b << 8;
            for (var k = 0; k < 8; k++) crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
        }
        return (ushort)crc;
    }

    public static IsoFormatException Damaged(long offset, string what, string problem) =>
        new(string.Create(CultureInfo.InvariantCulture, $"The UDF {what} at byte {offset} {problem}; the image's UDF file system is damaged or hostile. Rebuild the image, or download it again."));
}
