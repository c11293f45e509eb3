using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ironic.Core.Iso;

/// <summary>
/// The media-check sum that <c>implantisomd5</c> stores in the primary descriptor's application
/// use field and <c>checkisomd5</c> verifies: MD5 of the volume except its last 15 sectors, with
/// that field read as spaces, plus 20 fragment checkpoints taken after each 32 KiB read.
/// </summary>
internal static class MediaCheckSum
{
    public const int ApplicationUseOffset = 883;
    public const int ApplicationUseLength = 512;
    private const int SkipSectors = 15;
    private const int FragmentCount = 20;
    private const int FragmentSumLength = 60;
    private const int ReadSize = 32768;

    /// <summary>Computes the 512-byte application use field for <paramref name="image"/> (reads the whole volume).</summary>
    public static byte[] Compute(Stream image, long primaryDescriptorSector, uint volumeSpaceSize, bool supported, CancellationToken cancellationToken = default)
    {
        var total = (long)volumeSpaceSize * IsoSource.SectorSize - SkipSectors * (long)IsoSource.SectorSize;
        if (total <= 0 || total > image.Length)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"Cannot implant a media-check sum: the volume ({volumeSpaceSize} sectors) does not fit the image ({image.Length} bytes)."));
        }
        var appStart = primaryDescriptorSector * IsoSource.SectorSize + ApplicationUseOffset;
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var fragments = new StringBuilder();
        var buffer = new byte[ReadSize];
        var previous = 0L;
        image.Position = 0;
        for (long offset = 0; offset < total;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = (int)Math.Min(ReadSize, total - offset);
            image.ReadExactly(buffer, 0, n);
            // The field itself reads as spaces, so implanting does not change the sum.
            var from = Math.Max(offset, appStart);
            var to = Math.Min(offset + n, appStart + ApplicationUseLength);
            if (from < to) buffer.AsSpan((int)(from - offset), (int)(to - from)).Fill((byte)' ');
            md5.AppendData(buffer, 0, n);
            var current = offset * (FragmentCount + 1) / total;
            if (current != previous && fragments.Length < FragmentSumLength)
            {
                var snapshot = md5.GetCurrentHash();
                for (var i = 0; i < FragmentSumLength / FragmentCount; i++)
                {
                    // checkisomd5 keeps the first character of "%01x": the high nibble, or the value itself when below 16.
                    var b = snapshot[i];
                    fragments.Append((b < 16 ? b : b >> 4).ToString("x", CultureInfo.InvariantCulture));
                }
                previous = current;
            }
            offset += n;
        }
        var sum = Convert.ToHexString(md5.GetHashAndReset()).ToLowerInvariant();
        var text = string.Create(CultureInfo.InvariantCulture,
            $"ISO MD5SUM = {sum};SKIPSECTORS = {SkipSectors};RHLISOSTATUS={(supported ? 1 : 0)};FRAGMENT SUMS = {fragments};FRAGMENT COUNT = {FragmentCount};THIS IS NOT THE SAME AS RUNNING MD5SUM ON THIS ISO!!");
        var field = new byte[ApplicationUseLength];
        field.AsSpan().Fill((byte)' ');
        Encoding.ASCII.GetBytes(text).CopyTo(field, 0);
        return field;
    }

    /// <summary>Whether an implanted field says "supported ISO" (RHLISOSTATUS=1), to keep that flag.</summary>
    public static bool IsSupported(ReadOnlySpan<byte> field) => field.IndexOf("RHLISOSTATUS=1"u8) >= 0;
}
