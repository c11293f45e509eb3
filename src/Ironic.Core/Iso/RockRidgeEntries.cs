using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Ironic.Core.Iso;

/// <summary>
/// The Rock Ridge (RRIP 1.09/1.12) entries of one directory record, read through SUSP
/// (IEEE P1281) including CE continuation areas. Continuations are bounded in number and
/// refused when they repeat, so a hostile loop ends in an exception.
/// </summary>
internal sealed record RockRidgeEntries(string? Name, uint? Mode, string? SymlinkTarget, DateTimeOffset? Modified, uint? ChildLink, bool Relocated)
{
    private const int MaxContinuations = 16;

    public static RockRidgeEntries Parse(IsoSource source, byte[] systemUse, long recordOffset)
    {
        StringBuilder? name = null;
        StringBuilder? link = null;
        uint? mode = null;
        uint? childLink = null;
        DateTimeOffset? modified = null;
        var relocated = false;
        var area = systemUse;
        var areaOffset = recordOffset;
        var seen = new HashSet<(long, int)>();
        for (var hop = 0; ; hop++)
        {
            (long Sector, int Offset, int Length)? next = null;
            var pos = 0;
            while (pos + 4 <= area.Length)
            {
                var sig0 = area[pos];
                var sig1 = area[pos + 1];
                var len = area[pos + 2];
                if (len < 4 || pos + len > area.Length)
                {
                    if (sig0 == 0) break; // padding
                    throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                        $"Rock Ridge entry '{(char)sig0}{(char)sig1}' near byte {areaOffset + pos} has length {len}, which overruns its system use area; the image is damaged."));
                }
                var e = area.AsSpan(pos, len);
                switch ((char)sig0, (char)sig1)
                {
                    case ('C', 'E') when len >= 28: // SUSP 5.1: block, offset, length (both-endian)
                        next = (BinaryPrimitives.ReadUInt32LittleEndian(e[4..]), (int)BinaryPrimitives.ReadUInt32LittleEndian(e[12..]), (int)BinaryPrimitives.ReadUInt32LittleEndian(e[20..]));
                        break;
                    case ('N', 'M') when len >= 5: // RRIP 4.1.4: flags, name part (bit 0: continues)
                        if ((e[4] & 0x06) == 0) (name ??= new StringBuilder()).Append(Encoding.UTF8.GetString(e[5..]));
                        break;
                    case ('P', 'X') when len >= 12: // RRIP 4.1.1: file mode
                        mode = BinaryPrimitives.ReadUInt32LittleEndian(e[4..]);
                        break;
                    case ('S', 'L') when len >= 5: // RRIP 4.1.3: component records
                        link ??= new StringBuilder();
                        ReadSymlink(e[5..], link);
                        break;
                    case ('T', 'F') when len >= 5: // RRIP 4.1.6: flags then 7-byte (or 17-byte) stamps; bit 1 = modify
                        modified = ReadModified(e);
                        break;
                    case ('C', 'L') when len >= 12: // RRIP 4.1.5.1: child link to a relocated directory
                        childLink = BinaryPrimitives.ReadUInt32LittleEndian(e[4..]);
                        break;
                    case ('R', 'E'):
                        relocated = true;
                        break;
                    case ('S', 'T'): // SUSP 5.4: terminator
                        pos = area.Length;
                        continue;
                }
                pos += len;
            }
            if (next is not { } ce) break;
            if (hop >= MaxContinuations || !seen.Add((ce.Sector, ce.Offset)))
            {
                throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"The Rock Ridge continuation chain of the directory record at byte {recordOffset} loops or exceeds {MaxContinuations} areas (at sector {ce.Sector}); the image is damaged or hostile."));
            }
            if (ce.Length is < 0 or > IsoSource.SectorSize * 4 || ce.Offset is < 0 or >= IsoSource.SectorSize)
            {
                throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"The Rock Ridge continuation area of the record at byte {recordOffset} claims offset {ce.Offset} and length {ce.Length}; the image is damaged."));
            }
            areaOffset = ce.Sector * IsoSource.SectorSize + ce.Offset;
            area = source.Read(areaOffset, ce.Length, "Rock Ridge continuation area");
        }
        return new RockRidgeEntries(name?.ToString(), mode, link?.ToString(), modified, childLink, relocated);
    }

    private static void ReadSymlink(ReadOnlySpan<byte> components, StringBuilder link)
    {
        var pos = 0;
        while (pos + 2 <= components.Length)
        {
            var flags = components[pos];
            var len = components[pos + 1];
            if (pos + 2 + len > components.Length) break;
            var part = (flags & 0x02) != 0 ? "." : (flags & 0x04) != 0 ? ".." : (flags & 0x08) != 0 ? "" : Encoding.UTF8.GetString(components.Slice(pos + 2, len));
            if ((flags & 0x08) != 0) link.Clear();
            if (link.Length > 0 && link[^1] != '/') link.Append('/');
            link.Append(part);
            if ((flags & 0x08) != 0) link.Append('/');
            pos += 2 + len;
        }
    }

    private static DateTimeOffset? ReadModified(ReadOnlySpan<byte> e)
    {
        var flags = e[4];
        if ((flags & 0x02) == 0) return null;
        var size = (flags & 0x80) != 0 ? 17 : 7;
        var index = (flags & 0x01) != 0 ? 1 : 0; // a creation stamp comes first
        var at = 5 + index * size;
        if (size != 7 || at + 7 > e.Length) return null;
        // ECMA-119 9.1.5: years since 1900, month, day, hour, minute, second, offset in 15-minute units.
        try
        {
            var offset = TimeSpan.FromMinutes((sbyte)e[at + 6] * 15);
            return new DateTimeOffset(1900 + e[at], e[at + 1], e[at + 2], e[at + 3], e[at + 4], e[at + 5], offset);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
