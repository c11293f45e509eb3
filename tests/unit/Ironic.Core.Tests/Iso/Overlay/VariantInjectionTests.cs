using System.Text;
using Ironic.Core.Iso;
using Ironic.Core.Iso.BootConfig;
using Ironic.Core.Tests.Iso.Fixtures;

namespace Ironic.Core.Tests.Iso.Overlay;

/// <summary>
/// Kernel parameter injection across image shapes: Rock Ridge only, Joliet only, level 1 names,
/// ESXi boot.cfg, a second descriptor set (-partition_offset) and an EFI image appended as a
/// partition outside the tree. Each result is checked with osirrox (and mtools, isoinfo).
/// </summary>
[Collection(IsoFixtureCollection.Name)]
public class VariantInjectionTests(IsoFixtures fixtures)
{
    private static readonly KernelParameterEdit Edit = new(["ironic.node=n1"], ["quiet"]);

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
            changed = builder.EditKernelParameters(Edit);
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
        foreach (var (path, hash) in before)
        {
            if (treeEdits.Contains(path)) AssertEdited(File.ReadAllText(Path.Combine(dir, "after", path.TrimStart('/'))));
            else if (!fatImages.Contains(path)) Assert.True(hash == after[path], $"{path} changed");
        }

        using var reread = File.OpenRead(output);
        var info = BootIsoInfo.Inspect(reread);
        Assert.NotEmpty(info.BootEntries);
        Assert.All(info.BootEntries, e => AssertEdited(e.CommandLine));

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
            AssertEdited(IsoChecks.MType(esp, grub));
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
                AssertEdited(Encoding.UTF8.GetString(IsoChecks.IsoInfoRead(partition, "-R", path)));
                AssertEdited(Encoding.UTF8.GetString(IsoChecks.IsoInfoRead(partition, "-J", path)));
            }
        }
    }

    private static void AssertEdited(string text)
    {
        Assert.Contains("ironic.node=n1", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" quiet", text, StringComparison.Ordinal);
    }
}
