using System.Text;
using Ironic.Core.Iso;
using Ironic.Core.Iso.BootConfig;
using Ironic.Core.Tests.Iso.Fixtures;

namespace Ironic.Core.Tests.Iso.Overlay;

/// <summary>
/// Kernel parameter injection across image shapes: Rock Ridge only, Joliet only, level 1 names,
/// ESXi boot.cfg, a second descriptor set (-partition_offset) and an EFI image appended as a
/// partition outside the tree. Each result is checked with osirrox, isoinfo and pycdlib through
/// every tree the image has (and mtools for FAT images outside the tree).
/// </summary>
[Collection(IsoFixtureCollection.Name)]
public class VariantInjectionTests(IsoFixtures fixtures)
{
    private const string Added = "ironic.node=n1";

    /// <summary>A parameter every config of the fixture carries, which the edit removes.</summary>
    private static string RemovedFrom(IsoFixtureKind kind) => kind == IsoFixtureKind.EsxiStyle ? "allowLegacyCPU" : "quiet";

    [Theory]
    [InlineData(IsoFixtureKind.RockRidgeOnly)]
    [InlineData(IsoFixtureKind.JolietOnly)]
    [InlineData(IsoFixtureKind.Level1Names)]
    [InlineData(IsoFixtureKind.EsxiStyle)]
    [InlineData(IsoFixtureKind.PartitionOffset16)]
    [InlineData(IsoFixtureKind.AppendedEfiPartition)]
    public void Inject_EditsEveryConfig_AndLeavesEveryOtherFileAlone(IsoFixtureKind kind)
    {
        var baseIso = fixtures.PathOf(kind);
        var dir = TestIsos.ScratchDirectory();
        var output = Path.Combine(dir, "out.iso");
        IReadOnlyList<ChangedFile> changed;
        using (var stream = File.OpenRead(baseIso))
        {
            var builder = new BootIsoBuilder(IsoImage.Open(stream));
            changed = builder.EditKernelParameters(new KernelParameterEdit([Added], [RemovedFrom(kind)]));
            using var overlay = IsoOverlay.Open(stream, builder.Build());
            overlay.WriteTo(output);
        }
        Assert.NotEmpty(changed);
        Assert.Equal(IsoChecks.ElToritoReport(baseIso), IsoChecks.ElToritoReport(output));

        var before = IsoChecks.ExtractAll(baseIso, Path.Combine(dir, "before"));
        var after = IsoChecks.ExtractAll(output, Path.Combine(dir, "after"));
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        var treeEdits = changed.Where(c => c.BootImage is null).Select(c => c.Path).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var fatImages = changed.Where(c => c.BootImage is not null).Select(c => c.BootImage!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        // The removed parameter was there to remove (in every config but ESXi's ISOLINUX.CFG, whose APPEND only names boot.cfg).
        var hadRemoved = treeEdits.Where(p => File.ReadAllText(Path.Combine(dir, "before", p.TrimStart('/'))).Contains(" " + RemovedFrom(kind), StringComparison.Ordinal)).ToList();
        Assert.Equal(kind == IsoFixtureKind.EsxiStyle ? treeEdits.Count - 1 : treeEdits.Count, hadRemoved.Count);
        foreach (var (path, hash) in before)
        {
            if (treeEdits.Contains(path))
            {
                AssertEdited(kind, File.ReadAllText(Path.Combine(dir, "after", path.TrimStart('/'))));
            }
            else if (!fatImages.Contains(path))
            {
                Assert.True(hash == after[path], $"{path} changed");
            }
        }
        AssertEveryTreeReadsTheNewConfigs(kind, baseIso, output, treeEdits, Path.Combine(dir, "after"));

        using var reread = File.OpenRead(output);
        var info = BootIsoInfo.Inspect(reread);
        Assert.NotEmpty(info.BootEntries);
        Assert.All(info.BootEntries, e => AssertEdited(kind, e.CommandLine));

        if (kind == IsoFixtureKind.AppendedEfiPartition)
        {
            // The EFI image lies outside the tree: read it from MBR partition 2 with mtools.
            Assert.Contains(changed, c => c.BootImage is not null && c.BootImage.StartsWith("[El Torito", StringComparison.Ordinal));
            var (offset, length) = IsoFixtures.MbrPartition(output, 2);
            var esp = Path.Combine(dir, "esp.img");
            using (var s = File.OpenRead(output))
            {
                var bytes = new byte[length];
                s.Position = offset;
                s.ReadExactly(bytes);
                File.WriteAllBytes(esp, bytes);
            }
            var grub = changed.First(c => c.BootImage is not null).Path;
            AssertEdited(kind, IsoChecks.MType(esp, grub));
        }
        if (kind == IsoFixtureKind.PartitionOffset16)
        {
            // The second descriptor set and tree start at block 16: read them as their own image.
            using var image = File.OpenRead(output);
            Assert.Equal(2, IsoImage.Open(image).Volumes.Count(v => v.Kind == IsoTreeKind.Primary));
            var partition = Path.Combine(dir, "partition.iso");
            using (var s = File.OpenRead(output))
            using (var p = File.Create(partition))
            {
                s.Position = 16 * 2048;
                s.CopyTo(p);
            }
            foreach (var path in treeEdits)
            {
                AssertEdited(kind, Encoding.UTF8.GetString(IsoChecks.IsoInfoRead(partition, "-R", path)));
                AssertEdited(kind, Encoding.UTF8.GetString(IsoChecks.IsoInfoRead(partition, "-J", path)));
            }
        }
    }

    /// <summary>
    /// isoinfo (-R, -J, plain names) and pycdlib (rr_path, joliet_path, iso_path) read each edited
    /// config, through every tree the base has, as the bytes osirrox extracted.
    /// </summary>
    private static void AssertEveryTreeReadsTheNewConfigs(IsoFixtureKind kind, string baseIso, string output, IEnumerable<string> paths, string extracted)
    {
        IReadOnlyList<IsoVolumeDescriptor> volumes;
        using (var stream = File.OpenRead(baseIso)) volumes = IsoImage.Open(stream).Volumes.Where(v => !v.IsSecondSet).ToList();
        var rockRidge = volumes.Any(v => v.RockRidge);
        var joliet = volumes.Any(v => v.Kind == IsoTreeKind.Joliet);
        var plainPaths = IsoChecks.IsoInfoPlainPaths(output);
        foreach (var path in paths)
        {
            var expected = File.ReadAllBytes(Path.Combine(extracted, path.TrimStart('/')));
            AssertEdited(kind, Encoding.UTF8.GetString(expected));
            var plain = plainPaths.Single(p => string.Equals(p, path + ";1", StringComparison.OrdinalIgnoreCase));
            Assert.Equal(expected, IsoChecks.IsoInfoRead(output, "", plain));
            Assert.Equal(expected, IsoChecks.PycdlibRead(output, "iso_path", plain));
            if (rockRidge)
            {
                Assert.Equal(expected, IsoChecks.IsoInfoRead(output, "-R", path));
                Assert.Equal(expected, IsoChecks.PycdlibRead(output, "rr_path", path));
            }
            if (joliet)
            {
                Assert.Equal(expected, IsoChecks.IsoInfoRead(output, "-J", path));
                Assert.Equal(expected, IsoChecks.PycdlibRead(output, "joliet_path", path));
            }
        }
    }

    private static void AssertEdited(IsoFixtureKind kind, string text)
    {
        Assert.Contains(Added, text, StringComparison.Ordinal);
        Assert.DoesNotContain(" " + RemovedFrom(kind), text, StringComparison.Ordinal);
    }
}
