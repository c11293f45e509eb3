using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ironic.Core.Iso;

/// <summary>
/// A parsed bootable ISO: volume descriptors (primary, Joliet, a second set from
/// <c>-partition_offset</c>), every directory tree, Rock Ridge names, the El Torito catalog,
/// UDF bridge presence and the isohybrid MBR/GPT. Reads through bounded buffers, so memory depends
/// on the number of files, never on the size of the image. The stream stays owned by the caller.
/// </summary>
public sealed class IsoImage
{
    private const int FirstDescriptorSector = 16;
    private const int MaxDescriptors = 64;
    private const int MaxEntries = 1_000_000;
    private const int MaxDepth = 128;

    private readonly IsoSource _source;
    private readonly List<IsoEntry> _entries = [];

    private IsoImage(IsoSource source) => _source = source;

    public long Length => _source.Length;
    public IReadOnlyList<IsoVolumeDescriptor> Volumes { get; private set; } = [];
    public IReadOnlyList<IsoEntry> Entries => _entries;
    public ElToritoCatalog? ElTorito { get; private set; }
    public HybridLayout Hybrid { get; private set; } = new([], null);
    public bool HasUdf { get; private set; }
    /// <summary>The UDF tree of a UDF bridge image (null without UDF); edits keep its file entries in step.</summary>
    public UdfVolume? Udf { get; private set; }
    /// <summary>True when <c>implantisomd5</c> stored a media-check sum in the primary descriptor.</summary>
    public bool HasImplantedMd5 { get; private set; }
    /// <summary>SHA-256 (hex) of the system area and every volume descriptor sector: identifies the base of a delta.</summary>
    public string Fingerprint { get; private set; } = "";
    /// <summary>The sectors holding volume descriptors (both sets), whose volume space size an edit updates.</summary>
    public IReadOnlyList<long> DescriptorSectors { get; private set; } = [];

    public IsoVolumeDescriptor Primary => Volumes.First(v => v.Kind == IsoTreeKind.Primary);
    public string Label => Primary.Label;

    /// <summary>The tree whose names users see: Rock Ridge primary, else Joliet, else plain ISO 9660.</summary>
    public IsoVolumeDescriptor PreferredVolume =>
        Volumes.FirstOrDefault(v => !v.IsSecondSet && v.Kind == IsoTreeKind.Primary && v.RockRidge)
        ?? Volumes.FirstOrDefault(v => !v.IsSecondSet && v.Kind == IsoTreeKind.Joliet)
        ?? Primary;

    internal IsoSource Source => _source;

    /// <summary>Parses an image. Throws <see cref="IsoFormatException"/> for anything malformed or hostile.</summary>
    public static IsoImage Open(Stream stream)
    {
        var image = new IsoImage(SourceOf(stream));
        image.Parse();
        return image;
    }

    private static IsoSource SourceOf(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanRead)
        {
            throw new ArgumentException("The ISO stream must be readable and seekable (open the file, not a pipe).", nameof(stream));
        }
        return new IsoSource(stream);
    }

    /// <summary>Files and directories of one tree.</summary>
    public IEnumerable<IsoEntry> EntriesOf(IsoVolumeDescriptor volume) => _entries.Where(e => ReferenceEquals(e.Volume, volume));

    /// <summary>Finds a path in the preferred tree (case-insensitive when that tree has no Rock Ridge or Joliet names).</summary>
    public IsoEntry? Find(string path)
    {
        var wanted = NormalizePath(path);
        var volume = PreferredVolume;
        var comparison = volume.Kind == IsoTreeKind.Primary && !volume.RockRidge ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return EntriesOf(volume).FirstOrDefault(e => string.Equals(e.Path, wanted, comparison))
            ?? EntriesOf(volume).FirstOrDefault(e => string.Equals(e.Path, wanted, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Every entry, in every tree, whose content starts at <paramref name="sector"/>: the records an edit must patch.</summary>
    public IReadOnlyList<IsoEntry> EntriesAt(long sector) => _entries.Where(e => !e.IsDirectory && e.FirstSector == sector).ToList();

    /// <summary>Reads a file's content (bounded by <paramref name="maxBytes"/>).</summary>
    public byte[] ReadFile(IsoEntry entry, int maxBytes = 16 * 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.IsDirectory) throw new ArgumentException($"{entry.Path} is a directory.", nameof(entry));
        if (entry.Size > maxBytes)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"{entry.Path} is {entry.Size} bytes, more than the {maxBytes} bytes asked for; read it as a stream instead."));
        }
        var result = new byte[entry.Size];
        var done = 0;
        foreach (var extent in entry.Extents)
        {
            var part = _source.Read(extent.Sector * IsoSource.SectorSize, (int)extent.Length, $"extent of {entry.Path}");
            part.CopyTo(result, done);
            done += part.Length;
        }
        return result;
    }

    internal static string NormalizePath(string path)
    {
        var p = path.Replace('\\', '/').Trim();
        if (!p.StartsWith('/')) p = "/" + p;
        while (p.Length > 1 && p.EndsWith('/')) p = p[..^1];
        return p;
    }

    /// <summary>
    /// Reads only what identifies an image as a delta's base: its system area and volume
    /// descriptors (a few sectors), not its trees, whose cost grows with the number of files. What
    /// serving base + delta needs on every request; the trees were read, and checked, when the
    /// delta was made. Returns the <see cref="Fingerprint"/>; throws <see cref="IsoFormatException"/>
    /// for an image without valid descriptors.
    /// </summary>
    public static string ReadFingerprint(Stream stream)
    {
        var image = new IsoImage(SourceOf(stream));
        image.ParseDescriptors();
        return image.Fingerprint;
    }

    private void Parse()
    {
        var catalogSector = ParseDescriptors();
        var visited = new HashSet<long>();
        foreach (var volume in Volumes)
        {
            visited.Clear();
            ReadTree(volume, visited);
        }
        if (HasUdf) Udf = UdfVolume.Read(_source, MaxEntries - _entries.Count);
        if (catalogSector is { } cat) ElTorito = ReadElTorito(cat);
    }

    /// <summary>The hybrid tables, both descriptor sets and the fingerprint; returns the El Torito catalog's sector.</summary>
    private long? ParseDescriptors()
    {
        if (_source.Length < (FirstDescriptorSector + 2) * IsoSource.SectorSize)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                $"The image is {_source.Length} bytes, too small for an ISO 9660 volume (volume descriptors start at byte {FirstDescriptorSector * IsoSource.SectorSize})."));
        }
        Hybrid = HybridReader.Read(_source);
        var volumes = new List<IsoVolumeDescriptor>();
        var descriptorSectors = new List<long>();
        long? catalogSector = ReadDescriptorSet(0, volumes, descriptorSectors, required: true);

        // A second descriptor set (xorriso -partition_offset): the first partition starts inside
        // the image and holds its own descriptors and trees, addressed from the partition start.
        foreach (var start in Hybrid.Mbr.Select(p => (long)p.StartLba).Concat(Hybrid.Gpt?.Partitions.Select(p => (long)p.FirstLba) ?? []).Distinct())
        {
            if (start <= 0 || start % 4 != 0) continue;
            var baseSector = start / 4;
            var probe = (baseSector + FirstDescriptorSector) * IsoSource.SectorSize;
            if (probe + IsoSource.SectorSize > _source.Length || descriptorSectors.Contains(baseSector + FirstDescriptorSector)) continue;
            var head = _source.Read(probe, 6, "second volume descriptor probe");
            if (head[0] == 1 && head.AsSpan(1, 5).SequenceEqual("CD001"u8))
            {
                ReadDescriptorSet(baseSector, volumes, descriptorSectors, required: false);
            }
        }
        Volumes = volumes;
        DescriptorSectors = descriptorSectors;
        Fingerprint = ComputeFingerprint(descriptorSectors);
        return catalogSector;
    }

    private long? ReadDescriptorSet(long baseSector, List<IsoVolumeDescriptor> volumes, List<long> descriptorSectors, bool required)
    {
        long? catalog = null;
        var sawPrimary = false;
        for (var i = 0; i < MaxDescriptors; i++)
        {
            var sector = baseSector + FirstDescriptorSector + i;
            var offset = sector * IsoSource.SectorSize;
            if (offset + IsoSource.SectorSize > _source.Length)
            {
                throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"The volume descriptor set at sector {baseSector + FirstDescriptorSector} runs past the end of the image at byte {offset} without a terminator."));
            }
            var d = _source.ReadSector(sector, "volume descriptor");
            var span = d.AsSpan();
            // ECMA-119 8.1: type, "CD001", version. UDF's volume recognition sequence follows the terminator.
            if (!span.Slice(1, 5).SequenceEqual("CD001"u8))
            {
                if (i == 0 && required)
                {
                    throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                        $"No ISO 9660 volume descriptor at byte {offset} (found '{Printable(span.Slice(1, 5))}' instead of 'CD001'). {(IsUdfSignature(span) ? "This is a UDF-only image (no ISO 9660 tree), which this engine does not read or edit: rebuild it as a UDF bridge that carries an ISO 9660 tree too (genisoimage -udf, or oscdimg -u1)." : "This is not an ISO 9660 image.")}"));
                }
                break;
            }
            descriptorSectors.Add(sector);
            switch (d[0])
            {
                case 0: // ECMA-119 8.2 boot record; El Torito 1.0 section 2.0 puts the catalog address at byte 71.
                    if (span.Slice(7, 23).SequenceEqual("EL TORITO SPECIFICATION"u8) && baseSector == 0)
                    {
                        catalog = BinaryPrimitives.ReadUInt32LittleEndian(span[71..]);
                    }
                    break;
                case 1:
                    volumes.Add(ReadVolume(d, IsoTreeKind.Primary, sector, baseSector));
                    sawPrimary = true;
                    break;
                case 2:
                    var joliet = span[88] == 0x25 && span[89] == 0x2F && span[90] is 0x40 or 0x43 or 0x45; // Joliet escape sequences %/@ %/C %/E
                    volumes.Add(ReadVolume(d, joliet ? IsoTreeKind.Joliet : IsoTreeKind.Supplementary, sector, baseSector));
                    break;
                case 255:
                    if (baseSector == 0) HasUdf = ProbeUdf(sector + 1);
                    if (!sawPrimary)
                    {
                        if (!required) return catalog;
                        throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"The volume descriptor set ends at byte {offset} without a primary volume descriptor; the image is damaged."));
                    }
                    return catalog;
            }
        }
        if (!sawPrimary && required)
        {
            throw new IsoFormatException("The image has no ISO 9660 primary volume descriptor in the first 64 descriptor sectors; it is damaged or not an ISO.");
        }
        return catalog;
    }

    private IsoVolumeDescriptor ReadVolume(byte[] d, IsoTreeKind kind, long sector, long baseSector)
    {
        var span = d.AsSpan();
        // ECMA-119 8.4: identifiers and sizes; Joliet labels are UCS-2 big-endian.
        var label = kind == IsoTreeKind.Joliet ? Encoding.BigEndianUnicode.GetString(span.Slice(40, 32)) : Encoding.ASCII.GetString(span.Slice(40, 32));
        var blockSize = BinaryPrimitives.ReadUInt16LittleEndian(span[128..]);
        if (blockSize != IsoSource.SectorSize)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                $"The volume descriptor at byte {sector * IsoSource.SectorSize} declares a logical block size of {blockSize}; only 2048 is supported."));
        }
        var volume = new IsoVolumeDescriptor(kind, sector, baseSector, label.TrimEnd(' ', '\0'),
            BinaryPrimitives.ReadUInt32LittleEndian(span[80..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span[132..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span[140..]),
            BinaryPrimitives.ReadUInt32BigEndian(span[148..]),
            RockRidge: false);
        if (kind == IsoTreeKind.Primary && baseSector == 0 && span.Slice(883, 512).IndexOf("ISO MD5SUM = "u8) >= 0) HasImplantedMd5 = true;
        // Rock Ridge is announced by an SP entry in the root's "." record (SUSP 5.3).
        var root = span.Slice(156, 34);
        var rootSector = baseSector + BinaryPrimitives.ReadUInt32LittleEndian(root[2..]);
        var dot = _source.Read(rootSector * IsoSource.SectorSize, 255, "root directory '.' record");
        var len = dot[0];
        var nameLen = dot[32];
        var su = 33 + nameLen + ((nameLen & 1) == 0 ? 1 : 0);
        var rr = len >= su + 7 && su + 7 <= dot.Length && dot[su] == (byte)'S' && dot[su + 1] == (byte)'P' && dot[su + 4] == 0xBE && dot[su + 5] == 0xEF;
        return volume with { RockRidge = rr && kind == IsoTreeKind.Primary };
    }

    private bool ProbeUdf(long sector)
    {
        // ECMA-167 2/9.1: the volume recognition sequence (BEA01 ... NSR02/NSR03 ... TEA01) follows the ISO descriptors.
        for (var s = sector; s < sector + 16 && (s + 1) * IsoSource.SectorSize <= _source.Length; s++)
        {
            var id = _source.Read(s * IsoSource.SectorSize + 1, 5, "UDF recognition sequence");
            if (id.AsSpan().SequenceEqual("NSR02"u8) || id.AsSpan().SequenceEqual("NSR03"u8)) return true;
            if (!(id.AsSpan().SequenceEqual("BEA01"u8) || id.AsSpan().SequenceEqual("BOOT2"u8) || id.AsSpan().SequenceEqual("CD001"u8))) return false;
        }
        return false;
    }

    private static bool IsUdfSignature(ReadOnlySpan<byte> d) =>
        d.Slice(1, 5).SequenceEqual("BEA01"u8) || d.Slice(1, 5).SequenceEqual("NSR02"u8) || d.Slice(1, 5).SequenceEqual("NSR03"u8);

    private void ReadTree(IsoVolumeDescriptor volume, HashSet<long> visited)
    {
        var d = _source.ReadSector(volume.DescriptorSector, "volume descriptor");
        var root = d.AsSpan(156, 34);
        var rootSector = volume.BaseSector + BinaryPrimitives.ReadUInt32LittleEndian(root[2..]);
        var rootLength = BinaryPrimitives.ReadUInt32LittleEndian(root[10..]);
        var pending = new Stack<(long Sector, uint Length, string Path, int Depth)>();
        pending.Push((rootSector, rootLength, "", 0));
        _entries.Add(new IsoEntry(volume, "/", true, rootLength, [new IsoExtent(volume.DescriptorSector * IsoSource.SectorSize + 156, rootSector, rootLength)], null, null, null));
        var skip = volume.RockRidge ? RockRidgeSkip(rootSector) : 0;
        while (pending.Count > 0)
        {
            var (sector, length, path, depth) = pending.Pop();
            if (!visited.Add(sector))
            {
                throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"Directory '{(path.Length == 0 ? "/" : path)}' points at sector {sector}, which is already a directory of this tree (a cycle); the image is damaged or hostile."));
            }
            if (depth > MaxDepth)
            {
                throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"Directory '{path}' is nested more than {MaxDepth} levels deep; the image is damaged or hostile."));
            }
            foreach (var record in ReadDirectory(volume, sector, length, path, skip))
            {
                if (_entries.Count >= MaxEntries)
                {
                    throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"The image has more than {MaxEntries} directory entries; refusing to read further."));
                }
                _entries.Add(record);
                if (record.IsDirectory) pending.Push((record.FirstSector, record.Extents[0].Length, record.Path, depth + 1));
            }
        }
    }

    private int RockRidgeSkip(long rootSector)
    {
        var dot = _source.Read(rootSector * IsoSource.SectorSize, 255, "root directory '.' record");
        var nameLen = dot[32];
        var su = 33 + nameLen + ((nameLen & 1) == 0 ? 1 : 0);
        return su + 7 <= dot.Length ? dot[su + 6] : 0; // SUSP 5.3: LEN_SKP
    }

    private IEnumerable<IsoEntry> ReadDirectory(IsoVolumeDescriptor volume, long sector, uint length, string path, int skip)
    {
        var dirOffset = sector * IsoSource.SectorSize;
        var data = _source.Read(dirOffset, (int)Math.Min(length, (uint)IsoSource.MaxStructureBytes + 1), $"directory extent of '{(path.Length == 0 ? "/" : path)}'");
        var results = new List<IsoEntry>();
        List<IsoExtent>? pendingExtents = null;
        var pos = 0;
        while (pos < data.Length)
        {
            var recLen = data[pos];
            if (recLen == 0)
            {
                // ECMA-119 6.8.1.1: records never span sectors; a zero length pads to the next sector.
                pos = (pos / IsoSource.SectorSize + 1) * IsoSource.SectorSize;
                continue;
            }
            var recordOffset = dirOffset + pos;
            if (recLen < 34 || pos + recLen > data.Length || (pos % IsoSource.SectorSize) + recLen > IsoSource.SectorSize)
            {
                throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"Directory record at byte {recordOffset} in '{(path.Length == 0 ? "/" : path)}' has length {recLen}, which does not fit its sector; the image is damaged."));
            }
            var rec = data.AsSpan(pos, recLen);
            pos += recLen;
            // ECMA-119 9.1: extent (both-endian 32 at 2), data length (at 10), flags (25), name length (32).
            var nameLen = rec[32];
            if (33 + nameLen > recLen)
            {
                throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"Directory record at byte {recordOffset} has a name of {nameLen} bytes that overruns the record ({recLen} bytes)."));
            }
            var name = rec.Slice(33, nameLen);
            if (nameLen == 1 && name[0] <= 1) continue; // "." and ".."
            var extentSector = volume.BaseSector + BinaryPrimitives.ReadUInt32LittleEndian(rec[2..]);
            var dataLength = BinaryPrimitives.ReadUInt32LittleEndian(rec[10..]);
            var flags = rec[25];
            var isDir = (flags & 0x02) != 0;
            var extentEnd = extentSector * IsoSource.SectorSize + (long)dataLength;
            if (extentEnd > _source.Length && dataLength > 0)
            {
                throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"Directory record at byte {recordOffset} points at sector {extentSector} (+{dataLength} bytes), past the end of the image ({_source.Length} bytes); the image is truncated or damaged."));
            }
            var suStart = 33 + nameLen + ((nameLen & 1) == 0 ? 1 : 0) + skip;
            var rr = volume.RockRidge && suStart < recLen ? RockRidgeEntries.Parse(_source, rec[suStart..].ToArray(), recordOffset) : null;
            if (rr is { Relocated: true }) continue; // RRIP 4.1.5.3: RE marks the relocated copy; it is reached through its CL link.
            if (rr?.ChildLink is { } cl)
            {
                isDir = true;
                extentSector = volume.BaseSector + cl;
                var child = _source.Read(extentSector * IsoSource.SectorSize, 34, "relocated directory '.' record");
                dataLength = BinaryPrimitives.ReadUInt32LittleEndian(child.AsSpan(10));
            }
            string display;
            if (rr?.Name is { Length: > 0 } rrName) display = rrName;
            else if (volume.Kind == IsoTreeKind.Joliet) display = Encoding.BigEndianUnicode.GetString(name[..(nameLen & ~1)]);
            else display = Encoding.ASCII.GetString(name);
            if (!(rr?.Name is { Length: > 0 }))
            {
                var semi = display.IndexOf(';', StringComparison.Ordinal);
                if (semi >= 0) display = display[..semi];
                if (!isDir && display.EndsWith('.')) display = display[..^1];
            }
            if (display.Contains('/', StringComparison.Ordinal) || display is "." or "..")
            {
                throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"Directory record at byte {recordOffset} has the name '{display}', which is not a valid file name."));
            }
            pendingExtents ??= [];
            pendingExtents.Add(new IsoExtent(recordOffset, extentSector, dataLength));
            if ((flags & 0x80) != 0 && !isDir) continue; // ECMA-119 9.1.6: multi-extent, more records of this file follow.
            var size = pendingExtents.Sum(e => (long)e.Length);
            results.Add(new IsoEntry(volume, path + "/" + display, isDir, size, pendingExtents, rr?.Mode, rr?.SymlinkTarget, rr?.Modified));
            pendingExtents = null;
        }
        if (pendingExtents is not null)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"Directory '{path}' ends inside a multi-extent file (record at byte {pendingExtents[^1].RecordOffset} says more extents follow)."));
        }
        return results;
    }

    private ElToritoCatalog ReadElTorito(long catalogSector)
    {
        var catalogOffset = catalogSector * IsoSource.SectorSize;
        var c = _source.Read(catalogOffset, IsoSource.SectorSize, "El Torito boot catalog");
        var span = c.AsSpan();
        // El Torito 1.0 section 2.1: validation entry: header 1, key 55 AA, words summing to zero.
        if (span[0] != 1 || span[30] != 0x55 || span[31] != 0xAA)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                $"The El Torito boot catalog at byte {catalogOffset} does not start with a validation entry (header {span[0]:X2}, key {span[30]:X2} {span[31]:X2}); the image is damaged."));
        }
        ushort sum = 0;
        for (var i = 0; i < 32; i += 2) sum += BinaryPrimitives.ReadUInt16LittleEndian(span[i..]);
        if (sum != 0)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"The El Torito validation entry at byte {catalogOffset} has a bad checksum; the boot catalog is damaged."));
        }
        var entries = new List<ElToritoEntry>();
        var platform = (ElToritoPlatform)span[1];
        entries.Add(ReadBootEntry(span.Slice(32, 32), 1, platform, catalogOffset + 32));
        var pos = 64;
        var last = false;
        while (!last && pos + 32 <= span.Length)
        {
            var header = span[pos];
            if (header is not (0x90 or 0x91)) break; // El Torito 2.3: section header 90 (more follow) or 91 (final)
            last = header == 0x91;
            platform = (ElToritoPlatform)span[pos + 1];
            var count = BinaryPrimitives.ReadUInt16LittleEndian(span[(pos + 2)..]);
            pos += 32;
            for (var i = 0; i < count; i++)
            {
                if (pos + 32 > span.Length)
                {
                    throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"El Torito section at byte {catalogOffset + pos} declares more entries than its catalog sector holds."));
                }
                var entry = span.Slice(pos, 32);
                entries.Add(ReadBootEntry(entry, entries.Count + 1, platform, catalogOffset + pos));
                pos += 32;
                // El Torito 2.5: entry extensions (0x44) follow while bit 5 of the media byte says so.
                var more = (entry[1] & 0x20) != 0;
                while (more && pos + 32 <= span.Length && span[pos] == 0x44)
                {
                    more = (span[pos + 1] & 0x20) != 0;
                    pos += 32;
                }
            }
        }
        var catalogPath = _entries.FirstOrDefault(e => !e.IsDirectory && e.FirstSector == catalogSector && ReferenceEquals(e.Volume, PreferredVolume))?.Path;
        return new ElToritoCatalog(catalogSector, catalogPath, entries);
    }

    private ElToritoEntry ReadBootEntry(ReadOnlySpan<byte> e, int index, ElToritoPlatform platform, long entryOffset)
    {
        // El Torito 2.2 / 2.4: indicator, media, load segment, system type, sector count, load RBA.
        var loadSector = (long)BinaryPrimitives.ReadUInt32LittleEndian(e[8..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(e[6..]);
        if (loadSector * IsoSource.SectorSize >= _source.Length)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                $"El Torito entry {index} at byte {entryOffset} loads from sector {loadSector}, past the end of the image."));
        }
        var file = _entries.FirstOrDefault(x => !x.IsDirectory && x.FirstSector == loadSector && ReferenceEquals(x.Volume, PreferredVolume))
            ?? _entries.FirstOrDefault(x => !x.IsDirectory && x.FirstSector == loadSector);
        long length;
        if (file is not null) length = file.Size;
        else
        {
            var part = Hybrid.Gpt?.Partitions.FirstOrDefault(p => (long)p.FirstLba == loadSector * 4);
            var mbr = Hybrid.Mbr.FirstOrDefault(p => p.StartLba == loadSector * 4);
            length = part is not null ? (long)(part.LastLba - part.FirstLba + 1) * 512
                : mbr is not null ? (long)mbr.SectorCount * 512
                : count > 1 ? count * 512L
                : FatLengthAt(loadSector);
        }
        length = Math.Min(length, _source.Length - loadSector * IsoSource.SectorSize);
        return new ElToritoEntry(index, platform, e[0] == 0x88, (byte)(e[1] & 0x0F), BinaryPrimitives.ReadUInt16LittleEndian(e[2..]), e[4], count, loadSector, file?.Path, length, entryOffset);
    }

    private long FatLengthAt(long sector)
    {
        // Microsoft FAT spec, BPB: bytes per sector at 11, total sectors 16-bit at 19, 32-bit at 32.
        var bpb = _source.Read(sector * IsoSource.SectorSize, 64, "FAT boot sector of an El Torito image");
        var bytesPerSector = BinaryPrimitives.ReadUInt16LittleEndian(bpb.AsSpan(11));
        long total = BinaryPrimitives.ReadUInt16LittleEndian(bpb.AsSpan(19));
        if (total == 0) total = BinaryPrimitives.ReadUInt32LittleEndian(bpb.AsSpan(32));
        return bytesPerSector is 512 or 1024 or 2048 or 4096 ? total * bytesPerSector : IsoSource.SectorSize;
    }

    private string ComputeFingerprint(List<long> descriptorSectors)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(_source.Read(0, FirstDescriptorSector * IsoSource.SectorSize, "system area"));
        foreach (var s in descriptorSectors) hash.AppendData(_source.ReadSector(s, "volume descriptor"));
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, _source.Length);
        hash.AppendData(length);
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        foreach (var b in bytes) sb.Append(b is >= 0x20 and < 0x7F ? (char)b : '.');
        return sb.ToString();
    }
}
