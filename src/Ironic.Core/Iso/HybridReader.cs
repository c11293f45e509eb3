using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Ironic.Core.Iso;

/// <summary>Reads the isohybrid MBR and GPT that let an ISO boot as a disk.</summary>
internal static class HybridReader
{
    public const int DiskSector = 512;

    public static HybridLayout Read(IsoSource source)
    {
        var head = source.Read(0, DiskSector * 2, "system area");
        var mbr = new List<MbrPartition>();
        // MBR: signature 55 AA at 510; four 16-byte entries from 446 (UEFI 2.x table 5-2).
        if (head[510] == 0x55 && head[511] == 0xAA)
        {
            for (var i = 0; i < 4; i++)
            {
                var e = head.AsSpan(446 + i * 16, 16);
                var type = e[4];
                var start = BinaryPrimitives.ReadUInt32LittleEndian(e[8..]);
                var count = BinaryPrimitives.ReadUInt32LittleEndian(e[12..]);
                if (type == 0 && start == 0 && count == 0) continue;
                if (type == 0 && count == 0) continue;
                mbr.Add(new MbrPartition(i + 1, e[0], type, start, count));
            }
        }
        return new HybridLayout(mbr, ReadGpt(source, head));
    }

    private static GptHeader? ReadGpt(IsoSource source, byte[] head)
    {
        var h = head.AsSpan(DiskSector, DiskSector);
        // UEFI 2.x 5.3.2: "EFI PART" signature, header size, current/backup/usable LBAs, entry array.
        if (!h[..8].SequenceEqual("EFI PART"u8)) return null;
        var entriesLba = BinaryPrimitives.ReadUInt64LittleEndian(h[72..]);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(h[80..]);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(h[84..]);
        if (size < 128 || size > 1024 || count > 4096 || (long)count * size > 1024 * 1024 || entriesLba > (ulong)source.Length / DiskSector)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                $"The GPT header at byte {DiskSector} declares {count} entries of {size} bytes at LBA {entriesLba}; the partition table is damaged."));
        }
        var table = source.Read((long)entriesLba * DiskSector, (int)(count * size), "GPT partition entry array");
        var parts = new List<GptPartition>();
        for (var i = 0; i < count; i++)
        {
            var e = table.AsSpan((int)(i * size), (int)size);
            var type = new Guid(e[..16]);
            if (type == Guid.Empty) continue;
            var name = Encoding.Unicode.GetString(e.Slice(56, 72)).TrimEnd('\0');
            parts.Add(new GptPartition(i + 1, type, new Guid(e.Slice(16, 16)), BinaryPrimitives.ReadUInt64LittleEndian(e[32..]), BinaryPrimitives.ReadUInt64LittleEndian(e[40..]), BinaryPrimitives.ReadUInt64LittleEndian(e[48..]), name));
        }
        return new GptHeader(
            BinaryPrimitives.ReadUInt64LittleEndian(h[24..]),
            BinaryPrimitives.ReadUInt64LittleEndian(h[32..]),
            BinaryPrimitives.ReadUInt64LittleEndian(h[40..]),
            BinaryPrimitives.ReadUInt64LittleEndian(h[48..]),
            new Guid(h.Slice(56, 16)),
            entriesLba, count, size, parts);
    }
}
