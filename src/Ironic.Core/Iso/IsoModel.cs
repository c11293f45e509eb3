namespace Ironic.Core.Iso;

/// <summary>Which directory tree a volume descriptor roots.</summary>
public enum IsoTreeKind
{
    /// <summary>ISO 9660 primary volume descriptor (with Rock Ridge names when present).</summary>
    Primary,
    /// <summary>Joliet supplementary volume descriptor (UCS-2 names).</summary>
    Joliet,
    /// <summary>Another supplementary or enhanced descriptor (ISO 9660:1999).</summary>
    Supplementary,
}

/// <summary>
/// One volume descriptor that roots a tree. <see cref="BaseSector"/> is the sector that block
/// addresses of this tree count from: 0 for the first descriptor set, the partition start for a
/// second set such as <c>xorriso -partition_offset</c> writes.
/// </summary>
public sealed record IsoVolumeDescriptor(
    IsoTreeKind Kind,
    long DescriptorSector,
    long BaseSector,
    string Label,
    uint VolumeSpaceSize,
    uint PathTableSize,
    uint PathTableL,
    uint PathTableM,
    bool RockRidge)
{
    public bool IsSecondSet => BaseSector != 0;
}

/// <summary>One extent of a file: the directory record that holds it (absolute byte offset) and where its data is.</summary>
public sealed record IsoExtent(long RecordOffset, long Sector, uint Length);

/// <summary>
/// A file or directory in one tree. <see cref="Path"/> uses Rock Ridge names in the primary tree
/// when present, Joliet names in the Joliet tree, else ISO 9660 names without the ";1" version.
/// Sectors in <see cref="Extents"/> are absolute (the tree's base sector already added).
/// </summary>
public sealed record IsoEntry(
    IsoVolumeDescriptor Volume,
    string Path,
    bool IsDirectory,
    long Size,
    IReadOnlyList<IsoExtent> Extents,
    uint? PosixMode,
    string? SymlinkTarget,
    DateTimeOffset? Modified)
{
    /// <summary>The first data sector (absolute), which identifies the content across trees.</summary>
    public long FirstSector => Extents.Count == 0 ? -1 : Extents[0].Sector;

    /// <summary>Whole sectors the content occupies (what an in-place rewrite may use).</summary>
    public long AllocatedSectors => Extents.Sum(e => (e.Length + IsoSource.SectorSize - 1L) / IsoSource.SectorSize);

    public string Name => Path.Length <= 1 ? "/" : Path[(Path.LastIndexOf('/') + 1)..];
}

/// <summary>El Torito platform ids (El Torito 1.0, section 2.1; 0xEF from UEFI 2.x, 12.3.2.1).</summary>
public enum ElToritoPlatform : byte
{
    Bios = 0x00,
    PowerPC = 0x01,
    Mac = 0x02,
    Efi = 0xEF,
}

/// <summary>
/// One boot entry of the El Torito catalog. <see cref="ImagePath"/> is the file in the tree that
/// holds the image, or null when the image lies outside the tree (an appended partition).
/// <see cref="ImageLength"/> is the length of the image region in bytes as far as it can be known.
/// </summary>
public sealed record ElToritoEntry(
    int Index,
    ElToritoPlatform Platform,
    bool Bootable,
    byte Emulation,
    ushort LoadSegment,
    byte SystemType,
    ushort SectorCount,
    long LoadSector,
    string? ImagePath,
    long ImageLength,
    long EntryOffset);

/// <summary>The El Torito boot catalog: where it is and its entries in catalog order.</summary>
public sealed record ElToritoCatalog(long CatalogSector, string? CatalogPath, IReadOnlyList<ElToritoEntry> Entries);

/// <summary>One MBR partition entry (MBR, UEFI 2.x section 5.2.1); sizes in 512-byte sectors.</summary>
public sealed record MbrPartition(int Index, byte Status, byte Type, uint StartLba, uint SectorCount);

/// <summary>One used GPT partition entry (UEFI 2.x section 5.3.3); LBAs of 512 bytes.</summary>
public sealed record GptPartition(int Index, Guid Type, Guid Id, ulong FirstLba, ulong LastLba, ulong Attributes, string Name);

/// <summary>The GPT header (UEFI 2.x section 5.3.2) as found at LBA 1.</summary>
public sealed record GptHeader(
    ulong CurrentLba,
    ulong BackupLba,
    ulong FirstUsableLba,
    ulong LastUsableLba,
    Guid DiskId,
    ulong EntriesLba,
    uint EntryCount,
    uint EntrySize,
    IReadOnlyList<GptPartition> Partitions);

/// <summary>What makes the ISO bootable as a disk (isohybrid): an MBR and perhaps a GPT.</summary>
public sealed record HybridLayout(IReadOnlyList<MbrPartition> Mbr, GptHeader? Gpt)
{
    public bool IsHybrid => Mbr.Count > 0 || Gpt is not null;

    public string Describe() => !IsHybrid ? "none" : Gpt is null ? "MBR" : "MBR+GPT";
}
