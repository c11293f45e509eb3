using Ironic.Core.Iso.BootConfig;
using static Ironic.Core.Tests.Iso.BootConfig.SampleConfigs;

namespace Ironic.Core.Tests.Iso.BootConfig;

public class BootConfigFilesTests
{
    /// <summary>Notes that quote an ISOLINUX entry between sentences.</summary>
    private const string Readme = "How to boot this image\n\nThe menu offers one entry, written as:\n\nlabel linux\n  kernel /vmlinuz\n  append quiet\n\nPress Tab at the prompt to change the kernel command line.\nSee the project's documentation for more.\n";

    [Theory]
    [InlineData("/EFI/BOOT/grub.cfg", FedoraGrub, BootConfigKind.Grub)]
    [InlineData("/boot/grub/grub.cfg", UbuntuGrub, BootConfigKind.Grub)]
    [InlineData("/boot/grub/loopback.cfg", UbuntuGrub, BootConfigKind.Grub)]
    [InlineData("/isolinux/txt.cfg", DebianTxtCfg, BootConfigKind.Isolinux)]
    [InlineData("/isolinux/gtk.cfg", DebianGtkCfg, BootConfigKind.Isolinux)]
    [InlineData("/isolinux/isolinux.cfg", CentosIsolinux, BootConfigKind.Isolinux)]
    [InlineData("/ISOLINUX.CFG", EsxiIsolinux, BootConfigKind.Isolinux)]
    [InlineData("/BOOT.CFG", EsxiBootCfgText, BootConfigKind.EsxiBootCfg)]
    [InlineData("/EFI/BOOT/BOOT.CFG", EsxiBootCfgText, BootConfigKind.EsxiBootCfg)]
    public void Detect_UsualNames(string path, string text, BootConfigKind expected) =>
        Assert.Equal(expected, BootConfigFiles.Detect(path, text));

    [Theory]
    [InlineData("/boot/menu-efi.cfg", FedoraGrub, BootConfigKind.Grub)]
    [InlineData("/isolinux/install.cfg", DebianTxtCfg, BootConfigKind.Isolinux)]
    [InlineData("/efi/esxi.conf", EsxiBootCfgText, BootConfigKind.EsxiBootCfg)]
    [InlineData("/grub.cfg", DebianTxtCfg, BootConfigKind.Isolinux)] // content wins over a misleading name
    public void Detect_RenamedConfigs_ByContent(string path, string text, BootConfigKind expected) =>
        Assert.Equal(expected, BootConfigFiles.Detect(path, text));

    [Theory]
    [InlineData("/ks.cfg", Kickstart)]
    [InlineData("/preseed.cfg", "d-i debian-installer/locale string en_US\nd-i netcfg/choose_interface select auto\n")]
    [InlineData("/README.txt", Readme)]                             // quotes a menu entry, but is prose
    [InlineData("/boot.cfg", "just some notes\n")]
    [InlineData("/EFI/BOOT/grub.cfg", "")]
    public void Detect_OtherFiles_AreNotConfigs(string path, string text) =>
        Assert.Null(BootConfigFiles.Detect(path, text));

    [Theory]
    [InlineData("/isolinux/install.menu", DebianTxtCfg, BootConfigKind.Isolinux)]
    [InlineData("/isolinux/boot.txt", CentosIsolinux, BootConfigKind.Isolinux)]
    [InlineData("/boot/grub/entries", UbuntuGrub, BootConfigKind.Grub)]
    [InlineData("/EFI/BOOT/GRUB", FedoraGrub, BootConfigKind.Grub)]
    [InlineData("/EFI/BOOT/BOOT", EsxiBootCfgText, BootConfigKind.EsxiBootCfg)]
    public void Detect_SmallTextFilesWithOtherNames_ByContent(string path, string text, BootConfigKind expected) =>
        Assert.Equal(expected, BootConfigFiles.Detect(path, text));

    [Fact]
    public void Detect_OtherNames_NeedPlainTextThatIsNearlyAllDirectives()
    {
        Assert.Null(BootConfigFiles.Detect("/README", Readme));
        Assert.Null(BootConfigFiles.Detect("/isolinux/boot.menu", DebianTxtCfg.Replace("label", "\u0001label", StringComparison.Ordinal)));
        var padded = DebianTxtCfg + "# " + new string('-', BootConfigFiles.MaxOtherNameBytes) + "\n";
        Assert.Null(BootConfigFiles.Detect("/isolinux/boot.menu", padded));
        Assert.Equal(BootConfigKind.Isolinux, BootConfigFiles.Detect("/isolinux/boot.cfg.in.cfg", padded)); // a config name allows up to 1 MiB
    }

    [Fact]
    public void Detect_IsolinuxCfgThatOnlyIncludes_IsIsolinux_ByItsName()
    {
        const string debianIsolinuxCfg = "# D-I config version 2.0\npath \ninclude menu.cfg\ndefault vesamenu.c32\nprompt 0\ntimeout 0\n";
        Assert.Equal(BootConfigKind.Isolinux, BootConfigFiles.Detect("/isolinux/isolinux.cfg", debianIsolinuxCfg));
        Assert.Null(BootConfigFiles.Detect("/isolinux/other.cfg", debianIsolinuxCfg));
    }

    [Fact]
    public void IsCandidate_ChecksNameAndSize()
    {
        Assert.True(BootConfigFiles.IsCandidate("/EFI/BOOT/BOOT.CFG", 300));
        Assert.False(BootConfigFiles.IsCandidate("/images/efiboot.img", 300));
        Assert.False(BootConfigFiles.IsCandidate("/isolinux/ldlinux.c32", 300));
        Assert.False(BootConfigFiles.IsCandidate("/big.cfg", BootConfigFiles.MaxConfigBytes + 1));
        Assert.True(BootConfigFiles.IsCandidate("/isolinux/install.menu", BootConfigFiles.MaxOtherNameBytes));
        Assert.False(BootConfigFiles.IsCandidate("/isolinux/install.menu", BootConfigFiles.MaxOtherNameBytes + 1));
    }
}
