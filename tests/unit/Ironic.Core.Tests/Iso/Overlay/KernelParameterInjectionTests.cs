using System.Text;
using Ironic.Core.Iso;

namespace Ironic.Core.Tests.Iso.Overlay;

public class KernelParameterInjectionTests(InjectedIsos injected) : IClassFixture<InjectedIsos>
{
    [Fact]
    public void Inject_BothLayout_EditsTreeAndEfiImageCopies()
    {
        var locations = injected.Both.Changed.Select(c => c.Location).Order().ToList();
        Assert.Equal(["/EFI/BOOT/grub.cfg", "/images/efiboot.img:/EFI/BOOT/grub.cfg", "/isolinux/isolinux.cfg"], locations);
        var locationsIso = injected.IsoOnly.Changed.Select(c => c.Location).Order().ToList();
        Assert.Equal(["/boot/grub/grub.cfg", "/isolinux/isolinux.cfg"], locationsIso);
    }

    [Fact]
    public void Inject_KeepsTheElToritoEntries()
    {
        Assert.Equal(IsoChecks.ElToritoReport(injected.Both.Base), IsoChecks.ElToritoReport(injected.Both.Output));
        Assert.Equal(IsoChecks.ElToritoReport(injected.IsoOnly.Base), IsoChecks.ElToritoReport(injected.IsoOnly.Output));
    }

    [Theory]
    [InlineData("both", "/EFI/BOOT/grub.cfg", "/EFI/BOOT/GRUB.CFG;1")]
    [InlineData("both", "/isolinux/isolinux.cfg", "/ISOLINUX/ISOLINUX.CFG;1")]
    [InlineData("iso", "/boot/grub/grub.cfg", "/BOOT/GRUB/GRUB.CFG;1")]
    public void Inject_IsoinfoAndPycdlibReadTheNewConfigs(string layout, string path, string isoPath)
    {
        var result = layout == "both" ? injected.Both : injected.IsoOnly;
        var rr = Encoding.UTF8.GetString(IsoChecks.IsoInfoRead(result.Output, "-R", path));
        AssertEdited(rr);
        Assert.Equal(rr, Encoding.UTF8.GetString(IsoChecks.IsoInfoRead(result.Output, "-J", path)));
        var (pyRr, pyJoliet, pyIso) = IsoChecks.PycdlibRead(result.Output, path, path, isoPath);
        Assert.Equal(rr, pyRr);
        Assert.Equal(rr, pyJoliet);
        Assert.Equal(rr, pyIso);
    }

    [Theory]
    [InlineData("both")]
    [InlineData("iso")]
    public void Inject_OsirroxExtractsWhatWeWrote_AndEveryOtherFileIsByteIdentical(string layout)
    {
        var result = layout == "both" ? injected.Both : injected.IsoOnly;
        var dir = TestIsos.ScratchDirectory();
        var before = IsoChecks.ExtractAll(result.Base, Path.Combine(dir, "before"));
        var after = IsoChecks.ExtractAll(result.Output, Path.Combine(dir, "after"));
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        var treeEdits = result.Changed.Where(c => c.BootImage is null).Select(c => c.Path).ToHashSet();
        var fatImages = result.Changed.Where(c => c.BootImage is not null).Select(c => c.BootImage!).ToHashSet();
        foreach (var (path, hash) in before)
        {
            if (treeEdits.Contains(path))
            {
                AssertEdited(File.ReadAllText(Path.Combine(dir, "after", path.TrimStart('/'))));
            }
            else if (fatImages.Contains(path))
            {
                var efi = Path.Combine(dir, "after", path.TrimStart('/'));
                AssertEdited(IsoChecks.MType(efi, "/EFI/BOOT/grub.cfg"));
                var fsck = ExternalTool.Run("fsck.fat", "dosfstools", ["-n", efi]);
                Assert.True(fsck.ExitCode == 0, fsck.Output + fsck.Error);
                Assert.Equal(IsoChecks.MType(Path.Combine(dir, "before", path.TrimStart('/')), "/EFI/BOOT/BOOTX64.EFI").Length, IsoChecks.MType(efi, "/EFI/BOOT/BOOTX64.EFI").Length);
            }
            else
            {
                Assert.True(hash == after[path], $"{path} changed");
            }
        }
    }

    [Fact]
    public void Inject_DeltaIsSmall()
    {
        Assert.True(injected.Both.Delta.ToBytes().Length <= 64 * 1024, $"{injected.Both.Delta.ToBytes().Length} bytes");
        Assert.True(injected.IsoOnly.Delta.ToBytes().Length <= 64 * 1024, $"{injected.IsoOnly.Delta.ToBytes().Length} bytes");
    }

    [Fact]
    public void Inspect_ListsEveryBootEntryWithItsNewCommandLine()
    {
        using var stream = File.OpenRead(injected.Both.Output);
        var info = BootIsoInfo.Inspect(stream);
        Assert.Equal("IRONIC_TEST", info.Label);
        Assert.Equal("MBR+GPT", info.Hybrid);
        Assert.Equal(2, info.ElTorito.Count);
        Assert.Equal(3, info.BootEntries.Count);
        Assert.All(info.BootEntries, e => AssertEdited(e.CommandLine));
        Assert.Contains(info.BootEntries, e => e.ConfigLocation == "/images/efiboot.img:/EFI/BOOT/grub.cfg");
    }

    internal static void AssertEdited(string text)
    {
        foreach (var p in InjectedIsos.Appended) Assert.Contains(p, text, StringComparison.Ordinal);
        Assert.DoesNotContain("panic=", text, StringComparison.Ordinal);
        Assert.Contains("console=ttyS0", text, StringComparison.Ordinal);
    }
}
