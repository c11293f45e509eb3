using Ironic.Core.Iso.BootConfig;
using static Ironic.Core.Tests.Iso.BootConfig.SampleConfigs;

namespace Ironic.Core.Tests.Iso.BootConfig;

public class BootConfigFilesTests
{
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
    [InlineData("/isolinux/vmlinuz", DebianTxtCfg)]                 // not a config name
    [InlineData("/boot.cfg", "just some notes\n")]
    [InlineData("/EFI/BOOT/grub.cfg", "")]
    public void Detect_OtherFiles_AreNotConfigs(string path, string text) =>
        Assert.Null(BootConfigFiles.Detect(path, text));

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
        Assert.False(BootConfigFiles.IsCandidate("/big.cfg", BootConfigFiles.MaxConfigBytes + 1));
    }
}
