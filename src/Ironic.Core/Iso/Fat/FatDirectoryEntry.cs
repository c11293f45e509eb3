using System.Buffers.Binary;
using System.Text;

namespace Ironic.Core.Iso.Fat;

/// <summary>
/// Decoding of 32-byte directory entries: short (8.3) entries and the VFAT long-name entries
/// that precede them (Microsoft FAT specification, "Directory Structure" and "Long File Name Implementation").
/// </summary>
internal static class FatDirectoryEntry
{
    public const int Size = 32;
    public const byte AttrReadOnly = 0x01;
    public const byte AttrHidden = 0x02;
    public const byte AttrSystem = 0x04;
    public const byte AttrVolumeId = 0x08;
    public const byte AttrDirectory = 0x10;
    public const byte AttrLongName = AttrReadOnly | AttrHidden | AttrSystem | AttrVolumeId;

    /// <summary>The 8.3 name as stored ("GRUB.CFG"), with the NT lower-case flags (byte 12) applied when <paramref name="applyCase"/>.</summary>
    public static string ShortName(ReadOnlySpan<byte> entry, bool applyCase)
    {
        Span<byte> raw = stackalloc byte[11];
        entry[..11].CopyTo(raw);
        if (raw[0] == 0x05)
            raw[0] = 0xE5; // "DIR_Name[0]": 0x05 stands for a real 0xE5 first character
        string baseName = Encoding.Latin1.GetString(raw[..8]).TrimEnd(' ');
        string extension = Encoding.Latin1.GetString(raw[8..11]).TrimEnd(' ');
        if (applyCase)
        {
            // Windows NT case flags in DIR_NTRes: 0x08 lower-case base, 0x10 lower-case extension.
            if ((entry[12] & 0x08) != 0)
                baseName = baseName.ToLowerInvariant();
            if ((entry[12] & 0x10) != 0)
                extension = extension.ToLowerInvariant();
        }
        return extension.Length == 0 ? baseName : baseName + "." + extension;
    }

    /// <summary>Checksum of the 11-byte short name that every long-name entry carries (spec "Long File Name Implementation").</summary>
    public static byte ShortNameChecksum(ReadOnlySpan<byte> entry)
    {
        byte sum = 0;
        for (int i = 0; i < 11; i++)
            sum = (byte)(((sum & 1) << 7) + (sum >> 1) + entry[i]);
        return sum;
    }

    /// <summary>The 13 UTF-16 characters of one long-name entry (LDIR_Name1, LDIR_Name2, LDIR_Name3).</summary>
    public static void LongNamePart(ReadOnlySpan<byte> entry, Span<char> into13)
    {
        int k = 0;
        for (int i = 1; i < 11; i += 2)
            into13[k++] = (char)BinaryPrimitives.ReadUInt16LittleEndian(entry[i..]);
        for (int i = 14; i < 26; i += 2)
            into13[k++] = (char)BinaryPrimitives.ReadUInt16LittleEndian(entry[i..]);
        for (int i = 28; i < 32; i += 2)
            into13[k++] = (char)BinaryPrimitives.ReadUInt16LittleEndian(entry[i..]);
    }

    public static uint FirstCluster(ReadOnlySpan<byte> entry, FatType type)
    {
        uint low = BinaryPrimitives.ReadUInt16LittleEndian(entry[26..]);
        uint high = type == FatType.Fat32 ? BinaryPrimitives.ReadUInt16LittleEndian(entry[20..]) : 0u;
        return (high << 16) | low;
    }

    /// <summary>DIR_WrtDate/DIR_WrtTime as a local DateTime (spec "Date and Time Formats"), or null when invalid.</summary>
    public static DateTime? WriteTime(ReadOnlySpan<byte> entry)
    {
        ushort time = BinaryPrimitives.ReadUInt16LittleEndian(entry[22..]);
        ushort date = BinaryPrimitives.ReadUInt16LittleEndian(entry[24..]);
        int year = 1980 + (date >> 9), month = (date >> 5) & 0x0F, day = date & 0x1F;
        int hour = time >> 11, minute = (time >> 5) & 0x3F, second = (time & 0x1F) * 2;
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
            return null;
        return new DateTime(year, month, day, hour, minute, second, DateTimeKind.Local);
    }

    /// <summary>Encodes a time as FAT date and time words (2-second resolution, years 1980-2107).</summary>
    public static (ushort Date, ushort Time) Encode(DateTime when)
    {
        int year = Math.Clamp(when.Year, 1980, 2107);
        ushort date = (ushort)(((year - 1980) << 9) | (when.Month << 5) | when.Day);
        ushort time = (ushort)((when.Hour << 11) | (when.Minute << 5) | (when.Second / 2));
        return (date, time);
    }
}
