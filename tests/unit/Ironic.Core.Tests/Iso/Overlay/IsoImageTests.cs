using Ironic.Core.Iso;

namespace Ironic.Core.Tests.Iso.Overlay;

public class IsoImageTests(TestIsos isos) : IClassFixture<TestIsos>
{
    [Fact]
    public void Open_ReadsTreesElToritoAndHybridLayout()
    {
        using var stream = File.OpenRead(isos.Both);
        var image = IsoImage.Open(stream);

        Assert.Equal("IRONIC_TEST", image.Label);
        Assert.Contains(image.Volumes, v => v.Kind == IsoTreeKind.Primary && v.RockRidge);
        Assert.Contains(image.Volumes, v => v.Kind == IsoTreeKind.Joliet);
        Assert.NotNull(image.Find("/EFI/BOOT/grub.cfg"));
        Assert.NotNull(image.Find("/isolinux/isolinux.cfg"));
        var catalog = Assert.IsType<ElToritoCatalog>(image.ElTorito);
        Assert.Equal("/isolinux/boot.cat", catalog.CatalogPath);
        Assert.Collection(catalog.Entries,
            bios => { Assert.Equal(ElToritoPlatform.Bios, bios.Platform); Assert.Equal("/isolinux/isolinux.bin", bios.ImagePath); },
            efi => { Assert.Equal(ElToritoPlatform.Efi, efi.Platform); Assert.Equal("/images/efiboot.img", efi.ImagePath); });
        Assert.Equal("MBR+GPT", image.Hybrid.Describe());
        Assert.False(image.HasUdf);
    }

    [Fact]
    public void Open_JolietTreeHasTheSameFilesAsTheRockRidgeTree()
    {
        using var stream = File.OpenRead(isos.Both);
        var image = IsoImage.Open(stream);
        var rr = image.EntriesOf(image.PreferredVolume).Where(e => !e.IsDirectory).Select(e => e.Path).Order().ToList();
        var joliet = image.EntriesOf(image.Volumes.Single(v => v.Kind == IsoTreeKind.Joliet)).Where(e => !e.IsDirectory).Select(e => e.Path).Order().ToList();
        Assert.Equal(rr, joliet);
        var isoinfo = ExternalTool.RunChecked("isoinfo", "genisoimage", "-R", "-f", "-i", isos.Both).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToList();
        Assert.Equal(isoinfo, image.EntriesOf(image.PreferredVolume).Where(e => e.Path != "/").Select(e => e.Path).Order().ToList());
    }
}
