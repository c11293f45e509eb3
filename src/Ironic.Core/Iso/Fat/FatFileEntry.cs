namespace Ironic.Core.Iso.Fat;

/// <summary>
/// A file or directory of a FAT volume.
/// </summary>
/// <param name="Path">Full path from the volume root with '/' separators and the long (VFAT) name where one exists, e.g. <c>/EFI/BOOT/grub.cfg</c>.</param>
/// <param name="ShortName">The 8.3 name as stored, e.g. <c>GRUB.CFG</c>.</param>
/// <param name="IsDirectory">True for a directory.</param>
/// <param name="FirstCluster">First cluster of the content (0 for an empty file).</param>
/// <param name="Size">Size in bytes (0 for directories).</param>
/// <param name="DirectoryEntryOffset">Offset of the 32-byte short directory entry, relative to the region start.</param>
/// <param name="LastWriteTime">Modification time as stored (FAT keeps local time), or null when the stored date is invalid.</param>
public sealed record FatFileEntry(
    string Path,
    string ShortName,
    bool IsDirectory,
    uint FirstCluster,
    uint Size,
    long DirectoryEntryOffset,
    DateTime? LastWriteTime)
{
    /// <summary>The last path component.</summary>
    public string Name => Path[(Path.LastIndexOf('/') + 1)..];
}
