using System.Buffers.Binary;
using System.Diagnostics;
using Ironic.Core.Iso;
using Ironic.Core.Tests.Iso.Fixtures;

namespace Ironic.Core.Tests.Iso.Overlay;

/// <summary>
/// Malformed and hostile images end in <see cref="IsoFormatException"/> naming what and where,
/// never in a hang, another exception or a huge allocation.
/// </summary>
[Collection(IsoFixtureCollection.Name)]
public class HostileImageTests(TestIsos isos, IsoFixtures fixtures) : IClassFixture<TestIsos>
{
    /// <summary>A hang guard, not a speed target: one parse of these small images takes milliseconds.</summary>
    private static readonly TimeSpan ParseBudget = TimeSpan.FromSeconds(2);

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

    [Theory]
    [InlineData("make-test-iso --layout iso", 20261122)]
    [InlineData(nameof(IsoFixtureKind.RockRidgeOnly), 7)]
    [InlineData(nameof(IsoFixtureKind.JolietOnly), 11)]
    public void RandomMutationsOfTheMetadata_EndQuicklyInAReportOrAnIsoFormatException(string fixture, int seed)
    {
        var pristine = fixture.StartsWith("make-test-iso", StringComparison.Ordinal) ? Pristine() : File.ReadAllBytes(fixtures.PathOf(Enum.Parse<IsoFixtureKind>(fixture)));
        var parsed = Parse(pristine);
        // Mutate the metadata, where a reader can be led astray: system area and descriptors, path
        // tables, every directory, the boot catalog and the start of each El Torito image (the FAT
        // boot sector, FATs and root directory that Inspect reads).
        var regions = new List<(long Start, long Length)> { (0, (parsed.DescriptorSectors.Max() + 1) * 2048) };
        foreach (var v in parsed.Volumes)
        {
            regions.Add(((v.BaseSector + v.PathTableL) * 2048, v.PathTableSize));
            regions.Add(((v.BaseSector + v.PathTableM) * 2048, v.PathTableSize));
        }
        regions.AddRange(parsed.Entries.Where(e => e.IsDirectory).Select(e => (e.FirstSector * 2048, (long)e.Extents[0].Length)));
        regions.Add((parsed.ElTorito!.CatalogSector * 2048, 2048));
        regions.AddRange(parsed.ElTorito.Entries.Select(e => (e.LoadSector * 2048, Math.Min(48 * 2048, pristine.Length - e.LoadSector * 2048))));
        var total = regions.Sum(r => r.Length);
        var random = new Random(seed);
        var image = (byte[])pristine.Clone();
        var parses = 0;
        var refusals = 0;
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < 600; i++)
        {
            var changes = new List<(int Offset, byte Old)>();
            var count = random.Next(1, 24);
            for (var k = 0; k < count; k++)
            {
                var offset = OffsetIn(regions, random.NextInt64(total));
                changes.Add((offset, image[offset]));
                image[offset] = random.Next(4) switch
                {
                    0 => 0xFF,
                    1 => 0x00,
                    2 => (byte)(image[offset] ^ (1 << random.Next(8))),
                    _ => (byte)random.Next(256),
                };
            }
            var clock = Stopwatch.StartNew();
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
            clock.Stop();
            slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
            Assert.True(clock.Elapsed < ParseBudget, $"mutation {i} ({string.Join(", ", changes.Select(c => c.Offset))}) took {clock.Elapsed.TotalSeconds:F1} s to parse");
            foreach (var (offset, old) in Enumerable.Reverse(changes)) image[offset] = old;
        }
        Assert.Equal(600, parses + refusals);
        Assert.True(refusals > 0 && parses > 0, $"{parses} parses, {refusals} refusals, slowest {slowest.TotalMilliseconds:F0} ms");
    }

    private static int OffsetIn(List<(long Start, long Length)> regions, long index)
    {
        foreach (var (start, length) in regions)
        {
            if (index < length) return (int)(start + index);
            index -= length;
        }
        throw new ArgumentOutOfRangeException(nameof(index));
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
