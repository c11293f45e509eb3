using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Ironic.Core.Iso;

/// <summary>How a UDF file entry records where its content is (ECMA-167 4/14.6.8, ICB tag flags bits 0-2).</summary>
public enum UdfAllocation
{
    Short = 0,
    Long = 1,
    Extended = 2,
    Embedded = 3,
}

/// <summary>One extent of a UDF file: absolute sector, length in bytes, and whether it holds recorded data.</summary>
public sealed record UdfExtent(long Sector, uint Length, bool Recorded);

/// <summary>
/// A file or directory of the UDF tree as its (Extended) File Entry describes it.
/// <see cref="EntrySector"/> is the absolute sector of that File Entry.
/// </summary>
public sealed record UdfFile(string Path, bool IsDirectory, long EntrySector, bool Extended, long Size, UdfAllocation Allocation, IReadOnlyList<UdfExtent> Extents)
{
    /// <summary>The first data sector (absolute), shared with the ISO 9660 record of the same file in a bridge image; -1 when none.</summary>
    public long FirstSector => Extents.FirstOrDefault(e => e.Recorded)?.Sector ?? -1;
}

/// <summary>
/// The UDF side of a UDF bridge image (ISO 9660 + UDF, as genisoimage -udf or oscdimg write it):
/// anchor at sector 256, main and reserve volume descriptor sequences, the partition and logical
/// volume descriptors, the integrity descriptor, the file set descriptor and the whole directory
/// tree of File Identifier Descriptors and (Extended) File Entries. Every descriptor's tag, CRC and
/// location are checked; loops, extents past the end and absurd sizes end in an
/// <see cref="IsoFormatException"/>. Layouts this engine cannot update (UDF 2.50 metadata
/// partitions, several partitions, strategy-4096 ICBs, extended or chained allocation
/// descriptors) are read as far as needed and named in <see cref="Unsupported"/>.
/// </summary>
public sealed class UdfVolume
{
    private const int Sector = IsoSource.SectorSize;
    private const int AnchorSector = 256;
    private const int MaxSequenceSectors = 64;
    private const int MaxDepth = 128;

    private readonly IsoSource _source;
    private readonly List<UdfFile> _files = [];
    private readonly List<long> _partitionDescriptors = [];
    private readonly List<long> _anchors = [];
    private readonly int _maxEntries;
    private ushort _partitionNumber;

    private UdfVolume(IsoSource source, int maxEntries)
    {
        _source = source;
        _maxEntries = maxEntries;
    }

    /// <summary>Absolute sector where the partition starts; UDF block addresses count from here.</summary>
    public long PartitionStart { get; private set; }

    /// <summary>The partition's length in blocks (ECMA-167 3/10.5.12).</summary>
    public uint PartitionLength { get; private set; }

    /// <summary>The partition descriptor sectors of the main and reserve sequences (both carry the length).</summary>
    public IReadOnlyList<long> PartitionDescriptorSectors => _partitionDescriptors;

    /// <summary>Sectors holding an anchor volume descriptor pointer (256, and the last sector when present).</summary>
    public IReadOnlyList<long> AnchorSectors => _anchors;

    /// <summary>The logical volume integrity descriptor's sector, whose size table records the partition length; null when absent.</summary>
    public long? IntegritySector { get; private set; }

    /// <summary>Every file and directory of the UDF tree (the root is "/").</summary>
    public IReadOnlyList<UdfFile> Files => _files;

    /// <summary>Why this engine cannot update this UDF tree, or null when it can.</summary>
    public string? Unsupported { get; private set; }

    /// <summary>Finds a path in the UDF tree (case-insensitive fallback, as for ISO 9660 names).</summary>
    public UdfFile? Find(string path)
    {
        var wanted = IsoImage.NormalizePath(path);
        return _files.FirstOrDefault(f => string.Equals(f.Path, wanted, StringComparison.Ordinal))
            ?? _files.FirstOrDefault(f => string.Equals(f.Path, wanted, StringComparison.OrdinalIgnoreCase));
    }

    internal static UdfVolume Read(IsoSource source, int maxEntries)
    {
        var volume = new UdfVolume(source, maxEntries);
        try
        {
            volume.Parse();
        }
        catch (UnsupportedUdfException e)
        {
            volume.Unsupported = e.Message;
            volume._files.Clear();
        }
        return volume;
    }

    /// <summary>A layout the reader understands to be valid UDF but that edits cannot keep consistent.</summary>
    private sealed class UnsupportedUdfException(string message) : Exception(message);

    private void Parse()
    {
        var lastSector = _source.Sectors - 1;
        // UDF 2.01 2.2.3: the anchor sits at sector 256 and at the last sector (or 256 before it).
        long? anchor = null;
        foreach (var candidate in new[] { AnchorSector, lastSector, lastSector - 256 })
        {
            if (candidate < AnchorSector || candidate > lastSector) continue;
            var d = _source.ReadSector(candidate, "UDF anchor volume descriptor pointer");
            if (UdfTag.IdOf(d) != 2) continue;
            UdfTag.Check(d, 2, (uint)candidate, candidate * Sector, "anchor volume descriptor pointer");
            if (!_anchors.Contains(candidate)) _anchors.Add(candidate);
            anchor ??= candidate;
        }
        if (anchor is not { } anchorSector)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                $"The image announces UDF (NSR02/NSR03 after the ISO 9660 descriptors) but has no anchor volume descriptor pointer at sector {AnchorSector} or at its end; the UDF file system is damaged."));
        }
        var avdp = _source.ReadSector(anchorSector, "UDF anchor volume descriptor pointer");
        // ECMA-167 3/10.2: main (at 16) and reserve (at 24) volume descriptor sequence extents.
        var main = ReadSequence(ExtentAd(avdp, 16), "main");
        var reserve = ReadSequence(ExtentAd(avdp, 24), "reserve");
        var (lvd, lvdSector) = main.Lvd ?? reserve.Lvd ?? throw new IsoFormatException("The UDF volume descriptor sequences hold no logical volume descriptor; the UDF file system is damaged.");

        // ECMA-167 3/10.6: logical block size at 212, file set descriptor long_ad at 248, map count at 268, maps at 440.
        var blockSize = BinaryPrimitives.ReadUInt32LittleEndian(lvd.AsSpan(212));
        if (blockSize != Sector) throw new UnsupportedUdfException(string.Create(CultureInfo.InvariantCulture, $"its logical block size is {blockSize}, not 2048"));
        var mapCount = BinaryPrimitives.ReadUInt32LittleEndian(lvd.AsSpan(268));
        if (mapCount != 1) throw new UnsupportedUdfException(string.Create(CultureInfo.InvariantCulture, $"its logical volume has {mapCount} partition maps, not one"));
        // ECMA-167 3/10.7.2: a type 1 map is type 1, length 6, volume sequence number, partition number.
        if (lvd[440] != 1 || lvd[441] != 6)
        {
            throw new UnsupportedUdfException(string.Create(CultureInfo.InvariantCulture, $"its partition map is of type {lvd[440]} (UDF 2.50 metadata, sparable or virtual partitions), not a plain type 1 map"));
        }
        _partitionNumber = BinaryPrimitives.ReadUInt16LittleEndian(lvd.AsSpan(444));
        var partition = main.Partitions.GetValueOrDefault(_partitionNumber) ?? reserve.Partitions.GetValueOrDefault(_partitionNumber)
            ?? throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"The UDF logical volume descriptor at byte {lvdSector * Sector} maps partition {_partitionNumber}, which no partition descriptor describes; the UDF file system is damaged."));
        // ECMA-167 3/10.5: starting location at 188, length at 192.
        PartitionStart = BinaryPrimitives.ReadUInt32LittleEndian(partition.AsSpan(188));
        PartitionLength = BinaryPrimitives.ReadUInt32LittleEndian(partition.AsSpan(192));
        if ((PartitionStart + (long)PartitionLength) * Sector > _source.Length + Sector)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                $"The UDF partition {_partitionNumber} covers sectors {PartitionStart}-{PartitionStart + PartitionLength}, past the end of the image ({_source.Sectors} sectors); the image is truncated or damaged."));
        }
        _partitionDescriptors.AddRange(main.PartitionSectors.Concat(reserve.PartitionSectors).Distinct());

        var integrity = ExtentAd(lvd, 432);
        if (integrity.Length >= Sector && integrity.Sector > 0 && (integrity.Sector + 1) * Sector <= _source.Length)
        {
            var lvid = _source.ReadSector(integrity.Sector, "UDF logical volume integrity descriptor");
            if (UdfTag.IdOf(lvid) == 9)
            {
                UdfTag.Check(lvid, 9, (uint)integrity.Sector, integrity.Sector * Sector, "logical volume integrity descriptor");
                IntegritySector = integrity.Sector;
            }
        }

        var fsdBlock = LongAd(lvd, 248, $"logical volume descriptor at byte {lvdSector * Sector}");
        var fsdSector = PartitionStart + fsdBlock;
        var fsd = _source.ReadSector(fsdSector, "UDF file set descriptor");
        UdfTag.Check(fsd, 256, (uint)fsdBlock, fsdSector * Sector, "file set descriptor");
        // ECMA-167 4/14.1: the root directory ICB is a long_ad at 400.
        var rootBlock = LongAd(fsd, 400, $"file set descriptor at byte {fsdSector * Sector}");
        ReadTree(PartitionStart + rootBlock);
    }

    private sealed record Sequence(Dictionary<ushort, byte[]> Partitions, List<long> PartitionSectors, (byte[] Descriptor, long Sector)? Lvd);

    private Sequence ReadSequence((long Sector, uint Length) extent, string which)
    {
        var result = new Sequence([], [], null);
        var count = Math.Min(extent.Length / Sector, MaxSequenceSectors);
        var versions = new Dictionary<ushort, uint>();
        for (var i = 0L; i < count; i++)
        {
            var sector = extent.Sector + i;
            var d = _source.ReadSector(sector, $"UDF {which} volume descriptor sequence");
            var id = UdfTag.IdOf(d);
            var what = string.Create(CultureInfo.InvariantCulture, $"{which} volume descriptor {i}");
            // ECMA-167 3/10.9: the terminating descriptor (8), or unrecorded space, ends the sequence.
            if (id == 8 || (id == 0 && d.AsSpan().IndexOfAnyExcept((byte)0) < 0)) break;
            UdfTag.Check(d, id, (uint)sector, sector * Sector, what);
            // ECMA-167 3/8.4.2: of several descriptors of one kind, the highest sequence number (at 16) prevails.
            var vdsn = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(16));
            switch (id)
            {
                case 1 or 4 or 7:
                    break; // primary, implementation use and unallocated space descriptors say nothing edits need
                case 3:
                    throw new UnsupportedUdfException("its volume descriptor sequence continues through a volume descriptor pointer");
                case 5:
                    var number = BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(22));
                    if (!versions.TryGetValue((ushort)(0x8000 | number), out var seen) || vdsn >= seen)
                    {
                        versions[(ushort)(0x8000 | number)] = vdsn;
                        result.Partitions[number] = d;
                    }
                    result.PartitionSectors.Add(sector);
                    break;
                case 6:
                    if (result.Lvd is null || !versions.TryGetValue(6, out var lvdSeen) || vdsn >= lvdSeen)
                    {
                        versions[6] = vdsn;
                        result = result with { Lvd = (d, sector) };
                    }
                    break;
                default:
                    throw UdfTag.Damaged(sector * Sector, what, string.Create(CultureInfo.InvariantCulture, $"has tag identifier {id}, which has no place in a volume descriptor sequence"));
            }
        }
        return result;
    }

    private (long Sector, uint Length) ExtentAd(byte[] d, int at)
    {
        // ECMA-167 3/7.1: extent_ad = length, location (sectors).
        var length = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(at));
        var location = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(at + 4));
        if (length > 0 && ((long)location * Sector + Math.Min(length, (uint)(MaxSequenceSectors * Sector)) > _source.Length))
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                $"A UDF volume descriptor sequence at sector {location} (+{length} bytes) lies past the end of the image; the image is truncated or damaged."));
        }
        return (location, length);
    }

    /// <summary>ECMA-167 4/14.14.2: long_ad = length, block, partition reference; returns the block.</summary>
    private long LongAd(ReadOnlySpan<byte> d, int at, string where)
    {
        var block = BinaryPrimitives.ReadUInt32LittleEndian(d[(at + 4)..]);
        var reference = BinaryPrimitives.ReadUInt16LittleEndian(d[(at + 8)..]);
        if (reference != 0) throw new UnsupportedUdfException(string.Create(CultureInfo.InvariantCulture, $"the {where} refers to partition map {reference}"));
        CheckBlock(block, 1, where);
        return block;
    }

    private void CheckBlock(long block, long bytes, string where)
    {
        var end = (PartitionStart + block) * Sector + bytes;
        if (end > _source.Length)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                $"The UDF {where} points at block {block} of the partition (+{bytes} bytes), past the end of the image ({_source.Length} bytes); the image is truncated or damaged."));
        }
    }

    private void ReadTree(long rootSector)
    {
        var visited = new HashSet<long>();
        var pending = new Stack<(long Sector, string Path, int Depth)>();
        pending.Push((rootSector, "", 0));
        while (pending.Count > 0)
        {
            var (sector, path, depth) = pending.Pop();
            var shown = path.Length == 0 ? "/" : path;
            if (depth > MaxDepth) throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"UDF directory '{shown}' is nested more than {MaxDepth} levels deep; the image is damaged or hostile."));
            var entry = ReadEntry(sector, shown);
            if (!entry.IsDirectory)
            {
                Add(entry);
                continue;
            }
            if (!visited.Add(sector))
            {
                throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"UDF directory '{shown}' has the file entry at sector {sector}, which is already a directory of this tree (a cycle); the image is damaged or hostile."));
            }
            Add(entry);
            foreach (var (name, child) in ReadDirectory(entry)) pending.Push((child, path + "/" + name, depth + 1));
        }
    }

    private void Add(UdfFile file)
    {
        if (_files.Count >= _maxEntries)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"The image has more than {_maxEntries} ISO 9660 and UDF entries; refusing to read further."));
        }
        _files.Add(file);
    }

    /// <summary>The byte layout of a File Entry (ECMA-167 4/14.9) or Extended File Entry (4/14.17).</summary>
    internal readonly record struct EntryLayout(bool Extended)
    {
        public int BlocksRecordedAt => Extended ? 72 : 64;
        public int ExtendedAttributesLengthAt => Extended ? 208 : 168;
        public int AllocationLengthAt => Extended ? 212 : 172;
        public int ExtendedAttributesAt => Extended ? 216 : 176;
    }

    private UdfFile ReadEntry(long sector, string path)
    {
        var offset = sector * Sector;
        var d = _source.ReadSector(sector, $"UDF file entry of '{path}'");
        var id = UdfTag.IdOf(d);
        if (id == 259) throw new UnsupportedUdfException(string.Create(CultureInfo.InvariantCulture, $"'{path}' is reached through an indirect entry (ICB strategy 4096)"));
        if (id is not (261 or 266)) throw UdfTag.Damaged(offset, $"file entry of '{path}'", string.Create(CultureInfo.InvariantCulture, $"has tag identifier {id}, not a file entry (261) or extended file entry (266)"));
        UdfTag.Check(d, id, (uint)(sector - PartitionStart), offset, $"file entry of '{path}'");
        var layout = new EntryLayout(id == 266);
        // ECMA-167 4/14.6: ICB tag at 16: strategy type at +4, file type at +11, flags at +18.
        var strategy = BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(20));
        if (strategy != 4) throw new UnsupportedUdfException(string.Create(CultureInfo.InvariantCulture, $"'{path}' uses ICB strategy {strategy}, not 4"));
        var fileType = d[27];
        var allocation = (UdfAllocation)(BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(34)) & 7);
        var size = BinaryPrimitives.ReadUInt64LittleEndian(d.AsSpan(56));
        var eaLength = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(layout.ExtendedAttributesLengthAt));
        var adLength = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(layout.AllocationLengthAt));
        var adStart = layout.ExtendedAttributesAt + (long)eaLength;
        if (adStart + adLength > Sector)
        {
            throw UdfTag.Damaged(offset, $"file entry of '{path}'", string.Create(CultureInfo.InvariantCulture, $"declares {eaLength} bytes of extended attributes and {adLength} of allocation descriptors, more than its block holds"));
        }
        var extents = new List<UdfExtent>();
        long total = 0;
        switch (allocation)
        {
            case UdfAllocation.Embedded:
                total = adLength;
                break;
            case UdfAllocation.Short or UdfAllocation.Long:
                var step = allocation == UdfAllocation.Short ? 8 : 16;
                for (var at = (int)adStart; at + step <= adStart + adLength; at += step)
                {
                    // ECMA-167 4/14.14.1-2: length (30 bits) and extent type (2 bits), then the position.
                    var raw = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(at));
                    var length = raw & 0x3FFFFFFF;
                    var type = raw >> 30;
                    if (length == 0) break;
                    if (type == 3) throw new UnsupportedUdfException(string.Create(CultureInfo.InvariantCulture, $"the allocation descriptors of '{path}' continue in another extent"));
                    if (allocation == UdfAllocation.Long && BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(at + 8)) != 0)
                    {
                        throw new UnsupportedUdfException(string.Create(CultureInfo.InvariantCulture, $"'{path}' has content in another partition"));
                    }
                    long block = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(at + 4));
                    if (type == 0) CheckBlock(block, length, $"allocation descriptor of '{path}' at byte {offset + at}");
                    extents.Add(new UdfExtent(PartitionStart + block, length, type == 0));
                    total += length;
                }
                break;
            default:
                if (size > 0) throw new UnsupportedUdfException(string.Create(CultureInfo.InvariantCulture, $"'{path}' uses extended allocation descriptors"));
                break;
        }
        if ((long)size > total && size > 0)
        {
            throw UdfTag.Damaged(offset, $"file entry of '{path}'", string.Create(CultureInfo.InvariantCulture, $"says the content is {size} bytes, but its extents hold {total}"));
        }
        return new UdfFile(path, fileType == 4, sector, layout.Extended, (long)size, allocation, extents);
    }

    private List<(string Name, long Sector)> ReadDirectory(UdfFile directory)
    {
        if (directory.Size > IsoSource.MaxStructureBytes)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                $"UDF directory '{directory.Path}' claims {directory.Size} bytes, more than the {IsoSource.MaxStructureBytes} bytes this reader accepts; the image is damaged or hostile."));
        }
        var data = ReadContent(directory);
        var children = new List<(string, long)>();
        var pos = 0;
        while (pos + 38 <= data.Length)
        {
            // ECMA-167 4/14.4: File Identifier Descriptor: characteristics at 18, name length at 19, ICB long_ad at 20, implementation use length at 36.
            var fid = data.AsSpan(pos);
            var nameLength = fid[19];
            var useLength = BinaryPrimitives.ReadUInt16LittleEndian(fid[36..]);
            var length = (38 + useLength + nameLength + 3) & ~3;
            var where = string.Create(CultureInfo.InvariantCulture, $"file identifier at byte {pos} of directory '{directory.Path}'");
            if (pos + 38 + useLength + nameLength > data.Length) throw UdfTag.Damaged(directory.EntrySector * Sector, where, "runs past the end of its directory");
            UdfTag.Check(fid[..Math.Min(fid.Length, length)], 257, null, directory.EntrySector * Sector, where);
            pos += length;
            if ((fid[18] & 0x0C) != 0) continue; // deleted (bit 2) or the parent (bit 3)
            var block = LongAd(fid, 20, where);
            var name = DecodeName(fid.Slice(38 + useLength, nameLength), directory.EntrySector * Sector, where);
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
            {
                throw UdfTag.Damaged(directory.EntrySector * Sector, where, $"names the file '{name}', which is not a valid file name");
            }
            if (children.Count >= _maxEntries) throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"UDF directory '{directory.Path}' has more than {_maxEntries} entries; refusing to read further."));
            children.Add((name, PartitionStart + block));
        }
        return children;
    }

    /// <summary>A file's content, from its extents or embedded in its entry (bounded by the caller).</summary>
    internal byte[] ReadContent(UdfFile file)
    {
        var size = (int)Math.Min(file.Size, IsoSource.MaxStructureBytes);
        var result = new byte[size];
        if (file.Allocation == UdfAllocation.Embedded)
        {
            var d = _source.ReadSector(file.EntrySector, $"UDF file entry of '{file.Path}'");
            var layout = new EntryLayout(file.Extended);
            var adStart = layout.ExtendedAttributesAt + (int)BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(layout.ExtendedAttributesLengthAt));
            d.AsSpan(adStart, size).CopyTo(result);
            return result;
        }
        var done = 0;
        foreach (var extent in file.Extents)
        {
            var n = (int)Math.Min(extent.Length, size - done);
            if (n <= 0) break;
            if (extent.Recorded) _source.ReadInto(extent.Sector * Sector, result.AsSpan(done, n));
            done += n;
        }
        return result;
    }

    /// <summary>OSTA compressed Unicode (UDF 2.01 2.1.1): compression id 8 (one byte a character) or 16 (UCS-2 big-endian).</summary>
    private static string DecodeName(ReadOnlySpan<byte> id, long offset, string where)
    {
        if (id.Length == 0) return "";
        return id[0] switch
        {
            8 => Encoding.Latin1.GetString(id[1..]),
            16 => Encoding.BigEndianUnicode.GetString(id[1..][..((id.Length - 1) & ~1)]),
            _ => throw UdfTag.Damaged(offset, where, string.Create(CultureInfo.InvariantCulture, $"has a name with compression id {id[0]}, not 8 or 16")),
        };
    }

    /// <summary>
    /// Rewrites a File Entry block so the file has <paramref name="length"/> bytes starting at
    /// absolute sector <paramref name="sector"/>: information length, logical blocks recorded,
    /// allocation descriptors (embedded content becomes short_ads), CRC and checksum.
    /// </summary>
    internal byte[] RewriteEntry(byte[] entry, UdfFile file, long sector, long length)
    {
        var layout = new EntryLayout(file.Extended);
        var eaLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(entry.AsSpan(layout.ExtendedAttributesLengthAt));
        var oldAdLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(entry.AsSpan(layout.AllocationLengthAt));
        var adStart = layout.ExtendedAttributesAt + eaLength;
        var kind = file.Allocation == UdfAllocation.Long ? UdfAllocation.Long : UdfAllocation.Short;
        var step = kind == UdfAllocation.Short ? 8 : 16;
        // ECMA-167 4/14.14.1: one descriptor holds less than 1 GiB; split longer content in whole blocks.
        const long maxExtent = 0x3FFFFFFF & ~(Sector - 1);
        var descriptors = new List<byte[]>();
        var block = sector - PartitionStart;
        for (long done = 0; done < length; done += maxExtent)
        {
            var ad = new byte[step];
            var n = Math.Min(maxExtent, length - done);
            BinaryPrimitives.WriteUInt32LittleEndian(ad, (uint)n);
            BinaryPrimitives.WriteUInt32LittleEndian(ad.AsSpan(4), checked((uint)(block + done / Sector)));
            descriptors.Add(ad);
        }
        var adLength = descriptors.Count * step;
        if (adStart + adLength > Sector)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"The UDF file entry of '{file.Path}' has no room for {descriptors.Count} allocation descriptors; keep the file under 1 GiB."));
        }
        var result = (byte[])entry.Clone();
        result.AsSpan(adStart, Math.Max(oldAdLength, adLength)).Clear();
        for (var i = 0; i < descriptors.Count; i++) descriptors[i].CopyTo(result, adStart + i * step);
        // ICB tag flags (at 34), bits 0-2: the allocation descriptor type.
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(result.AsSpan(34));
        BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(34), (ushort)((flags & ~7) | (int)kind));
        BinaryPrimitives.WriteUInt64LittleEndian(result.AsSpan(56), (ulong)length);
        if (layout.Extended) BinaryPrimitives.WriteUInt64LittleEndian(result.AsSpan(64), (ulong)length); // object size: no named streams
        BinaryPrimitives.WriteUInt64LittleEndian(result.AsSpan(layout.BlocksRecordedAt), (ulong)((length + Sector - 1) / Sector));
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(layout.AllocationLengthAt), (uint)adLength);
        UdfTag.Seal(result, adStart + adLength - UdfTag.Length);
        return result;
    }

    /// <summary>Rewrites a partition descriptor (ECMA-167 3/10.5.12) with a new partition length.</summary>
    internal static byte[] WithPartitionLength(byte[] descriptor, uint length)
    {
        var result = (byte[])descriptor.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(192), length);
        UdfTag.Seal(result, BinaryPrimitives.ReadUInt16LittleEndian(result.AsSpan(10)));
        return result;
    }

    /// <summary>
    /// Rewrites the integrity descriptor's size table (ECMA-167 3/10.10: partition count at 72,
    /// free space table at 80, size table after it) for a new partition length.
    /// </summary>
    internal static byte[] WithIntegritySize(byte[] descriptor, uint length)
    {
        var result = (byte[])descriptor.Clone();
        var partitions = BinaryPrimitives.ReadUInt32LittleEndian(result.AsSpan(72));
        if (partitions != 1) return result;
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(84), length);
        UdfTag.Seal(result, BinaryPrimitives.ReadUInt16LittleEndian(result.AsSpan(10)));
        return result;
    }
}
