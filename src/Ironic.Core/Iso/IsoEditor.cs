using System.Buffers.Binary;
using System.Globalization;

namespace Ironic.Core.Iso;

/// <summary>
/// Collects edits of one base image as sector writes and turns them into an <see cref="IsoDelta"/>.
/// A replaced file is rewritten in place when it fits the sectors it already owns, else appended
/// after the end of the image; every directory record that points at it, in every tree, is
/// patched. On <see cref="Build"/> the volume space sizes, the isohybrid MBR and the GPT (backup
/// moved to the new end, CRCs) follow the new length. Boot images and the catalog never move.
/// </summary>
public sealed class IsoEditor
{
    private const int Sector = IsoSource.SectorSize;
    private readonly IsoImage _image;
    private readonly SortedDictionary<long, byte[]> _sectors = [];
    private readonly Dictionary<long, byte[]> _replaced = [];
    private readonly long _baseSectors;
    private long _nextFree;
    private long _udfEnd;
    private long _endAnchor = -1;

    public IsoEditor(IsoImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        _image = image;
        if (image.Length % Sector != 0)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"The image is {image.Length} bytes, not a whole number of 2048-byte sectors; it is truncated."));
        }
        _baseSectors = image.Length / Sector;
        _nextFree = _baseSectors;
    }

    public IsoImage Image => _image;

    /// <summary>True once anything was written.</summary>
    public bool HasChanges => _sectors.Count > 0;

    /// <summary>The current content of a sector (edited, base, or zero past the end of the base).</summary>
    public byte[] ReadSector(long sector)
    {
        if (_sectors.TryGetValue(sector, out var edited)) return (byte[])edited.Clone();
        return sector < _baseSectors ? _image.Source.ReadSector(sector, "sector") : new byte[Sector];
    }

    /// <summary>Writes bytes at an absolute offset of the result (read-modify-write of whole sectors).</summary>
    public void WriteBytes(long offset, ReadOnlySpan<byte> bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        while (bytes.Length > 0)
        {
            var sector = offset / Sector;
            var within = (int)(offset % Sector);
            var n = Math.Min(bytes.Length, Sector - within);
            var data = Writable(sector);
            bytes[..n].CopyTo(data.AsSpan(within));
            bytes = bytes[n..];
            offset += n;
        }
    }

    private byte[] Writable(long sector)
    {
        if (!_sectors.TryGetValue(sector, out var data))
        {
            data = sector < _baseSectors ? _image.Source.ReadSector(sector, "sector") : new byte[Sector];
            _sectors[sector] = data;
        }
        return data;
    }

    /// <summary>A read-only view of the image with the edits made so far (for editors of embedded file systems).</summary>
    public Stream CurrentView() => IsoOverlay.OpenUnchecked(_image.Source.Stream, Snapshot(Math.Max(_image.Length, _nextFree * Sector)));

    /// <summary>Replaces the content of the file at <paramref name="path"/> (a path of the preferred tree).</summary>
    public void ReplaceFile(string path, ReadOnlySpan<byte> content)
    {
        var entry = _image.Find(path) ?? throw new IsoFormatException($"Cannot replace '{path}': no such file in the image.");
        ReplaceFile(entry, content);
    }

    /// <summary>Replaces the content of <paramref name="entry"/> and of the same file in every other tree.</summary>
    public void ReplaceFile(IsoEntry entry, ReadOnlySpan<byte> content)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.IsDirectory) throw new IsoFormatException($"Cannot replace '{entry.Path}': it is a directory.");
        if (entry.Extents.Count != 1)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"Cannot replace '{entry.Path}': it is stored in {entry.Extents.Count} extents (a file of 4 GiB or more); only single-extent files are replaced. Rebuild the base with the new content, or leave this file as it is."));
        }
        if ((long)content.Length > uint.MaxValue) throw new IsoFormatException($"Cannot store {content.Length} bytes in '{entry.Path}': ISO 9660 single extents hold less than 4 GiB.");
        var same = SameFile(entry);
        var udfEntries = UdfEntriesOf(entry, same);
        var bootSectors = BootSectors();
        var fitsInPlace = entry.Size > 0 && (content.Length + Sector - 1L) / Sector <= entry.AllocatedSectors;
        long target;
        if (fitsInPlace)
        {
            target = entry.FirstSector;
            var allocated = entry.AllocatedSectors;
            var padded = new byte[allocated * Sector];
            content.CopyTo(padded);
            WriteBytes(target * Sector, padded);
        }
        else
        {
            if (bootSectors.Contains(entry.FirstSector))
            {
                throw new IsoFormatException($"Cannot grow '{entry.Path}': it is an El Torito boot image or the boot catalog, which never move. Keep its size within its current sectors.");
            }
            target = Append(content);
        }
        foreach (var e in same) PatchRecord(e.Extents[0].RecordOffset, e.Volume, target, (uint)content.Length);
        foreach (var file in udfEntries) PatchUdfEntry(file, target, content.Length);
        if (entry.Size > 0) _replaced[entry.FirstSector] = content.ToArray();
    }

    /// <summary>A file's content as edited so far (the base content when it was not replaced).</summary>
    public byte[] ReadCurrent(IsoEntry entry, int maxBytes = 16 * 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Size > 0 && _replaced.TryGetValue(entry.FirstSector, out var content) ? (byte[])content.Clone() : _image.ReadFile(entry, maxBytes);
    }

    /// <summary>Appends content after the current end and returns its first sector.</summary>
    internal long Append(ReadOnlySpan<byte> content)
    {
        var first = _nextFree;
        var sectors = Math.Max(1, (content.Length + Sector - 1L) / Sector);
        for (long i = 0; i < sectors; i++)
        {
            var data = Writable(first + i);
            var from = (int)(i * Sector);
            var n = Math.Min(Sector, content.Length - from);
            if (n > 0) content.Slice(from, n).CopyTo(data);
        }
        _nextFree += sectors;
        return first;
    }

    internal long NextFreeSector => _nextFree;

    /// <summary>Rewrites location (both-endian at 2) and data length (both-endian at 10) of a directory record (ECMA-119 9.1.3-9.1.4).</summary>
    internal void PatchRecord(long recordOffset, IsoVolumeDescriptor volume, long absoluteSector, uint length)
    {
        var sector = recordOffset / Sector;
        var within = (int)(recordOffset % Sector);
        var data = Writable(sector);
        var rec = data.AsSpan(within);
        var relative = checked((uint)(absoluteSector - volume.BaseSector));
        BinaryPrimitives.WriteUInt32LittleEndian(rec[2..], relative);
        BinaryPrimitives.WriteUInt32BigEndian(rec[6..], relative);
        BinaryPrimitives.WriteUInt32LittleEndian(rec[10..], length);
        BinaryPrimitives.WriteUInt32BigEndian(rec[14..], length);
    }

    private List<IsoEntry> SameFile(IsoEntry entry)
    {
        // An empty file's extent says nothing (writers point every empty file at one sector, or at 0):
        // find its record in each other tree by place and name, Joliet and plain ISO 9660 names alike.
        IEnumerable<IsoEntry> same = entry.Size > 0
            ? _image.EntriesAt(entry.FirstSector)
            : _image.Volumes.Where(v => !ReferenceEquals(v, entry.Volume)).Select(v => IsoTreeMatch.Counterpart(_image, entry, v)).OfType<IsoEntry>();
        return same.Prepend(entry).DistinctBy(e => e.Extents[0].RecordOffset).ToList();
    }

    /// <summary>
    /// The UDF file entries of the same file: those whose content starts where the ISO 9660 one's
    /// does (a bridge shares the data), and those at the same path (empty or separately stored files).
    /// </summary>
    private List<UdfFile> UdfEntriesOf(IsoEntry entry, List<IsoEntry> same)
    {
        if (_image.Udf is not { } udf) return [];
        if (udf.Unsupported is { } why)
        {
            throw new IsoFormatException($"Cannot change '{entry.Path}': the image carries a UDF file system next to ISO 9660 (a UDF bridge) that this engine cannot update ({why}), so UDF readers would still see the old content. Rebuild the base without UDF, or as a plain UDF 1.02-2.01 bridge (genisoimage -udf, oscdimg -u1).");
        }
        var paths = same.Select(e => e.Path).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return udf.Files.Where(f => !f.IsDirectory && ((entry.Size > 0 && f.FirstSector == entry.FirstSector) || paths.Contains(f.Path)))
            .DistinctBy(f => f.EntrySector).ToList();
    }

    /// <summary>Points a UDF (Extended) File Entry at the new content (UDF 2.01 2.3.6: the entry is one block).</summary>
    private void PatchUdfEntry(UdfFile file, long target, long length)
    {
        var udf = _image.Udf!;
        if (file.Allocation == UdfAllocation.Extended)
        {
            throw new IsoFormatException($"Cannot change '{file.Path}': its UDF file entry uses extended allocation descriptors, which this engine does not write. Rebuild the base without UDF or with genisoimage -udf.");
        }
        var entry = ReadBytes(file.EntrySector * Sector, Sector);
        WriteBytes(file.EntrySector * Sector, udf.RewriteEntry(entry, file, target, length));
        _udfEnd = Math.Max(_udfEnd, target + (length + Sector - 1) / Sector);
    }

    /// <summary>
    /// Content appended after the UDF partition's end must lie inside it: the partition length in
    /// both partition descriptors and the integrity descriptor's size table follow.
    /// </summary>
    private void GrowUdfPartition()
    {
        if (_image.Udf is not { } udf || _udfEnd <= udf.PartitionStart + udf.PartitionLength) return;
        var length = checked((uint)(_udfEnd - udf.PartitionStart));
        foreach (var sector in udf.PartitionDescriptorSectors)
        {
            WriteBytes(sector * Sector, UdfVolume.WithPartitionLength(ReadBytes(sector * Sector, Sector), length));
        }
        if (udf.IntegritySector is { } lvid) WriteBytes(lvid * Sector, UdfVolume.WithIntegritySize(ReadBytes(lvid * Sector, Sector), length));
    }

    /// <summary>
    /// UDF 2.01 2.2.3: an anchor at the last sector. When the base had one there and the image grows
    /// (and no backup GPT claims the end), a copy goes to the new last sector.
    /// </summary>
    private bool NeedsEndAnchor => _image.Udf is { } udf && udf.AnchorSectors.Contains(_baseSectors - 1) && _image.Hybrid.Gpt is null;

    private HashSet<long> BootSectors()
    {
        var set = new HashSet<long>();
        if (_image.ElTorito is { } cat)
        {
            set.Add(cat.CatalogSector);
            foreach (var e in cat.Entries) set.Add(e.LoadSector);
        }
        return set;
    }

    /// <summary>Adding files is done in the ISO 9660 trees only, so it is refused when a UDF tree would miss them.</summary>
    internal void RefuseAddingToUdf(string path)
    {
        if (_image.HasUdf)
        {
            throw new IsoFormatException($"Cannot add '{path}': the image carries a UDF file system next to ISO 9660 (a UDF bridge), and this engine adds files to the ISO 9660 trees only, so UDF readers (Windows, 7-Zip) would not see it. Replacing existing files (and injecting kernel parameters) works on such images: put the file in the base when you build it, replace an existing file instead, or rebuild the base without UDF.");
        }
    }

    /// <summary>
    /// Turns the edits into a delta: sizes, MBR and GPT follow the new length; an implanted MD5 is
    /// blanked (or kept stale when <paramref name="blankImplantedMd5"/> is false), or computed
    /// afresh over the whole result when <paramref name="implantMd5"/> is true (reads every byte).
    /// </summary>
    public IsoDelta Build(bool blankImplantedMd5 = true, bool implantMd5 = false)
    {
        var supported = _image.HasImplantedMd5 && MediaCheckSum.IsSupported(ReadBytes(_image.Primary.DescriptorSector * Sector + MediaCheckSum.ApplicationUseOffset, MediaCheckSum.ApplicationUseLength));
        if ((blankImplantedMd5 || implantMd5) && (_image.HasImplantedMd5 || implantMd5) && (HasChanges || implantMd5)) BlankMd5();
        var newLength = _image.Length;
        if (_nextFree > _baseSectors)
        {
            GrowUdfPartition();
            if (NeedsEndAnchor && _endAnchor < 0) _endAnchor = Append([]);
            newLength = LayOutNewEnd();
            if (_endAnchor >= 0)
            {
                var last = newLength / Sector - 1;
                var copy = ReadBytes(_image.Udf!.AnchorSectors[0] * Sector, Sector);
                UdfTag.Relocate(copy, checked((uint)last));
                WriteBytes(last * Sector, copy);
                // The old end anchor now sits inside the grown partition: blank it so no reader takes it for the end.
                WriteBytes((_baseSectors - 1) * Sector, new byte[Sector]);
            }
        }
        var delta = Snapshot(newLength);
        if (!implantMd5) return delta;
        using var view = IsoOverlay.OpenUnchecked(_image.Source.Stream, delta);
        var pvd = ReadBytes(_image.Primary.DescriptorSector * Sector, Sector);
        var field = MediaCheckSum.Compute(view, _image.Primary.DescriptorSector, BinaryPrimitives.ReadUInt32LittleEndian(pvd.AsSpan(80)), supported);
        WriteBytes(_image.Primary.DescriptorSector * Sector + MediaCheckSum.ApplicationUseOffset, field);
        return Snapshot(newLength);
    }

    private IsoDelta Snapshot(long newLength)
    {
        var patches = new List<IsoPatch>();
        long runStart = -1, runEnd = -1;
        List<byte[]> run = [];
        foreach (var (sector, data) in _sectors)
        {
            if (sector < _baseSectors && data.AsSpan().SequenceEqual(_image.Source.ReadSector(sector, "sector"))) continue;
            if (sector != runEnd) Flush();
            if (run.Count == 0) runStart = sector;
            run.Add(data);
            runEnd = sector + 1;
        }
        Flush();
        return new IsoDelta(_image.Length, _image.Fingerprint, newLength, patches);

        void Flush()
        {
            if (run.Count == 0) return;
            var bytes = new byte[run.Count * Sector];
            for (var i = 0; i < run.Count; i++) run[i].CopyTo(bytes, i * Sector);
            var offset = runStart * Sector;
            var limit = (int)Math.Min(bytes.Length, newLength - offset);
            if (limit > 0) patches.Add(new IsoPatch(offset, limit == bytes.Length ? bytes : bytes[..limit]));
            run = [];
        }
    }

    private void BlankMd5()
    {
        // implantisomd5 writes "ISO MD5SUM = ...;SKIPSECTORS = ..." into the primary descriptor's
        // application use field (ECMA-119 8.4.32, 512 bytes at 883); spaces mean "no checksum".
        var pvd = _image.Primary.DescriptorSector;
        var data = Writable(pvd);
        data.AsSpan(883, 512).Fill((byte)' ');
    }

    private long LayOutNewEnd()
    {
        var hybrid = _image.Hybrid;
        var oldDiskLbas = _image.Length / HybridReader.DiskSector;
        var dataEndLba = _nextFree * 4;
        long tailLbas = 0;
        if (hybrid.Gpt is { } gpt) tailLbas = (gpt.EntryCount * (long)gpt.EntrySize + HybridReader.DiskSector - 1) / HybridReader.DiskSector + 1;
        var totalLbas = dataEndLba + tailLbas;
        // Keep the alignment the base had (xorriso pads isohybrid images to whole 1 MiB cylinders).
        var align = _image.Length % (1024 * 1024) == 0 ? 2048L : 4L;
        totalLbas = (totalLbas + align - 1) / align * align;
        var newLength = totalLbas * HybridReader.DiskSector;
        var newSectors = newLength / Sector;

        // ECMA-119 8.4.8: volume space size (both-endian at 80) in every descriptor, counted from its set's base.
        foreach (var volume in _image.Volumes)
        {
            var d = Writable(volume.DescriptorSector);
            var size = checked((uint)(newSectors - volume.BaseSector));
            BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(80), size);
            BinaryPrimitives.WriteUInt32BigEndian(d.AsSpan(84), size);
        }
        FixMbr(oldDiskLbas, totalLbas);
        if (hybrid.Gpt is { } g) FixGpt(g, totalLbas);
        return newLength;
    }

    private void FixMbr(long oldLbas, long newLbas)
    {
        var mbr = Writable(0);
        foreach (var p in _image.Hybrid.Mbr)
        {
            // A partition that reached the old end (the whole-image partition, a protective 0xEE) reaches the new one.
            var end = (long)p.StartLba + p.SectorCount;
            if (end != oldLbas && !(p.Type == 0xEE && end == oldLbas - 1 + p.StartLba)) continue;
            if (!HoldsTheIsoTree(p.StartLba)) continue;
            var e = mbr.AsSpan(446 + (p.Index - 1) * 16, 16);
            var count = (uint)Math.Min(uint.MaxValue, newLbas - p.StartLba - (p.Type == 0xEE && end != oldLbas ? 1 : 0));
            var oldLast = end - 1;
            BinaryPrimitives.WriteUInt32LittleEndian(e[12..], count);
            WriteEndChs(e, oldLast, (long)p.StartLba + count - 1);
        }
    }

    /// <summary>
    /// Only a partition that holds an ISO tree (starts at or before a set of volume descriptors)
    /// grows with the image; an appended EFI partition that happened to end at the old end keeps its size.
    /// </summary>
    private bool HoldsTheIsoTree(long firstLba) =>
        _image.Volumes.Any(v => firstLba <= (v.BaseSector + 16) * 4 && firstLba >= v.BaseSector * 4 - 64);

    private static void WriteEndChs(Span<byte> entry, long oldLast, long newLast)
    {
        // Keep the geometry the base used (isohybrid: 64 heads, 32 sectors) if the old end matches one.
        foreach (var (heads, sectors) in new[] { (64, 32), (255, 63), (16, 63) })
        {
            var old = Chs(oldLast, heads, sectors);
            if (entry[5] == old[0] && entry[6] == old[1] && entry[7] == old[2])
            {
                Chs(newLast, heads, sectors).CopyTo(entry[5..]);
                return;
            }
        }
    }

    private static byte[] Chs(long lba, int heads, int sectors)
    {
        var c = lba / (heads * sectors);
        var h = lba / sectors % heads;
        var s = lba % sectors + 1;
        if (c > 1023) { c = 1023; h = heads - 1; s = sectors; }
        return [(byte)h, (byte)(s | ((c >> 2) & 0xC0)), (byte)(c & 0xFF)];
    }

    private void FixGpt(GptHeader gpt, long totalLbas)
    {
        var entryBytes = checked((int)(gpt.EntryCount * gpt.EntrySize));
        var entryLbas = (entryBytes + HybridReader.DiskSector - 1) / HybridReader.DiskSector;
        var backupHeaderLba = totalLbas - 1;
        var backupEntriesLba = backupHeaderLba - entryLbas;
        var newLastUsable = backupEntriesLba - 1;
        var growth = newLastUsable - (long)gpt.LastUsableLba;

        // UEFI 2.x 5.3.3: partitions that ended at the old last usable LBA (or one before) grow with the disk.
        var table = ReadBytes((long)gpt.EntriesLba * HybridReader.DiskSector, entryBytes);
        foreach (var p in gpt.Partitions)
        {
            if ((long)p.LastLba < (long)gpt.LastUsableLba - 1 || (long)p.LastLba > (long)gpt.LastUsableLba) continue;
            if (!HoldsTheIsoTree((long)p.FirstLba)) continue;
            BinaryPrimitives.WriteUInt64LittleEndian(table.AsSpan((int)((p.Index - 1) * gpt.EntrySize) + 40), (ulong)((long)p.LastLba + growth));
        }
        var entriesCrc = Crc32.Compute(table);
        WriteBytes((long)gpt.EntriesLba * HybridReader.DiskSector, table);
        WriteBytes(backupEntriesLba * HybridReader.DiskSector, table);

        // Primary header (LBA 1): backup LBA, last usable LBA, entry array CRC, header CRC.
        var header = ReadBytes(HybridReader.DiskSector, HybridReader.DiskSector);
        var headerSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12));
        if (headerSize is < 92 or > HybridReader.DiskSector) throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"The GPT header at byte 512 declares a size of {headerSize} bytes; the partition table is damaged."));
        var oldBackup = (long)gpt.BackupLba;
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(32), (ulong)backupHeaderLba);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(48), (ulong)newLastUsable);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(88), entriesCrc);
        SealHeader(header, headerSize);
        WriteBytes(HybridReader.DiskSector, header);

        // Backup header: current/backup swapped, entries at the backup array.
        var backup = (byte[])header.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(backup.AsSpan(24), (ulong)backupHeaderLba);
        BinaryPrimitives.WriteUInt64LittleEndian(backup.AsSpan(32), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(backup.AsSpan(72), (ulong)backupEntriesLba);
        SealHeader(backup, headerSize);
        WriteBytes(backupHeaderLba * HybridReader.DiskSector, backup);

        // The old backup header now sits in the middle of the disk: blank its signature so no tool mistakes it for the real one.
        if (oldBackup > 1 && oldBackup * HybridReader.DiskSector < _image.Length && oldBackup != backupHeaderLba)
        {
            WriteBytes(oldBackup * HybridReader.DiskSector, new byte[HybridReader.DiskSector]);
        }
    }

    private static void SealHeader(byte[] header, int headerSize)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), Crc32.Compute(header.AsSpan(0, headerSize)));
    }

    internal byte[] ReadBytes(long offset, int count)
    {
        var result = new byte[count];
        var done = 0;
        while (done < count)
        {
            var at = offset + done;
            var sector = ReadSector(at / Sector);
            var within = (int)(at % Sector);
            var n = Math.Min(count - done, Sector - within);
            sector.AsSpan(within, n).CopyTo(result.AsSpan(done));
            done += n;
        }
        return result;
    }
}
