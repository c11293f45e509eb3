using System.Buffers.Binary;
using Ironic.Core.Iso;

namespace Ironic.Core.Tests.Iso.Overlay;

/// <summary>
/// Malformed and hostile images end in <see cref="IsoFormatException"/> naming what and where,
/// never in a hang, another exception or a huge allocation.
/// </summary>
public class HostileImageTests(TestIsos isos) : IClassFixture<TestIsos>
{
    private byte[] Pristine() => File.ReadAllBytes(isos.IsoOnly);

    private static IsoImage Parse(byte[] image) => IsoImage.Open(new MemoryStream(image, writable: false));

    private static IsoEntry EntryOf(byte[] image, string path) => Parse(image).Find(path) ?? throw new InvalidOperationException(path);

    [Fact]
    public void DirectoryPointingAtItsAncestor_IsACycle()
    {
        var image = Pristine();
        var root = EntryOf(image, "/");
        var boot = EntryOf(image, "/boot");
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan((int)boot.Extents[0].RecordOffset + 2), (uint)root.FirstSector);
        var e = Assert.Throws<IsoFormatException>(() => Parse(image));
        Assert.Contains("cycle", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExtentPastTheEnd_IsRefusedWithItsOffset()
    {
        var image = Pristine();
        var entry = EntryOf(image, "/isolinux/isolinux.cfg");
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan((int)entry.Extents[0].RecordOffset + 2), 0x7FFFFF00);
        var e = Assert.Throws<IsoFormatException>(() => Parse(image));
        Assert.Contains($"byte {entry.Extents[0].RecordOffset}", e.Message, StringComparison.Ordinal);
        Assert.Contains("past the end", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AbsurdDirectorySize_IsRefusedWithoutAllocatingIt()
    {
        var image = Pristine();
        var boot = EntryOf(image, "/boot");
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan((int)boot.Extents[0].RecordOffset + 10), 0xFFFFFFF0);
        Assert.Throws<IsoFormatException>(() => Parse(image));
    }

    [Fact]
    public void RockRidgeContinuationLoop_Ends()
    {
        var image = Pristine();
        var entry = EntryOf(image, "/isolinux/isolinux.cfg");
        var record = (int)entry.Extents[0].RecordOffset;
        var nameLength = image[record + 32];
        var su = record + 33 + nameLength + ((nameLength & 1) == 0 ? 1 : 0);
        // A CE in the record that points to an area holding a CE that points to itself.
        var loopSector = image.Length / 2048 - 200;
        var ce = ContinuationEntry((uint)loopSector, 0, 28);
        ce.CopyTo(image, su);
        ce.CopyTo(image, loopSector * 2048);
        var e = Assert.Throws<IsoFormatException>(() => Parse(image));
        Assert.Contains("continuation", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BrokenBootCatalog_IsNamed()
    {
        var image = Pristine();
        var catalog = Parse(image).ElTorito!.CatalogSector;
        image[catalog * 2048 + 28] ^= 0x5A;
        var e = Assert.Throws<IsoFormatException>(() => Parse(image));
        Assert.Contains("El Torito", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedImage_IsNamed()
    {
        var image = Pristine();
        var e = Assert.Throws<IsoFormatException>(() => Parse(image[..(18 * 2048)]));
        Assert.Contains("past the end", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UdfOnlyImage_IsRefusedWithAdvice()
    {
        var image = new byte[64 * 2048];
        "\0BEA01"u8.CopyTo(image.AsSpan(16 * 2048));
        "\0NSR02"u8.CopyTo(image.AsSpan(17 * 2048));
        var e = Assert.Throws<IsoFormatException>(() => Parse(image));
        Assert.Contains("UDF-only", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RandomMutationsOfTheMetadata_EndInAReportOrAnIsoFormatException()
    {
        var pristine = Pristine();
        var parsed = Parse(pristine);
        // The metadata: system area, descriptors, path tables, directories and the boot catalog
        // all live in the first sectors; mutate there, where a reader can be led astray.
        var metadataEnd = (int)Math.Min(pristine.Length, (parsed.Entries.Where(e => e.IsDirectory).Max(e => e.FirstSector) + 2) * 2048);
        metadataEnd = Math.Max(metadataEnd, (int)(parsed.ElTorito!.CatalogSector + 1) * 2048);
        // ... and the start of the EFI FAT image (boot sector, FATs, root directory), which Inspect reads.
        metadataEnd = Math.Max(metadataEnd, (int)(parsed.ElTorito.Entries.Max(e => e.LoadSector) + 48) * 2048);
        var random = new Random(20261122);
        var image = (byte[])pristine.Clone();
        var parses = 0;
        var refusals = 0;
        for (var i = 0; i < 600; i++)
        {
            var changes = new List<(int Offset, byte Old)>();
            var count = random.Next(1, 24);
            for (var k = 0; k < count; k++)
            {
                var offset = random.Next(0, metadataEnd);
                changes.Add((offset, image[offset]));
                image[offset] = random.Next(4) switch
                {
                    0 => 0xFF,
                    1 => 0x00,
                    2 => (byte)(image[offset] ^ (1 << random.Next(8))),
                    _ => (byte)random.Next(256),
                };
            }
            try
            {
                var info = BootIsoInfo.Inspect(new MemoryStream(image, writable: false));
                _ = info.BootEntries.Count;
                parses++;
            }
            catch (IsoFormatException)
            {
                refusals++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} ({string.Join(", ", changes.Select(c => c.Offset))}) threw {e.GetType().Name}: {e.Message}");
            }
            foreach (var (offset, old) in Enumerable.Reverse(changes)) image[offset] = old;
        }
        Assert.Equal(600, parses + refusals);
        Assert.True(refusals > 0 && parses > 0, $"{parses} parses, {refusals} refusals");
    }

    private static byte[] ContinuationEntry(uint sector, uint offset, uint length)
    {
        // SUSP 5.1: "CE", length 28, version 1, then block, offset and length, each both-endian.
        var ce = new byte[28];
        "CE"u8.CopyTo(ce);
        ce[2] = 28;
        ce[3] = 1;
        BothEndian(ce.AsSpan(4), sector);
        BothEndian(ce.AsSpan(12), offset);
        BothEndian(ce.AsSpan(20), length);
        return ce;

        static void BothEndian(Span<byte> at, uint value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(at, value);
            BinaryPrimitives.WriteUInt32BigEndian(at[4..], value);
        }
    }
}
