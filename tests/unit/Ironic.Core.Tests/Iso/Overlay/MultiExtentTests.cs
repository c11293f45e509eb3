using System.Text;
using System.Text.RegularExpressions;
using Ironic.Core.Iso;
using Ironic.Core.Tests.Iso.Fixtures;

namespace Ironic.Core.Tests.Iso.Overlay;

/// <summary>
/// A file of more than 4 GiB, which ISO 9660 records as several extents (a multi-extent file, made by
/// xorriso): read with the extents isoinfo lists, refused for replacement with what to do, and left
/// intact when another file of the image is replaced.
/// </summary>
[Collection(IsoFixtureCollection.Name)]
public partial class MultiExtentTests(IsoFixtures fixtures)
{
    [Fact]
    public void Read_ListsEveryExtentAsIsoinfoDoes_InTheRockRidgeAndJolietTrees()
    {
        var iso = fixtures.PathOf(IsoFixtureKind.MultiExtent);
        using var stream = File.OpenRead(iso);
        var image = IsoImage.Open(stream);
        foreach (var (volume, mode) in new[] { (image.PreferredVolume, "-R"), (image.Volumes.Single(v => v.Kind == IsoTreeKind.Joliet), "-J") })
        {
            var entry = image.EntriesOf(volume).Single(e => e.Path == "/big/huge.bin");
            Assert.Equal(IsoFixtures.HugeSize, entry.Size);
            Assert.Equal(IsoInfoExtents(iso, mode, "huge.bin"), entry.Extents.Select(e => (e.Sector, (long)e.Length)).ToList());
            Assert.True(entry.Extents.Count > 1, $"{entry.Extents.Count} extent(s)");
        }
        Assert.Equal(IsoFixtures.HugeTail, ReadAt(stream, image.Find("/big/huge.bin")!, IsoFixtures.HugeTailOffset, IsoFixtures.HugeTail.Length));
        var e = Assert.Throws<IsoFormatException>(() => image.ReadFile(image.Find("/big/huge.bin")!));
        Assert.Contains("read it as a stream", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Replace_AMultiExtentFile_IsRefusedWithWhatToDo()
    {
        using var stream = File.OpenRead(fixtures.PathOf(IsoFixtureKind.MultiExtent));
        var builder = new BootIsoBuilder(IsoImage.Open(stream));
        var e = Assert.Throws<IsoFormatException>(() => builder.PutFile("/big/huge.bin", "small now\n"u8));
        Assert.Contains("Cannot replace '/big/huge.bin'", e.Message, StringComparison.Ordinal);
        Assert.Contains("extents", e.Message, StringComparison.Ordinal);
        Assert.Contains("Rebuild the base", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplaceAnotherFile_LeavesTheMultiExtentFileIntact()
    {
        var iso = fixtures.PathOf(IsoFixtureKind.MultiExtent);
        var content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("a line that makes the file outgrow its sector\n", 80)));
        var output = Path.Combine(TestIsos.ScratchDirectory(), "out.iso");
        using (var stream = File.OpenRead(iso))
        {
            var builder = new BootIsoBuilder(IsoImage.Open(stream));
            builder.PutFile("/big/a.cfg", content);
            using var overlay = IsoOverlay.Open(stream, builder.Build());
            WriteSparse(overlay, output);
        }
        foreach (var mode in new[] { "-R", "-J" })
        {
            Assert.Equal(IsoInfoExtents(iso, mode, "huge.bin"), IsoInfoExtents(output, mode, "huge.bin"));
            Assert.Equal(content, IsoChecks.IsoInfoRead(output, mode, "/big/a.cfg"));
        }
        Assert.Equal(content, IsoChecks.PycdlibRead(output, "rr_path", "/big/a.cfg"));
        Assert.Equal(content, IsoChecks.PycdlibRead(output, "joliet_path", "/big/a.cfg"));
        using var result = File.OpenRead(output);
        var image = IsoImage.Open(result);
        Assert.Equal(IsoFixtures.HugeTail, ReadAt(result, image.Find("/big/huge.bin")!, IsoFixtures.HugeTailOffset, IsoFixtures.HugeTail.Length));
    }

    /// <summary>The (sector, length) of every record of <paramref name="name"/> in /big as isoinfo -l lists them.</summary>
    private static List<(long Sector, long Length)> IsoInfoExtents(string iso, string mode, string name)
    {
        var listing = ExternalTool.RunChecked("isoinfo", "genisoimage", "-i", iso, mode, "-l").Output;
        return listing.Split('\n').Select(l => ListingLine().Match(l)).Where(m => m.Success && m.Groups["name"].Value == name)
            .Select(m => (long.Parse(m.Groups["sector"].Value, System.Globalization.CultureInfo.InvariantCulture), long.Parse(m.Groups["size"].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();
    }

    /// <summary>Bytes of a file at a file offset, found through its extents.</summary>
    private static byte[] ReadAt(Stream image, IsoEntry entry, long fileOffset, int count)
    {
        foreach (var extent in entry.Extents)
        {
            if (fileOffset < extent.Length)
            {
                var bytes = new byte[count];
                image.Position = extent.Sector * 2048 + fileOffset;
                image.ReadExactly(bytes);
                return bytes;
            }
            fileOffset -= extent.Length;
        }
        throw new InvalidOperationException("offset past the file");
    }

    /// <summary>Materializes an overlay leaving zero MiBs as holes (the image is 4 GiB of mostly zeros).</summary>
    private static void WriteSparse(IsoOverlay overlay, string path)
    {
        using var output = File.Create(path);
        var buffer = new byte[1024 * 1024];
        for (long at = 0; at < overlay.Length; at += buffer.Length)
        {
            var n = overlay.ReadAt(at, buffer);
            if (buffer.AsSpan(0, n).IndexOfAnyExcept((byte)0) < 0) continue;
            output.Position = at;
            output.Write(buffer, 0, n);
        }
        output.SetLength(overlay.Length);
    }

    // isoinfo prints the flags of a multi-extent record sign-extended ("FFFF") and without the closing bracket.
    [GeneratedRegex(@"\s(?<size>\d+)\s+\w{3}\s+\d+\s+\d{4}\s+\[\s*(?<sector>\d+)\s+[0-9A-F]+\]?\s+(?<name>\S+)\s*$")]
    private static partial Regex ListingLine();
}
