using System.Buffers.Binary;
using System.Text;

namespace Ironic.Core.Iso.Fat;

/// <summary>
/// The BIOS Parameter Block of a FAT volume and the layout derived from it, validated so that
/// every later offset computation stays inside the region.
/// </summary>
internal sealed record FatBootSector
{
    /// <summary>FAT entries beyond this count (64 MiB of FAT32 table) are refused: no EFI image is that large.</summary>
    internal const long MaxClusterCount = 16L * 1024 * 1024;

    public required FatType Type { get; init; }
    public required int BytesPerSector { get; init; }
    public required int SectorsPerCluster { get; init; }
    public required int ReservedSectors { get; init; }
    public required int NumberOfFats { get; init; }
    public required int RootEntryCount { get; init; }
    public required long TotalSectors { get; init; }
    public required long FatSizeSectors { get; init; }
    public required uint RootCluster { get; init; }
    public required int FsInfoSector { get; init; }
    /// <summary>FAT32 ExtFlags bit 7: only the active FAT is used and written.</summary>
    public required bool MirroringDisabled { get; init; }
    public required int ActiveFat { get; init; }
    public required long ClusterCount { get; init; }
    public required string VolumeLabel { get; init; }

    public int BytesPerCluster => BytesPerSector * SectorsPerCluster;
    public long FatOffset(int copy) => ((long)ReservedSectors + (long)copy * FatSizeSectors) * BytesPerSector;
    public long FatSizeBytes => FatSizeSectors * BytesPerSector;
    public long RootDirectoryOffset => FatOffset(NumberOfFats);
    public long RootDirectoryBytes => (long)RootEntryCount * 32;
    public long RootDirectorySectors => (RootDirectoryBytes + BytesPerSector - 1) / BytesPerSector;
    public long DataOffset => RootDirectoryOffset + RootDirectorySectors * BytesPerSector;
    public long VolumeBytes => TotalSectors * BytesPerSector;
    /// <summary>Highest valid cluster number: clusters are numbered from 2.</summary>
    public uint MaxCluster => (uint)(ClusterCount + 1);

    public long ClusterOffset(uint cluster) => DataOffset + (long)(cluster - 2) * BytesPerCluster;

    /// <summary>Parses and validates the boot sector (Microsoft FAT specification, "Boot Sector and BPB", BPB and FAT12/16/32 extended BPB).</summary>
    public static FatBootSector Parse(ReadOnlySpan<byte> sector, long regionLength)
    {
        if (sector.Length < 512)
            throw Bad($"the region is {sector.Length} bytes, smaller than one 512-byte boot sector");
        // Spec "Boot Sector and BPB": signature 0x55 0xAA at offset 510 and a jump instruction at 0.
        if (sector[510] != 0x55 || sector[511] != 0xAA)
            throw Bad($"boot sector signature is 0x{sector[510]:X2}{sector[511]:X2} at offset 510, expected 0x55AA; this is not a FAT volume");
        if (sector[0] != 0xEB && sector[0] != 0xE9)
            throw Bad($"boot sector starts with 0x{sector[0]:X2}, expected a jump instruction (0xEB or 0xE9); this is not a FAT volume");

        int bytesPerSector = BinaryPrimitives.ReadUInt16LittleEndian(sector[11..]);
        int sectorsPerCluster = sector[13];
        int reserved = BinaryPrimitives.ReadUInt16LittleEndian(sector[14..]);
        int fats = sector[16];
        int rootEntries = BinaryPrimitives.ReadUInt16LittleEndian(sector[17..]);
        long totalSectors16 = BinaryPrimitives.ReadUInt16LittleEndian(sector[19..]);
        byte media = sector[21];
        long fatSize16 = BinaryPrimitives.ReadUInt16LittleEndian(sector[22..]);
        long totalSectors32 = BinaryPrimitives.ReadUInt32LittleEndian(sector[32..]);
        long fatSize32 = BinaryPrimitives.ReadUInt32LittleEndian(sector[36..]);

        if (bytesPerSector is not (512 or 1024 or 2048 or 4096))
            throw Bad($"BPB_BytsPerSec is {bytesPerSector}, expected 512, 1024, 2048 or 4096");
        if (sectorsPerCluster == 0 || (sectorsPerCluster & (sectorsPerCluster - 1)) != 0)
            throw Bad($"BPB_SecPerClus is {sectorsPerCluster}, expected a power of two from 1 to 128");
        if (bytesPerSector * sectorsPerCluster > 64 * 1024)
            throw Bad($"clusters of {bytesPerSector * sectorsPerCluster} bytes exceed the 64 KiB maximum");
        if (reserved == 0)
            throw Bad("BPB_RsvdSecCnt is 0; the boot sector itself needs at least one reserved sector");
        if (fats is 0 or > 4)
            throw Bad($"BPB_NumFATs is {fats}, expected 1 to 4 (normally 2)");
        if (media != 0xF0 && media < 0xF8)
            throw Bad($"BPB_Media is 0x{media:X2}, expected 0xF0 or 0xF8-0xFF");

        long totalSectors = totalSectors16 != 0 ? totalSectors16 : totalSectors32;
        long fatSize = fatSize16 != 0 ? fatSize16 : fatSize32;
        if (totalSectors == 0)
            throw Bad("both BPB_TotSec16 and BPB_TotSec32 are 0");
        if (fatSize == 0)
            throw Bad("both BPB_FATSz16 and BPB_FATSz32 are 0");
        if (totalSectors * bytesPerSector > regionLength)
            throw Bad($"the BPB declares {totalSectors} sectors of {bytesPerSector} bytes ({totalSectors * bytesPerSector} bytes) but the region holds only {regionLength} bytes; the image is truncated or the region is wrong");

        long rootDirSectors = ((long)rootEntries * 32 + bytesPerSector - 1) / bytesPerSector;
        long metadataSectors = reserved + fats * fatSize + rootDirSectors;
        long dataSectors = totalSectors - metadataSectors;
        if (dataSectors <= 0)
            throw Bad($"reserved sectors, FATs and root directory take {metadataSectors} sectors, leaving no data area in a volume of {totalSectors} sectors");
        long clusters = dataSectors / sectorsPerCluster;

        // Spec "FAT Type Determination": the cluster count alone decides FAT12 against FAT16.
        // FAT32 is recognised, as Linux and dosfstools do, by its BPB shape (no FAT16 size,
        // no fixed root directory), so small FAT32 volumes made by mkfs.vfat -F 32 still open.
        bool fat32Shape = fatSize16 == 0 && rootEntries == 0;
        FatType type;
        if (fat32Shape)
            type = FatType.Fat32;
        else if (clusters < 4085)
            type = FatType.Fat12;
        else if (clusters < 65525)
            type = FatType.Fat16;
        else
            throw Bad($"{clusters} clusters need FAT32, but the BPB has a FAT12/16 shape (BPB_FATSz16={fatSize16}, BPB_RootEntCnt={rootEntries})");
        if (type != FatType.Fat32 && fatSize16 == 0)
            throw Bad("BPB_FATSz16 is 0 on a FAT12/16 volume");
        if (clusters < 1)
            throw Bad("the data area holds no whole cluster");
        if (clusters > MaxClusterCount)
            throw Bad($"{clusters} clusters exceed the {MaxClusterCount} this reader accepts; an EFI boot image is far smaller");

        long neededFatBytes = type switch
        {
            FatType.Fat12 => ((clusters + 2) * 3 + 1) / 2,
            FatType.Fat16 => (clusters + 2) * 2,
            _ => (clusters + 2) * 4,
        };
        if (fatSize * bytesPerSector < neededFatBytes)
            throw Bad($"each FAT is {fatSize * bytesPerSector} bytes but {clusters} clusters need {neededFatBytes}");

        uint rootCluster = 0;
        int fsInfo = 0;
        bool mirroringDisabled = false;
        int activeFat = 0;
        string label;
        if (type == FatType.Fat32)
        {
            // FAT32 extended BPB: BPB_ExtFlags (40), BPB_FSVer (42), BPB_RootClus (44), BPB_FSInfo (48).
            ushort extFlags = BinaryPrimitives.ReadUInt16LittleEndian(sector[40..]);
            ushort version = BinaryPrimitives.ReadUInt16LittleEndian(sector[42..]);
            rootCluster = BinaryPrimitives.ReadUInt32LittleEndian(sector[44..]);
            fsInfo = BinaryPrimitives.ReadUInt16LittleEndian(sector[48..]);
            if (version != 0)
                throw Bad($"BPB_FSVer is 0x{version:X4}; only FAT32 version 0.0 is defined");
            if (rootCluster < 2 || rootCluster > clusters + 1)
                throw Bad($"BPB_RootClus is {rootCluster}, outside the valid clusters 2..{clusters + 1}");
            mirroringDisabled = (extFlags & 0x80) != 0;
            activeFat = extFlags & 0x0F;
            if (mirroringDisabled && activeFat >= fats)
                throw Bad($"BPB_ExtFlags names active FAT {activeFat} but there are only {fats}");
            if (fsInfo >= reserved)
                fsInfo = 0; // outside the reserved area: treated as absent (0 and 0xFFFF mean none)
            label = sector[66] == 0x29 ? DecodeLabel(sector.Slice(71, 11)) : "";
        }
        else
        {
            label = sector[38] == 0x29 ? DecodeLabel(sector.Slice(43, 11)) : "";
        }

        return new FatBootSector
        {
            Type = type,
            BytesPerSector = bytesPerSector,
            SectorsPerCluster = sectorsPerCluster,
            ReservedSectors = reserved,
            NumberOfFats = fats,
            RootEntryCount = rootEntries,
            TotalSectors = totalSectors,
            FatSizeSectors = fatSize,
            RootCluster = rootCluster,
            FsInfoSector = fsInfo,
            MirroringDisabled = mirroringDisabled,
            ActiveFat = activeFat,
            ClusterCount = clusters,
            VolumeLabel = label,
        };
    }

    private static string DecodeLabel(ReadOnlySpan<byte> raw) => Encoding.Latin1.GetString(raw).TrimEnd(' ', '\0');

    private static IsoFormatException Bad(string what) =>
        new($"FAT boot sector: {what}. The EFI boot image is damaged or not a FAT filesystem; rebuild it (mkfs.vfat) or use the original ISO.");
}
