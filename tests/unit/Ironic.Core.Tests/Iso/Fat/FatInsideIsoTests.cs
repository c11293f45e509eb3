using System.Text;
using System.Text.RegularExpressions;
using Ironic.Core.Iso.BootConfig;
using Ironic.Core.Iso.Fat;
using Ironic.Core.Tests.Iso.Fixtures;

namespace Ironic.Core.Tests.Iso.Fat;

/// <summary>The FAT editor working where the ISO engine uses it: on efiboot.img as a region of the ISO file.</summary>
[Collection(IsoFixtureCollection.Name)]
public sealed class FatInsideIsoTests(IsoFixtures fixtures) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ironic-fat-iso-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Extent (2048-byte block) and size of a file as isoinfo lists it.</summary>
    private static (long Block, long Size) Extent(string iso, string directory, string name)
    {
        string listing = ExternalTool.Run("isoinfo", "-R", "-l", "-i", iso).StandardOutput;
        string section = listing[listing.IndexOf($"Directory listing of {directory}", StringComparison.Ordinal)..];
        var match = Regex.Match(section, @"\s(\d+)\s+\w{3}\s+\d+\s+\d{4}\s+\[\s*(\d+)\s+\d+\]\s+" + Regex.Escape(name) + @"\s*$", RegexOptions.Multiline);
        Assert.True(match.Success, $"{directory}{name} not in isoinfo's listing");
        return (long.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(0)]      // fits the clusters grub.cfg already has
    [InlineData(6000)]   // needs free clusters of the FAT image
    public void EditGrubCfgInsideEfibootImg_OfAnIsoCopy_ReadsBackAndIsClean(int padding)
    {
        string iso = Path.Combine(_directory, "edited.iso");
        File.Copy(fixtures.PathOf(IsoFixtureKind.MakeTestIsoBoth), iso);
        var (block, size) = Extent(iso, "/images/", "efiboot.img");
        byte[] isoGrubBefore = ExternalTool.RunForBytes("isoinfo", "-R", "-i", iso, "-x", "/EFI/BOOT/grub.cfg");

        string edited;
        using (var stream = File.Open(iso, FileMode.Open, FileAccess.ReadWrite))
        {
            var volume = FatVolume.Open(stream, block * 2048, size);
            var entry = volume.Find("/EFI/BOOT/grub.cfg")!;
            string text = Encoding.UTF8.GetString(volume.ReadFile(entry));
            var append = new List<string> { "ipa-api-url=http://10.0.0.1:6385" };
            if (padding > 0)
                append.Add("ironic_pad=" + new string('x', padding));
            edited = BootConfigEditor.Apply(BootConfigKind.Grub, text, new KernelParameterEdit(append, ["panic"]));
            var plan = volume.PlanReplace(entry, Encoding.UTF8.GetBytes(edited));
            Assert.All(plan, w => Assert.InRange(w.Offset + w.Bytes.Length, 1, size));
            RegionWrite.ApplyAll(stream, block * 2048, plan);
        }

        string efiboot = Path.Combine(_directory, "efiboot.img");
        File.WriteAllBytes(efiboot, ExternalTool.RunForBytes("isoinfo", "-R", "-i", iso, "-x", "/images/efiboot.img"));
        Assert.Equal(edited, Encoding.UTF8.GetString(ExternalTool.RunForBytes("mtype", "-i", efiboot, "::/EFI/BOOT/grub.cfg")));
        FatImageBuilder.AssertClean(efiboot);
        Assert.Contains("ipa-api-url=http://10.0.0.1:6385", edited, StringComparison.Ordinal);
        Assert.DoesNotContain("panic=", edited, StringComparison.Ordinal);
        // The ISO tree's own copy is a different file and stays as it was.
        Assert.Equal(isoGrubBefore, ExternalTool.RunForBytes("isoinfo", "-R", "-i", iso, "-x", "/EFI/BOOT/grub.cfg"));
    }
}
