using System.Text;
using System.Text.RegularExpressions;
using Ironic.Core.Iso.BootConfig;
using Ironic.Core.Iso.Fat;

namespace Ironic.Core.Tests.Iso.Fixtures;

/// <summary>Each fixture is what it claims to be, as isoinfo and xorriso see it.</summary>
[Collection(IsoFixtureCollection.Name)]
public sealed class IsoFixturesTests(IsoFixtures fixtures)
{
    private static string Describe(string iso) => ExternalTool.Run("isoinfo", "-d", "-i", iso).StandardOutput;

    /// <summary>Every path of the tree isoinfo reads with the given option (-R, -J or none for plain ISO 9660).</summary>
    private static List<string> Paths(string iso, string? tree)
    {
        string[] args = tree is null ? ["-f", "-i", iso] : ["-f", tree, "-i", iso];
        return ExternalTool.Run("isoinfo", args).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    private static byte[] Extract(string iso, string tree, string path)
    {
        return ExternalTool.RunForBytes("isoinfo", tree, "-i", iso, "-x", path);
    }

    private static string ElTorito(string iso) => ExternalTool.Run("xorriso", "-indev", iso, "-report_el_torito", "plain").All;

    [Fact]
    public void MakeTestIsoBoth_HasGrubCfgOnTheIsoAndInsideEfibootImg()
    {
        string iso = fixtures.PathOf(IsoFixtureKind.MakeTestIsoBoth);
        string info = Describe(iso);
        Assert.Contains("Volume id: IRONIC_TEST", info, StringComparison.Ordinal);
        Assert.Contains("Rock Ridge signatures", info, StringComparison.Ordinal);
        Assert.Contains("Joliet with UCS level 3 found", info, StringComparison.Ordinal);
        var paths = Paths(iso, "-R");
        Assert.Contains("/EFI/BOOT/grub.cfg", paths);
        Assert.Contains("/images/efiboot.img", paths);
        Assert.DoesNotContain("/boot/grub/grub.cfg", paths);
        string eltorito = ElTorito(iso);
        Assert.Contains("BIOS", eltorito, StringComparison.Ordinal);
        Assert.Contains("UEFI", eltorito, StringComparison.Ordinal);

        // The FAT reader finds the second grub.cfg inside the extracted EFI image.
        var efiboot = Extract(iso, "-R", "/images/efiboot.img");
        var volume = FatVolume.Open(new MemoryStream(efiboot), 0, efiboot.Length);
        var grub = Encoding.UTF8.GetString(volume.ReadFile(volume.Find("/EFI/BOOT/grub.cfg")!));
        Assert.Equal(BootConfigKind.Grub, BootConfigFiles.Detect("/EFI/BOOT/grub.cfg", grub));
        Assert.Equal("console=ttyS0 panic=-1", Assert.Single(BootConfigEditor.ReadEntries(BootConfigKind.Grub, grub)).CommandLine);
    }

    [Fact]
    public void MakeTestIsoIso_HasOnlyBootGrubCfg()
    {
        string iso = fixtures.PathOf(IsoFixtureKind.MakeTestIsoIso);
        var paths = Paths(iso, "-R");
        Assert.Contains("/boot/grub/grub.cfg", paths);
        Assert.DoesNotContain("/EFI/BOOT/grub.cfg", paths);
        var efiboot = Extract(iso, "-R", "/images/efiboot.img");
        var volume = FatVolume.Open(new MemoryStream(efiboot), 0, efiboot.Length);
        Assert.Null(volume.Find("/EFI/BOOT/grub.cfg"));
        Assert.NotNull(volume.Find("/EFI/BOOT/BOOTX64.EFI"));
    }

    [Fact]
    public void RockRidgeOnly_HasRockRidgeAndNoJoliet()
    {
        string iso = fixtures.PathOf(IsoFixtureKind.RockRidgeOnly);
        string info = Describe(iso);
        Assert.Contains("Rock Ridge signatures", info, StringComparison.Ordinal);
        Assert.Contains("NO Joliet present", info, StringComparison.Ordinal);
        Assert.Contains("/" + IsoFixtures.LongFileName, Paths(iso, "-R"));
        Assert.Equal(IsoFixtures.GrubCfg, Encoding.UTF8.GetString(Extract(iso, "-R", "/EFI/BOOT/grub.cfg")));
    }

    [Fact]
    public void JolietOnly_HasJolietAndNoRockRidge()
    {
        string iso = fixtures.PathOf(IsoFixtureKind.JolietOnly);
        string info = Describe(iso);
        Assert.Contains("Joliet with UCS level 3 found", info, StringComparison.Ordinal);
        Assert.Contains("NO Rock Ridge present", info, StringComparison.Ordinal);
        Assert.Contains("/" + IsoFixtures.LongFileName, Paths(iso, "-J"));
        Assert.Equal(IsoFixtures.IsolinuxCfg, Encoding.UTF8.GetString(Extract(iso, "-J", "/isolinux/isolinux.cfg")));
    }

    [Fact]
    public void Level1Names_AreUpperCase83_WithoutRockRidgeOrJoliet()
    {
        string iso = fixtures.PathOf(IsoFixtureKind.Level1Names);
        string info = Describe(iso);
        Assert.Contains("NO Joliet present", info, StringComparison.Ordinal);
        Assert.Contains("NO Rock Ridge present", info, StringComparison.Ordinal);
        var paths = Paths(iso, null);
        Assert.Contains("/ISOLINUX/ISOLINUX.CFG;1", paths);
        Assert.Contains("/EFI/BOOT/GRUB.CFG;1", paths);
        var component = new Regex(@"^[A-Z0-9_]{1,8}(\.[A-Z0-9_]{0,3};1)?$");
        Assert.All(paths.SelectMany(p => p.Split('/', StringSplitOptions.RemoveEmptyEntries)), c => Assert.Matches(component, c));
        Assert.Contains("UEFI", ElTorito(iso), StringComparison.Ordinal);
    }

    [Fact]
    public void EsxiStyle_HasBothBootCfgsWithKernelopt_AndIsolinuxAndEfiBoot()
    {
        string iso = fixtures.PathOf(IsoFixtureKind.EsxiStyle);
        var paths = Paths(iso, "-J");
        Assert.Contains("/BOOT.CFG", paths);
        Assert.Contains("/EFI/BOOT/BOOT.CFG", paths);
        Assert.Contains("/ISOLINUX.CFG", paths);
        foreach (var path in new[] { "/BOOT.CFG", "/EFI/BOOT/BOOT.CFG" })
        {
            string text = Encoding.UTF8.GetString(Extract(iso, "-J", path));
            Assert.Equal(BootConfigKind.EsxiBootCfg, BootConfigFiles.Detect(path, text));
            Assert.Equal("runweasel cdromBoot allowLegacyCPU=true", Assert.Single(BootConfigEditor.ReadEntries(BootConfigKind.EsxiBootCfg, text)).CommandLine);
        }
        string eltorito = ElTorito(iso);
        Assert.Contains("BIOS", eltorito, StringComparison.Ordinal);
        Assert.Contains("UEFI", eltorito, StringComparison.Ordinal);
    }

    [Fact]
    public void PartitionOffset16_HasASecondDescriptorSetAtBlock16()
    {
        string iso = fixtures.PathOf(IsoFixtureKind.PartitionOffset16);
        Assert.Contains("Volume id: PARTITION_OFFSET", Describe(iso), StringComparison.Ordinal);
        using var stream = File.OpenRead(iso);
        var descriptor = new byte[6];
        foreach (long block in new long[] { 16, 16 + 16 })
        {
            stream.Position = block * 2048;
            stream.ReadExactly(descriptor);
            Assert.Equal("\u0001CD001", Encoding.Latin1.GetString(descriptor));
        }
        string report = ExternalTool.Run("xorriso", "-indev", iso, "-report_system_area", "plain").All;
        Assert.Contains("GPT", report, StringComparison.Ordinal);
        Assert.Matches(@"Partition offset\s*:\s*16\n", report);
        Assert.Matches(@"MBR partition\s*:\s*1\s+0x80\s+0x00\s+64\s", report); // the first partition starts at block 16 (64 sectors of 512)
    }

    [Fact]
    public void AppendedEfiPartition_IsMbrPartition2OutsideTheTree_AndHoldsGrubCfg()
    {
        string iso = fixtures.PathOf(IsoFixtureKind.AppendedEfiPartition);
        Assert.DoesNotContain("/images/efiboot.img", Paths(iso, "-R"));
        string report = ExternalTool.Run("xorriso", "-indev", iso, "-report_system_area", "plain").All;
        Assert.Matches(@"MBR partition\s*:\s*2\s+0x00\s+0xef\s", report);
        Assert.Contains("UEFI", ElTorito(iso), StringComparison.Ordinal);

        var (offset, length) = IsoFixtures.MbrPartition(iso, 2);
        using var stream = File.OpenRead(iso);
        // Primary volume descriptor (ECMA-119 8.4.8): volume space size, little-endian half at byte 80.
        var pvd = new byte[2048];
        stream.Position = 16 * 2048;
        stream.ReadExactly(pvd);
        long treeEnd = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(pvd.AsSpan(80)) * 2048L;
        Assert.True(offset >= treeEnd && offset + length <= stream.Length, $"the EFI partition ({offset}+{length}) lies after the ISO tree (ends at {treeEnd}) inside the {stream.Length}-byte file");
        var volume = FatVolume.Open(stream, offset, length);
        var grub = Encoding.UTF8.GetString(volume.ReadFile(volume.Find("/EFI/BOOT/grub.cfg")!));
        Assert.Equal(IsoFixtures.GrubCfg, grub);
    }
}
