using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Ironic.Core.Iso;

/// <summary>
/// Adds files and directories to every tree of an image (ISO 9660 with Rock Ridge names, Joliet,
/// a second descriptor set): directory extents are rewritten with the new record in order, in
/// place while they fit their sectors, else moved to the end (parent record, ".", children's ".."
/// and the root record in the descriptor follow); path tables L and M are rebuilt.
/// </summary>
internal sealed class IsoDirectoryWriter(IsoEditor editor)
{
    private const int Sector = IsoSource.SectorSize;
    private readonly Dictionary<(IsoVolumeDescriptor Volume, long Sector), Directory> _directories = [];
    private readonly HashSet<IsoVolumeDescriptor> _pathTablesDirty = [];

    private IsoImage Image => editor.Image;

    /// <summary>A directory of one tree as raw records, loaded from the current state of the image.</summary>
    private sealed class Directory
    {
        public required IsoVolumeDescriptor Volume { get; init; }
        public required long Key { get; init; }
        public required string Path { get; init; }
        public long Sector { get; set; }
        public long AllocatedSectors { get; set; }
        public required List<byte[]> Records { get; init; }
        public Directory? Parent { get; init; }
        public List<Directory> NewChildren { get; } = [];
        public bool Dirty { get; set; }
        public bool IsNew { get; init; }
    }

    public void AddFile(string path, ReadOnlySpan<byte> content)
    {
        var normalized = IsoImage.NormalizePath(path);
        var slash = normalized.LastIndexOf('/');
        var parentPath = slash == 0 ? "/" : normalized[..slash];
        var name = normalized[(slash + 1)..];
        ValidateName(name, normalized);
        var sector = content.Length == 0 ? 0 : editor.Append(content);
        foreach (var volume in Image.Volumes)
        {
            var parent = EnsureDirectory(volume, parentPath);
            if (Lookup(parent, name) is not null) throw new IsoFormatException($"Cannot add '{normalized}': it already exists in the {volume.Kind} tree.");
            Insert(parent, BuildRecord(parent, name, sector - volume.BaseSector < 0 ? 0 : sector - volume.BaseSector, (uint)content.Length, isDirectory: false, self: null));
        }
    }

    /// <summary>Writes every changed directory and path table into the editor.</summary>
    public void Flush()
    {
        var dirty = _directories.Values.Where(d => d.Dirty).ToList();
        // 1. Place: a directory that outgrew its sectors (or is new) gets fresh sectors at the end.
        foreach (var d in dirty)
        {
            var needed = Layout(d.Records).Length / Sector;
            if (d.IsNew || needed > d.AllocatedSectors)
            {
                var old = d.Sector;
                d.Sector = editor.Append(new byte[needed * Sector]);
                d.AllocatedSectors = needed;
                if (!d.IsNew) Moved(d, old);
            }
        }
        // 2. Point at the places: own "." and "..", the record in the parent, the children's "..".
        foreach (var d in _directories.Values.ToList())
        {
            var relative = (uint)(d.Sector - d.Volume.BaseSector);
            var length = (uint)(Layout(d.Records).Length);
            SetExtent(d.Records[0], relative, length);
            if (d.Parent is null) SetExtent(d.Records[1], relative, length);
            else
            {
                SetExtent(d.Records[1], (uint)(d.Parent.Sector - d.Volume.BaseSector), (uint)Layout(d.Parent.Records).Length);
                var own = d.Parent.Records.FindIndex(r => r.Length > 33 && ExtentOf(r) == (uint)(d.Key - d.Volume.BaseSector) && IsDirectoryRecord(r));
                if (own >= 0 && d.Dirty)
                {
                    SetExtent(d.Parent.Records[own], relative, length);
                    d.Parent.Dirty = true;
                }
            }
        }
        foreach (var d in _directories.Values.Where(d => d.Dirty))
        {
            var data = Layout(d.Records);
            editor.WriteBytes(d.Sector * Sector, data);
            if (d.Parent is null)
            {
                // ECMA-119 8.4.18: the root record inside the volume descriptor.
                var root = new byte[34];
                d.Records[0].AsSpan(0, 34).CopyTo(root);
                root[0] = 34;
                editor.WriteBytes(d.Volume.DescriptorSector * Sector + 156, root);
            }
        }
        foreach (var volume in _pathTablesDirty) RebuildPathTables(volume);
    }

    private readonly Dictionary<IsoVolumeDescriptor, List<(long OldSector, Directory Directory)>> _moves = [];

    private void Moved(Directory d, long oldSector)
    {
        _pathTablesDirty.Add(d.Volume);
        if (!_moves.TryGetValue(d.Volume, out var list)) _moves[d.Volume] = list = [];
        list.Add((oldSector, d));
        // Children's ".." records point at the old place: load them so step 2 rewrites them.
        foreach (var record in d.Records.Skip(2).Where(IsDirectoryRecord))
        {
            if (d.NewChildren.Any(c => (uint)(c.Key - c.Volume.BaseSector) == ExtentOf(record))) continue;
            var child = LoadDirectory(d.Volume, d.Volume.BaseSector + ExtentOf(record), d.Path + "/" + DisplayName(d.Volume, record), d);
            child.Dirty = true;
        }
    }

    private Directory EnsureDirectory(IsoVolumeDescriptor volume, string path)
    {
        var root = LoadDirectory(volume, RootSector(volume), "", null);
        if (path == "/") return root;
        var current = root;
        foreach (var part in path.Trim('/').Split('/'))
        {
            var record = Lookup(current, part);
            if (record is not null)
            {
                if (!IsDirectoryRecord(record)) throw new IsoFormatException($"Cannot add under '{path}': '{part}' is a file in the {volume.Kind} tree.");
                current = LoadDirectory(volume, volume.BaseSector + ExtentOf(record), current.Path + "/" + part, current);
                continue;
            }
            var created = current.NewChildren.FirstOrDefault(c => string.Equals(c.Path, current.Path + "/" + part, StringComparison.OrdinalIgnoreCase));
            if (created is null)
            {
                ValidateName(part, path);
                created = NewDirectory(current, part);
            }
            current = created;
        }
        return current;
    }

    private Directory NewDirectory(Directory parent, string name)
    {
        var volume = parent.Volume;
        // A placeholder key (negative) until Flush gives it sectors; the parent's record is patched then.
        var key = -1 - _directories.Count;
        var dot = BuildRecord(parent, "\0", 0, Sector, isDirectory: true, self: true);
        var dotdot = BuildRecord(parent, "\u0001", 0, 0, isDirectory: true, self: true);
        var d = new Directory { Volume = volume, Key = key + volume.BaseSector, Path = parent.Path + "/" + name, Sector = 0, AllocatedSectors = 0, Records = [dot, dotdot], Parent = parent, Dirty = true, IsNew = true };
        _directories[(volume, key)] = d;
        parent.NewChildren.Add(d);
        var record = BuildRecord(parent, name, (uint)key, Sector, isDirectory: true, self: null);
        Insert(parent, record);
        _pathTablesDirty.Add(volume);
        return d;
    }

    private Directory LoadDirectory(IsoVolumeDescriptor volume, long sector, string path, Directory? parent)
    {
        if (_directories.TryGetValue((volume, sector), out var known)) return known;
        var first = editor.ReadBytes(sector * Sector, Sector);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(first.AsSpan(10));
        if (first[0] < 34 || length == 0 || length > IsoSource.MaxStructureBytes)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"The directory at sector {sector} does not start with a valid '.' record; cannot add files to it."));
        }
        var data = editor.ReadBytes(sector * Sector, (int)length);
        var records = new List<byte[]>();
        for (var pos = 0; pos < data.Length;)
        {
            var len = data[pos];
            if (len == 0) { pos = (pos / Sector + 1) * Sector; continue; }
            records.Add(data.AsSpan(pos, len).ToArray());
            pos += len;
        }
        var d = new Directory { Volume = volume, Key = sector, Path = path, Sector = sector, AllocatedSectors = (length + Sector - 1) / Sector, Records = records, Parent = parent };
        _directories[(volume, sector)] = d;
        return d;
    }

    private long RootSector(IsoVolumeDescriptor volume)
    {
        var d = editor.ReadBytes(volume.DescriptorSector * Sector + 156, 34);
        return volume.BaseSector + BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(2));
    }

    private byte[]? Lookup(Directory d, string name) =>
        d.Records.Skip(2).FirstOrDefault(r => string.Equals(DisplayName(d.Volume, r), name, d.Volume.Kind == IsoTreeKind.Primary && !d.Volume.RockRidge ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));

    private string DisplayName(IsoVolumeDescriptor volume, byte[] record)
    {
        var nameLen = record[32];
        var id = record.AsSpan(33, nameLen);
        if (volume.RockRidge)
        {
            var su = 33 + nameLen + ((nameLen & 1) == 0 ? 1 : 0) + SuspSkip(volume);
            if (su < record.Length)
            {
                var rr = RockRidgeEntries.Parse(Image.Source, record[su..], -1);
                if (rr.Name is { Length: > 0 }) return rr.Name;
            }
        }
        var name = volume.Kind == IsoTreeKind.Joliet ? Encoding.BigEndianUnicode.GetString(id[..(nameLen & ~1)]) : Encoding.ASCII.GetString(id);
        var semi = name.IndexOf(';', StringComparison.Ordinal);
        if (semi >= 0) name = name[..semi];
        return name.EndsWith('.') ? name[..^1] : name;
    }

    private int SuspSkip(IsoVolumeDescriptor volume)
    {
        var root = LoadDirectory(volume, RootSector(volume), "", null);
        var dot = root.Records[0];
        var nameLen = dot[32];
        var su = 33 + nameLen + ((nameLen & 1) == 0 ? 1 : 0);
        return su + 7 <= dot.Length && dot[su] == 'S' && dot[su + 1] == 'P' ? dot[su + 6] : 0;
    }

    private void Insert(Directory d, byte[] record)
    {
        var id = Identifier(record);
        var index = 2;
        while (index < d.Records.Count && CompareIdentifiers(Identifier(d.Records[index]), id) < 0) index++;
        d.Records.Insert(index, record);
        d.Dirty = true;
    }

    private static int CompareIdentifiers(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => a.SequenceCompareTo(b);

    private static ReadOnlySpan<byte> Identifier(byte[] record) => record.AsSpan(33, record[32]);

    private static bool IsDirectoryRecord(byte[] record) => (record[25] & 0x02) != 0;

    private static uint ExtentOf(byte[] record) => BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(2));

    private static void SetExtent(byte[] record, uint sector, uint length)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(2), sector);
        BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(6), sector);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(10), length);
        BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(14), length);
    }

    /// <summary>Builds a directory record (ECMA-119 9.1) with the tree's name form and, for Rock Ridge trees, PX and NM entries.</summary>
    private byte[] BuildRecord(Directory parent, string name, long relativeSector, uint length, bool isDirectory, bool? self)
    {
        var volume = parent.Volume;
        byte[] id;
        if (self is true) id = [(byte)name[0]];
        else if (volume.Kind == IsoTreeKind.Joliet) id = Encoding.BigEndianUnicode.GetBytes(isDirectory || !JolietVersions(parent) ? Truncate(name, 64) : Truncate(name, 62) + ";1");
        else id = Encoding.ASCII.GetBytes(UniqueIsoName(parent, name, isDirectory));
        var su = new List<byte>();
        if (volume.RockRidge)
        {
            for (var i = 0; i < SuspSkip(volume); i++) su.Add(0);
            // RRIP 4.1.1 PX (RRIP 1.10 form): mode, links, uid, gid, each both-endian.
            var px = new byte[36];
            "PX"u8.CopyTo(px);
            px[2] = 36;
            px[3] = 1;
            BothEndian(px.AsSpan(4), isDirectory ? 0x416Du : 0x8124u); // 040555 / 0100444
            BothEndian(px.AsSpan(12), isDirectory ? 2u : 1u);
            su.AddRange(px);
            if (self is not true)
            {
                var nm = Encoding.UTF8.GetBytes(name);
                if (nm.Length > 200) throw new IsoFormatException($"The name '{name}' is too long for one Rock Ridge NM entry.");
                su.AddRange([(byte)'N', (byte)'M', (byte)(5 + nm.Length), 1, 0]);
                su.AddRange(nm);
            }
        }
        var pad = (id.Length & 1) == 0 ? 1 : 0;
        var total = 33 + id.Length + pad + su.Count;
        if ((total & 1) == 1) total++;
        if (total > 255) throw new IsoFormatException($"The name '{name}' makes a directory record longer than 255 bytes; use a shorter name.");
        var r = new byte[total];
        r[0] = (byte)total;
        SetExtent(r, (uint)relativeSector, length);
        // ECMA-119 9.1.5 recording date: the parent's own, so that the same edit gives the same bytes.
        parent.Records[0].AsSpan(18, 7).CopyTo(r.AsSpan(18));
        r[25] = (byte)(isDirectory ? 0x02 : 0x00);
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(28), 1);
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(30), 1);
        r[32] = (byte)id.Length;
        id.CopyTo(r, 33);
        su.ToArray().CopyTo(r, 33 + id.Length + pad);
        return r;
    }

    /// <summary>A name as ISO 9660 spells it: upper case, A-Z 0-9 and '_', split at the last dot into stem and extension (a directory has none).</summary>
    internal static (string Stem, string Extension) MangledName(string name, bool isDirectory)
    {
        var upper = new string(name.ToUpperInvariant().Select(c => c is >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '.' ? c : '_').ToArray());
        var dot = upper.LastIndexOf('.');
        return isDirectory || dot < 0 ? (upper.Replace('.', '_'), "") : (upper[..dot].Replace('.', '_'), upper[(dot + 1)..]);
    }

    private string UniqueIsoName(Directory parent, string name, bool isDirectory)
    {
        // Long names only where the tree already has them (levels 2-3); 8.3 is valid everywhere.
        var longNames = parent.Records.Skip(2).Any(r => Encoding.ASCII.GetString(Identifier(r)).Split(';')[0].Split('.')[0].Length > 8);
        var (stem, ext) = MangledName(name, isDirectory);
        var stemMax = longNames ? 30 - Math.Min(ext.Length, 3) - 1 : 8;
        const int extMax = 3;
        stem = Truncate(stem.Length == 0 ? "_" : stem, stemMax);
        ext = Truncate(ext, extMax);
        for (var n = 0; ; n++)
        {
            var s = n == 0 ? stem : Truncate(stem, stemMax - 1 - n.ToString(CultureInfo.InvariantCulture).Length) + "~" + n.ToString(CultureInfo.InvariantCulture);
            var candidate = isDirectory ? s : s + "." + ext + ";1";
            if (!parent.Records.Skip(2).Any(r => Identifier(r).SequenceEqual(Encoding.ASCII.GetBytes(candidate)))) return candidate;
        }
    }

    /// <summary>Whether this Joliet tree writes ";1" after file names (mkisofs does, libisofs does not): follow the tree.</summary>
    private bool JolietVersions(Directory parent)
    {
        var file = Image.EntriesOf(parent.Volume).FirstOrDefault(e => !e.IsDirectory);
        if (file is null) return true;
        var head = editor.ReadBytes(file.Extents[0].RecordOffset, 34);
        var record = editor.ReadBytes(file.Extents[0].RecordOffset, head[0]);
        return Encoding.BigEndianUnicode.GetString(Identifier(record)).Contains(';', StringComparison.Ordinal);
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    private static void ValidateName(string name, string path)
    {
        if (name.Length == 0 || name is "." or ".." || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new IsoFormatException($"'{path}' is not a valid path to add to an ISO.");
        }
    }

    private static void BothEndian(Span<byte> at, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(at, value);
        BinaryPrimitives.WriteUInt32BigEndian(at[4..], value);
    }

    private static byte[] Layout(List<byte[]> records)
    {
        var sectors = new List<byte[]> { new byte[Sector] };
        var pos = 0;
        foreach (var r in records)
        {
            // ECMA-119 6.8.1.1: a record never crosses a sector boundary.
            if (pos + r.Length > Sector) { sectors.Add(new byte[Sector]); pos = 0; }
            r.CopyTo(sectors[^1], pos);
            pos += r.Length;
        }
        return sectors.SelectMany(s => s).ToArray();
    }

    /// <summary>Rebuilds the L and M path tables of a tree (ECMA-119 9.4, ordered by level, parent number, identifier).</summary>
    private void RebuildPathTables(IsoVolumeDescriptor volume)
    {
        var descriptor = editor.ReadBytes(volume.DescriptorSector * Sector, Sector);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(descriptor.AsSpan(132));
        var lSector = volume.BaseSector + BinaryPrimitives.ReadUInt32LittleEndian(descriptor.AsSpan(140));
        var mSector = volume.BaseSector + BinaryPrimitives.ReadUInt32BigEndian(descriptor.AsSpan(148));
        if (size > IsoSource.MaxStructureBytes) throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"The path table of the {volume.Kind} tree claims {size} bytes."));
        var table = editor.ReadBytes(lSector * Sector, (int)size);
        var nodes = new List<(byte[] Id, long Sector, int Parent)>();
        for (var pos = 0; pos + 8 <= table.Length;)
        {
            var len = table[pos];
            if (len == 0) break;
            var location = BinaryPrimitives.ReadUInt32LittleEndian(table.AsSpan(pos + 2)) + volume.BaseSector;
            var parent = BinaryPrimitives.ReadUInt16LittleEndian(table.AsSpan(pos + 6));
            nodes.Add((table.AsSpan(pos + 8, len).ToArray(), location, parent - 1));
            pos += 8 + len + (len & 1);
        }
        if (_moves.TryGetValue(volume, out var moves))
        {
            for (var i = 0; i < nodes.Count; i++)
            {
                foreach (var (old, d) in moves) if (nodes[i].Sector == old) nodes[i] = nodes[i] with { Sector = d.Sector };
            }
        }
        foreach (var d in _directories.Values.Where(d => d.Volume == volume && d.IsNew).OrderBy(d => d.Path.Count(c => c == '/')))
        {
            var parentIndex = nodes.FindIndex(n => n.Sector == d.Parent!.Sector);
            var record = d.Parent!.Records.First(r => IsDirectoryRecord(r) && r[32] > 1 && ExtentOf(r) == (uint)(d.Sector - volume.BaseSector));
            nodes.Add((Identifier(record).ToArray(), d.Sector, parentIndex));
        }
        // Order: level, then parent's new number, then identifier; the root (its own parent) first.
        var level = new int[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            var (n, steps) = (i, 0);
            while (n > 0 && nodes[n].Parent != n && steps < 256) { n = nodes[n].Parent; steps++; }
            level[i] = steps;
        }
        var order = new List<int> { 0 };
        var number = new int[nodes.Count];
        number[0] = 1;
        for (var l = 1; l <= level.DefaultIfEmpty(0).Max(); l++)
        {
            var atLevel = Enumerable.Range(1, nodes.Count - 1).Where(i => level[i] == l)
                .OrderBy(i => number[nodes[i].Parent]).ThenBy(i => nodes[i].Id, Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))).ToList();
            foreach (var i in atLevel) { order.Add(i); number[i] = order.Count; }
        }
        using var l16 = new MemoryStream();
        using var m16 = new MemoryStream();
        foreach (var i in order)
        {
            var (id, sector, parent) = nodes[i];
            var e = new byte[8 + id.Length + (id.Length & 1)];
            e[0] = (byte)id.Length;
            id.CopyTo(e, 8);
            var parentNumber = (ushort)(i == 0 ? 1 : number[parent]);
            BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(2), (uint)(sector - volume.BaseSector));
            BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(6), parentNumber);
            l16.Write(e);
            BinaryPrimitives.WriteUInt32BigEndian(e.AsSpan(2), (uint)(sector - volume.BaseSector));
            BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(6), parentNumber);
            m16.Write(e);
        }
        var newSize = (uint)l16.Length;
        var allocated = (size + Sector - 1) / Sector;
        if ((newSize + Sector - 1) / Sector > allocated)
        {
            lSector = editor.Append(l16.ToArray());
            mSector = editor.Append(m16.ToArray());
            descriptor = editor.ReadBytes(volume.DescriptorSector * Sector, Sector);
            BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(140), (uint)(lSector - volume.BaseSector));
            BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(144), 0);
            BinaryPrimitives.WriteUInt32BigEndian(descriptor.AsSpan(148), (uint)(mSector - volume.BaseSector));
            BinaryPrimitives.WriteUInt32BigEndian(descriptor.AsSpan(152), 0);
        }
        else
        {
            var lPadded = new byte[allocated * Sector];
            var mPadded = new byte[allocated * Sector];
            l16.ToArray().CopyTo(lPadded, 0);
            m16.ToArray().CopyTo(mPadded, 0);
            editor.WriteBytes(lSector * Sector, lPadded);
            editor.WriteBytes(mSector * Sector, mPadded);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(132), newSize);
        BinaryPrimitives.WriteUInt32BigEndian(descriptor.AsSpan(136), newSize);
        editor.WriteBytes(volume.DescriptorSector * Sector, descriptor);
    }
}
