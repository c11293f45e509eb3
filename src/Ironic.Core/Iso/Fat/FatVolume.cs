using System.Buffers.Binary;

namespace Ironic.Core.Iso.Fat;

/// <summary>
/// A FAT12/16/32 filesystem inside a byte region of a stream (an El Torito EFI image that is a
/// file of the ISO tree, or an EFI partition appended after it). Opening parses and validates the
/// boot sector, the FAT and the whole directory tree; reads are bounds-checked, chains are checked
/// for loops and out-of-range links, so a hostile image ends in <see cref="IsoFormatException"/>.
/// Edits are planned, not performed: <see cref="PlanReplace(FatFileEntry, ReadOnlySpan{byte}, DateTime?)"/>
/// returns the region writes that make the change, and the caller decides where they go (an overlay).
/// The volume keeps the stream (it must stay open while the volume is used) and moves its position:
/// one volume is not for concurrent use.
/// </summary>
public sealed class FatVolume
{
    /// <summary>Directories larger than this are refused (the FAT specification allows 65,536 entries of 32 bytes).</summary>
    private const long MaxDirectoryBytes = 65536L * FatDirectoryEntry.Size;
    private const int MaxDirectoryDepth = 64;

    private readonly Stream _stream;
    private readonly long _regionOffset;
    private readonly long _regionLength;
    private readonly FatBootSector _boot;
    private readonly FatTable _fat;
    private readonly List<FatFileEntry> _entries = [];
    private readonly Dictionary<string, FatFileEntry> _byPath = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<long, FatFileEntry> _byEntryOffset = [];

    private FatVolume(Stream stream, long regionOffset, long regionLength, FatBootSector boot, FatTable fat)
    {
        _stream = stream;
        _regionOffset = regionOffset;
        _regionLength = regionLength;
        _boot = boot;
        _fat = fat;
    }

    public FatType Type => _boot.Type;
    public int BytesPerCluster => _boot.BytesPerCluster;
    public long ClusterCount => _boot.ClusterCount;
    /// <summary>Free clusters counted in the FAT when the volume was opened.</summary>
    public int FreeClusters { get; private set; }
    public string VolumeLabel => _boot.VolumeLabel;
    /// <summary>Size of the filesystem in bytes (may be less than the region).</summary>
    public long VolumeBytes => _boot.VolumeBytes;

    /// <summary>
    /// Opens the FAT filesystem that starts at <paramref name="regionOffset"/> of <paramref name="image"/>
    /// and spans <paramref name="regionLength"/> bytes. The stream must be readable and seekable; it is
    /// not written and not disposed.
    /// </summary>
    public static FatVolume Open(Stream image, long regionOffset, long regionLength)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!image.CanRead || !image.CanSeek)
            throw new ArgumentException("The image stream must be readable and seekable.", nameof(image));
        if (regionOffset < 0 || regionLength <= 0)
            throw new ArgumentOutOfRangeException(nameof(regionOffset), $"The FAT region must have a non-negative offset and a positive length; got offset {regionOffset}, length {regionLength}.");
        long imageLength = image.Length;
        if (regionOffset > imageLength || regionLength > imageLength - regionOffset)
            throw new IsoFormatException($"FAT: the region at byte {regionOffset} of {regionLength} bytes extends past the end of the {imageLength}-byte image. The image is truncated or the boot catalog points to the wrong place; use a complete image.");

        var sector = new byte[(int)Math.Min(4096, regionLength)];
        ReadAt(image, regionOffset, regionLength, 0, sector);
        var boot = FatBootSector.Parse(sector, regionLength);

        // Only the entries for existing clusters are loaded, rounded up to whole sectors so that
        // changed sectors can be written back whole; the size is bounded by the validated BPB.
        long neededFatBytes = boot.Type switch
        {
            FatType.Fat12 => ((boot.ClusterCount + 2) * 3 + 1) / 2,
            FatType.Fat16 => (boot.ClusterCount + 2) * 2,
            _ => (boot.ClusterCount + 2) * 4,
        };
        long fatBytes = Math.Min(boot.FatSizeBytes, (neededFatBytes + boot.BytesPerSector - 1) / boot.BytesPerSector * boot.BytesPerSector);
        var fatData = new byte[fatBytes];
        int readFat = boot.MirroringDisabled ? boot.ActiveFat : 0;
        ReadAt(image, regionOffset, regionLength, boot.FatOffset(readFat), fatData);
        var fat = new FatTable(fatData, boot.Type, boot.MaxCluster);

        var volume = new FatVolume(image, regionOffset, regionLength, boot, fat);
        volume.FreeClusters = fat.CountFree();
        volume.LoadTree();
        return volume;
    }

    /// <summary>Every regular file, in directory order, with full paths such as <c>/EFI/BOOT/grub.cfg</c>.</summary>
    public IReadOnlyList<FatFileEntry> ListFiles() => _entries.Where(e => !e.IsDirectory).ToList();

    /// <summary>Every file and directory.</summary>
    public IReadOnlyList<FatFileEntry> ListEntries() => _entries;

    /// <summary>
    /// The file or directory at <paramref name="path"/> ('/' or '\' separators, leading slash optional),
    /// matched case-insensitively against long names and 8.3 names; null when absent.
    /// </summary>
    public FatFileEntry? Find(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
            return null;
        return _byPath.GetValueOrDefault("/" + string.Join('/', parts));
    }

    /// <summary>Reads the whole content of a file of this volume.</summary>
    public byte[] ReadFile(FatFileEntry entry)
    {
        var own = Own(entry);
        if (own.IsDirectory)
            throw new ArgumentException($"{own.Path} is a directory, not a file.", nameof(entry));
        if (own.Size == 0)
            return [];
        var chain = FileChain(own, _fat);
        var content = new byte[own.Size];
        int done = 0;
        foreach (var (first, count) in Runs(chain))
        {
            int take = (int)Math.Min((long)count * BytesPerCluster, content.Length - done);
            if (take <= 0)
                break;
            ReadRegion(_boot.ClusterOffset(first), content.AsSpan(done, take));
            done += take;
        }
        return content;
    }

    /// <summary>
    /// Plans replacing the content of <paramref name="entry"/> with <paramref name="content"/>. Nothing is
    /// written: the result lists the region writes (data clusters, every FAT copy, the directory entry,
    /// the FAT32 FSInfo sector) that make the change. The existing cluster chain is reused in place as far
    /// as it goes; a larger file gets free clusters, a smaller one frees its tail. The plan is relative to
    /// the volume as opened: to change several files, use the overload that takes them all.
    /// </summary>
    /// <param name="modified">Modification time to store; the current local time when null.</param>
    /// <exception cref="FatVolumeFullException">Too few free clusters for the new content.</exception>
    public IReadOnlyList<RegionWrite> PlanReplace(FatFileEntry entry, ReadOnlySpan<byte> content, DateTime? modified = null) =>
        PlanReplace([new FatReplacement(entry, content.ToArray())], modified);

    /// <summary>Plans replacing several files in one consistent set of writes (allocations do not collide).</summary>
    public IReadOnlyList<RegionWrite> PlanReplace(IReadOnlyList<FatReplacement> replacements, DateTime? modified = null)
    {
        ArgumentNullException.ThrowIfNull(replacements);
        var when = modified ?? DateTime.Now;
        var fat = _fat.Clone();
        int free = FreeClusters;
        uint lastAllocated = 0;
        var writes = new List<RegionWrite>();
        var seen = new HashSet<long>();

        foreach (var (requested, content) in replacements)
        {
            var entry = Own(requested);
            if (entry.IsDirectory)
                throw new ArgumentException($"{entry.Path} is a directory; only file content can be replaced.", nameof(replacements));
            if (!seen.Add(entry.DirectoryEntryOffset))
                throw new ArgumentException($"{entry.Path} is listed twice in one plan.", nameof(replacements));
            ArgumentNullException.ThrowIfNull(content);

            var oldChain = entry.Size == 0 && entry.FirstCluster == 0 ? [] : FileChain(entry, fat);
            int needed = (int)((content.LongLength + BytesPerCluster - 1) / BytesPerCluster);
            var chain = oldChain.Take(needed).ToList();

            if (needed < oldChain.Count)
            {
                if (needed > 0)
                    fat.Set(chain[^1], fat.EndOfChainMark);
                for (int i = needed; i < oldChain.Count; i++)
                    fat.Set(oldChain[i], 0);
                free += oldChain.Count - needed;
            }
            else if (needed > oldChain.Count)
            {
                int extra = needed - oldChain.Count;
                if (extra > free)
                    throw new FatVolumeFullException($"FAT: replacing {entry.Path} with {content.Length} bytes needs {extra} more clusters of {BytesPerCluster} bytes, but the {Type} volume has only {free} free. Make the content smaller, or rebuild the EFI image larger.");
                uint cursor = StartOfFreeSearch();
                for (int i = 0; i < extra; i++)
                {
                    uint cluster = NextFree(fat, ref cursor);
                    fat.Set(cluster, fat.EndOfChainMark);
                    if (chain.Count > 0)
                        fat.Set(chain[^1], cluster);
                    chain.Add(cluster);
                    lastAllocated = cluster;
                }
                free -= extra;
            }

            int written = 0;
            foreach (var (first, count) in Runs(chain))
            {
                var bytes = new byte[count * BytesPerCluster];
                int take = Math.Min(bytes.Length, content.Length - written);
                content.AsSpan(written, take).CopyTo(bytes);
                written += take;
                writes.Add(new RegionWrite(_boot.ClusterOffset(first), bytes));
            }

            writes.Add(new RegionWrite(entry.DirectoryEntryOffset, UpdatedDirectoryEntry(entry, chain.Count > 0 ? chain[0] : 0, (uint)content.Length, when)));
        }

        writes.AddRange(FatWrites(fat));
        if (FsInfoWrite(free, lastAllocated) is { } fsInfo)
            writes.Add(fsInfo);
        return writes;
    }

    private byte[] UpdatedDirectoryEntry(FatFileEntry entry, uint firstCluster, uint size, DateTime when)
    {
        var raw = new byte[FatDirectoryEntry.Size];
        ReadRegion(entry.DirectoryEntryOffset, raw);
        // Short directory entry layout (spec "Directory Structure"): DIR_Attr 11, DIR_LstAccDate 18,
        // DIR_FstClusHI 20, DIR_WrtTime 22, DIR_WrtDate 24, DIR_FstClusLO 26, DIR_FileSize 28.
        raw[11] |= 0x20; // ATTR_ARCHIVE: the file changed since the last backup
        var (date, time) = FatDirectoryEntry.Encode(when);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(18), date);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(20), Type == FatType.Fat32 ? (ushort)(firstCluster >> 16) : (ushort)0);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(22), time);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(24), date);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(26), (ushort)firstCluster);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(28), size);
        return raw;
    }

    /// <summary>Every changed FAT sector, written to every FAT copy (or only the active one when FAT32 mirroring is off).</summary>
    private IEnumerable<RegionWrite> FatWrites(FatTable fat)
    {
        int sectorSize = _boot.BytesPerSector;
        var sectors = fat.DirtyBytes.Select(b => b / sectorSize).Distinct().Order().ToList();
        var copies = _boot.MirroringDisabled ? [_boot.ActiveFat] : Enumerable.Range(0, _boot.NumberOfFats).ToArray();
        foreach (int copy in copies)
        {
            foreach (long sector in sectors)
            {
                var bytes = fat.Bytes.Slice((int)(sector * sectorSize), sectorSize).ToArray();
                yield return new RegionWrite(_boot.FatOffset(copy) + sector * sectorSize, bytes);
            }
        }
    }

    /// <summary>The FAT32 FSInfo sector with the new free count and next-free hint (spec "FAT32 FSInfo Sector Structure"), when the volume has a valid one.</summary>
    private RegionWrite? FsInfoWrite(int free, uint lastAllocated)
    {
        if (Type != FatType.Fat32 || _boot.FsInfoSector == 0)
            return null;
        var sector = new byte[_boot.BytesPerSector];
        long offset = (long)_boot.FsInfoSector * _boot.BytesPerSector;
        ReadRegion(offset, sector);
        if (!HasFsInfoSignatures(sector))
            return null;
        BinaryPrimitives.WriteUInt32LittleEndian(sector.AsSpan(488), (uint)free);
        if (lastAllocated != 0)
            BinaryPrimitives.WriteUInt32LittleEndian(sector.AsSpan(492), lastAllocated);
        return new RegionWrite(offset, sector);
    }

    private static bool HasFsInfoSignatures(ReadOnlySpan<byte> sector) =>
        BinaryPrimitives.ReadUInt32LittleEndian(sector) == 0x41615252            // FSI_LeadSig
        && BinaryPrimitives.ReadUInt32LittleEndian(sector[484..]) == 0x61417272   // FSI_StrucSig
        && BinaryPrimitives.ReadUInt32LittleEndian(sector[508..]) == 0xAA550000;  // FSI_TrailSig

    /// <summary>Where to look for free clusters: the FSInfo hint on FAT32 when it is valid, else cluster 2.</summary>
    private uint StartOfFreeSearch()
    {
        if (Type == FatType.Fat32 && _boot.FsInfoSector != 0)
        {
            var sector = new byte[_boot.BytesPerSector];
            ReadRegion((long)_boot.FsInfoSector * _boot.BytesPerSector, sector);
            if (HasFsInfoSignatures(sector))
            {
                uint hint = BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(492));
                if (hint >= 2 && hint <= _boot.MaxCluster)
                    return hint;
            }
        }
        return 2;
    }

    private uint NextFree(FatTable fat, ref uint cursor)
    {
        // Wraps around once; the caller checked that enough clusters are free.
        for (long step = 0; step < _boot.ClusterCount; step++)
        {
            uint cluster = cursor;
            cursor = cursor >= _boot.MaxCluster ? 2 : cursor + 1;
            if (fat.IsFree(cluster))
                return cluster;
        }
        throw new FatVolumeFullException($"FAT: no free cluster left on the {Type} volume. Make the content smaller, or rebuild the EFI image larger.");
    }

    private List<uint> FileChain(FatFileEntry entry, FatTable fat)
    {
        if (entry.FirstCluster == 0)
            throw new IsoFormatException($"FAT: {entry.Path} has {entry.Size} bytes but no first cluster. The FAT image is corrupt; run fsck.fat on it or use the original ISO.");
        var chain = fat.Chain(entry.FirstCluster, _boot.ClusterCount, entry.Path);
        if ((long)chain.Count * BytesPerCluster < entry.Size)
            throw new IsoFormatException($"FAT: {entry.Path} claims {entry.Size} bytes but its cluster chain holds only {chain.Count} clusters of {BytesPerCluster} bytes. The FAT image is corrupt; run fsck.fat on it or use the original ISO.");
        return chain;
    }

    /// <summary>Consecutive clusters grouped into (first, count) runs so that contiguous files read and write in one piece.</summary>
    private static IEnumerable<(uint First, int Count)> Runs(IReadOnlyList<uint> chain)
    {
        int i = 0;
        while (i < chain.Count)
        {
            int count = 1;
            while (i + count < chain.Count && chain[i + count] == chain[i] + (uint)count)
                count++;
            yield return (chain[i], count);
            i += count;
        }
    }

    private FatFileEntry Own(FatFileEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!_byEntryOffset.TryGetValue(entry.DirectoryEntryOffset, out var own) || own != entry)
            throw new ArgumentException($"{entry.Path} is not an entry of this FAT volume as opened; take entries from ListFiles or Find of the same FatVolume.", nameof(entry));
        return own;
    }

    /// <summary>Clusters that belong to a directory or file already seen: a second claim is a cross-link.</summary>
    private System.Collections.BitArray? _claimed;

    private void LoadTree()
    {
        _claimed = new System.Collections.BitArray((int)_boot.MaxCluster + 1);
        var visited = new HashSet<uint>();
        if (Type == FatType.Fat32)
        {
            visited.Add(_boot.RootCluster);
            WalkDirectory("", DirectoryClusters(_boot.RootCluster, "the root directory"), 0, visited);
        }
        else
        {
            WalkDirectory("", FixedRootDirectory(), 0, visited);
        }

        // Every file's chain is checked now (in range, no loop, long enough, shared with nothing),
        // so that freeing or reusing a chain later can never damage another file.
        foreach (var file in _entries.Where(e => !e.IsDirectory && (e.Size > 0 || e.FirstCluster != 0)))
            Claim(FileChain(file, _fat), file.Path);
        _claimed = null;
    }

    private void Claim(List<uint> chain, string owner)
    {
        if (_claimed is null)
            return;
        foreach (uint cluster in chain)
        {
            if (_claimed[(int)cluster])
                throw new IsoFormatException($"FAT: cluster {cluster} of {owner} also belongs to another file or directory (cross-linked chains). The FAT image is corrupt; run fsck.fat on it or use the original ISO.");
            _claimed[(int)cluster] = true;
        }
    }

    /// <summary>Directory content and the region offset of each 32-byte slot.</summary>
    private sealed record DirectoryData(byte[] Bytes, Func<int, long> SlotOffset);

    private DirectoryData FixedRootDirectory()
    {
        var bytes = new byte[_boot.RootDirectoryBytes];
        ReadRegion(_boot.RootDirectoryOffset, bytes);
        long start = _boot.RootDirectoryOffset;
        return new DirectoryData(bytes, slot => start + (long)slot * FatDirectoryEntry.Size);
    }

    private DirectoryData DirectoryClusters(uint first, string owner)
    {
        long maxClusters = Math.Max(1, MaxDirectoryBytes / BytesPerCluster);
        var chain = _fat.Chain(first, maxClusters, owner);
        Claim(chain, owner);
        var bytes = new byte[(long)chain.Count * BytesPerCluster];
        int position = 0;
        foreach (var (run, count) in Runs(chain))
        {
            ReadRegion(_boot.ClusterOffset(run), bytes.AsSpan(position, count * BytesPerCluster));
            position += count * BytesPerCluster;
        }
        int slotsPerCluster = BytesPerCluster / FatDirectoryEntry.Size;
        return new DirectoryData(bytes, slot => _boot.ClusterOffset(chain[slot / slotsPerCluster]) + (long)(slot % slotsPerCluster) * FatDirectoryEntry.Size);
    }

    private void WalkDirectory(string path, DirectoryData directory, int depth, HashSet<uint> visited)
    {
        if (depth > MaxDirectoryDepth)
            throw new IsoFormatException($"FAT: directories nest deeper than {MaxDirectoryDepth} levels at {path}. The FAT image is corrupt or hostile; use the original ISO.");

        var longName = new LongNameAssembler();
        int slots = directory.Bytes.Length / FatDirectoryEntry.Size;
        for (int slot = 0; slot < slots; slot++)
        {
            var raw = directory.Bytes.AsSpan(slot * FatDirectoryEntry.Size, FatDirectoryEntry.Size);
            if (raw[0] == 0x00)
                break; // DIR_Name[0] == 0: this and every later slot are free
            if (raw[0] == 0xE5)
            {
                longName.Reset();
                continue; // deleted
            }
            byte attributes = raw[11];
            if ((attributes & 0x3F) == FatDirectoryEntry.AttrLongName)
            {
                longName.Add(raw);
                continue;
            }
            if ((attributes & FatDirectoryEntry.AttrVolumeId) != 0 || raw[0] == (byte)'.')
            {
                longName.Reset();
                continue; // volume label, "." and ".."
            }

            string shortName = FatDirectoryEntry.ShortName(raw, applyCase: false);
            string name = longName.Complete(FatDirectoryEntry.ShortNameChecksum(raw)) ?? FatDirectoryEntry.ShortName(raw, applyCase: true);
            longName.Reset();
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Any(char.IsControl))
                throw new IsoFormatException($"FAT: directory {(path.Length == 0 ? "/" : path)} holds an entry with an invalid name \"{shortName}\" at byte {directory.SlotOffset(slot)}. The FAT image is corrupt; run fsck.fat on it or use the original ISO.");

            bool isDirectory = (attributes & FatDirectoryEntry.AttrDirectory) != 0;
            uint firstCluster = FatDirectoryEntry.FirstCluster(raw, Type);
            uint size = isDirectory ? 0 : BinaryPrimitives.ReadUInt32LittleEndian(raw[28..]);
            string fullPath = path + "/" + name;
            var entry = new FatFileEntry(fullPath, shortName, isDirectory, firstCluster, size, directory.SlotOffset(slot), FatDirectoryEntry.WriteTime(raw));
            if (firstCluster == 1 || firstCluster > _boot.MaxCluster)
                throw new IsoFormatException($"FAT: {fullPath} starts at cluster {firstCluster}, outside the valid clusters 2..{_boot.MaxCluster}. The FAT image is corrupt; run fsck.fat on it or use the original ISO.");
            if (!isDirectory && size > 0 && (long)size > (long)_boot.ClusterCount * BytesPerCluster)
                throw new IsoFormatException($"FAT: {fullPath} claims {size} bytes, more than the whole data area ({_boot.ClusterCount * BytesPerCluster} bytes). The FAT image is corrupt; use the original ISO.");

            _entries.Add(entry);
            _byEntryOffset[entry.DirectoryEntryOffset] = entry;
            _byPath.TryAdd(fullPath, entry);
            string shortPath = ShortPathOf(path) + "/" + shortName;
            _byPath.TryAdd(shortPath, entry);
            _shortPaths[fullPath] = shortPath;

            if (isDirectory)
            {
                if (firstCluster < 2)
                    throw new IsoFormatException($"FAT: directory {fullPath} has no first cluster. The FAT image is corrupt; run fsck.fat on it or use the original ISO.");
                if (!visited.Add(firstCluster))
                    throw new IsoFormatException($"FAT: directory {fullPath} points to cluster {firstCluster}, which already belongs to another directory (a cycle or cross-link). The FAT image is corrupt or hostile; use the original ISO.");
                WalkDirectory(fullPath, DirectoryClusters(firstCluster, fullPath), depth + 1, visited);
            }
        }
    }

    private readonly Dictionary<string, string> _shortPaths = new(StringComparer.Ordinal);

    private string ShortPathOf(string longPath) => longPath.Length == 0 ? "" : _shortPaths[longPath];

    private void ReadRegion(long offset, Span<byte> into) => ReadAt(_stream, _regionOffset, _regionLength, offset, into);

    private static void ReadAt(Stream stream, long regionOffset, long regionLength, long offset, Span<byte> into)
    {
        if (offset < 0 || offset > regionLength || into.Length > regionLength - offset)
            throw new IsoFormatException($"FAT: a read of {into.Length} bytes at byte {offset} falls outside the {regionLength}-byte region. The FAT image is corrupt or truncated; use the original ISO.");
        stream.Position = regionOffset + offset;
        try
        {
            stream.ReadExactly(into);
        }
        catch (EndOfStreamException e)
        {
            throw new IsoFormatException($"FAT: the image ends before byte {regionOffset + offset + into.Length}. The image is truncated; use a complete image.", e);
        }
    }

    /// <summary>Collects the long-name slots before a short entry (spec "Long File Name Implementation"): ordinals count down to 1, all carry the short name's checksum.</summary>
    private sealed class LongNameAssembler
    {
        private readonly char[] _chars = new char[20 * 13];
        private int _expected;    // next ordinal we expect, 0 when nothing is pending
        private int _count;       // number of slots of the name
        private byte _checksum;
        private bool _valid;

        public void Reset()
        {
            _expected = 0;
            _valid = false;
        }

        public void Add(ReadOnlySpan<byte> raw)
        {
            int ordinal = raw[0] & 0x1F;
            bool last = (raw[0] & 0x40) != 0;
            if (last)
            {
                if (ordinal is 0 or > 20)
                {
                    Reset();
                    return;
                }
                _count = ordinal;
                _checksum = raw[13];
                _valid = true;
                _expected = ordinal;
            }
            if (!_valid || ordinal != _expected || raw[13] != _checksum)
            {
                Reset();
                return;
            }
            FatDirectoryEntry.LongNamePart(raw, _chars.AsSpan((ordinal - 1) * 13, 13));
            _expected--;
        }

        /// <summary>The long name when a whole, matching sequence precedes the short entry; null otherwise (the 8.3 name is used).</summary>
        public string? Complete(byte shortNameChecksum)
        {
            if (!_valid || _expected != 0 || _checksum != shortNameChecksum)
                return null;
            var span = _chars.AsSpan(0, _count * 13);
            int end = span.IndexOf('\0');
            string name = new(end >= 0 ? span[..end] : span);
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Any(char.IsControl) || name is "." or "..")
                return null;
            return name;
        }
    }
}

/// <summary>One file of a multi-file <see cref="FatVolume.PlanReplace(IReadOnlyList{FatReplacement}, DateTime?)"/>.</summary>
public sealed record FatReplacement(FatFileEntry Entry, byte[] Content);
