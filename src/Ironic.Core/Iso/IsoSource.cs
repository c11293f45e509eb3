using System.Globalization;

namespace Ironic.Core.Iso;

/// <summary>
/// Bounded, positioned reads from an image stream. Every read is checked against the image
/// length so a record that points past the end becomes an <see cref="IsoFormatException"/>
/// naming the offset, never a short read that is silently zero-filled.
/// </summary>
internal sealed class IsoSource(Stream stream)
{
    public const int SectorSize = 2048;

    /// <summary>The largest single structure we agree to load (a directory extent, a continuation area).</summary>
    public const int MaxStructureBytes = 32 * 1024 * 1024;

    private readonly object _gate = new();

    public Stream Stream { get; } = stream;

    public long Length { get; } = stream.Length;

    public long Sectors => Length / SectorSize;

    public byte[] Read(long offset, int count, string what)
    {
        if (count < 0 || count > MaxStructureBytes)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{what} at byte {offset} claims {count} bytes, more than the {MaxStructureBytes} bytes this reader accepts for one structure; the image is damaged or hostile."));
        }
        if (offset < 0 || offset + count > Length)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{what} at byte {offset} (+{count} bytes) lies past the end of the image ({Length} bytes); the image is truncated or damaged: download it again."));
        }
        var buffer = new byte[count];
        ReadInto(offset, buffer);
        return buffer;
    }

    public byte[] ReadSector(long sector, string what) => Read(sector * SectorSize, SectorSize, what);

    public void ReadInto(long offset, Span<byte> buffer)
    {
        lock (_gate)
        {
            Stream.Position = offset;
            var done = 0;
            while (done < buffer.Length)
            {
                var n = Stream.Read(buffer[done..]);
                if (n == 0)
                {
                    throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                        $"The image stream ended at byte {offset + done} while reading {buffer.Length} bytes at {offset}; the image is truncated."));
                }
                done += n;
            }
        }
    }
}
