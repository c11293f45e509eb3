using System.Text;
using Ironic.Core.Iso;
using Ironic.Core.Iso.BootConfig;
using Tool = Ironic.Core.Tests.Iso.Fixtures.ExternalTool;

namespace Ironic.Core.Tests.Iso.Overlay;

/// <summary>A configuration with an unusual name is found by its content; notes that quote one are left alone.</summary>
public class ConfigDiscoveryTests
{
    private const string Menu = "label linux\n  menu label Install\n  kernel /vmlinuz\n  append initrd=/initrd.img quiet\nlabel rescue\n  kernel /vmlinuz\n  append initrd=/initrd.img rescue quiet\n";
    private const string Readme = "About this image\n\nIts menu has an entry like this one:\n\nlabel linux\n  kernel /vmlinuz\n  append initrd=/initrd.img quiet\n\nEdit the append line to change the kernel command line.\n";

    [Fact]
    public void Inject_EditsAConfigNamedInstallMenu_AndLeavesTheReadmeThatQuotesOne()
    {
        var dir = TestIsos.ScratchDirectory();
        var tree = Path.Combine(dir, "tree");
        Directory.CreateDirectory(Path.Combine(tree, "isolinux"));
        File.WriteAllText(Path.Combine(tree, "isolinux", "isolinux.cfg"), "default linux\ntimeout 1\ninclude install.menu\n");
        File.WriteAllText(Path.Combine(tree, "isolinux", "install.menu"), Menu);
        File.WriteAllText(Path.Combine(tree, "README"), Readme);
        var iso = Path.Combine(dir, "menu.iso");
        Tool.Run("xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-V", "MENU", "-o", iso, tree);

        var output = Path.Combine(dir, "out.iso");
        IReadOnlyList<ChangedFile> changed;
        using (var stream = File.OpenRead(iso))
        {
            var builder = new BootIsoBuilder(IsoImage.Open(stream));
            changed = builder.EditKernelParameters(new KernelParameterEdit(["ironic.node=n1"], ["quiet"]));
            using var overlay = IsoOverlay.Open(stream, builder.Build());
            overlay.WriteTo(output);
        }

        Assert.Equal("/isolinux/install.menu", Assert.Single(changed).Location);
        var menu = Encoding.UTF8.GetString(IsoChecks.IsoInfoRead(output, "-R", "/isolinux/install.menu"));
        Assert.Equal(Menu.Replace(" quiet\n", " ironic.node=n1\n", StringComparison.Ordinal), menu);
        Assert.Equal(Readme, Encoding.UTF8.GetString(IsoChecks.IsoInfoRead(output, "-R", "/README")));
        using var reread = File.OpenRead(output);
        var entries = BootIsoInfo.Inspect(reread).BootEntries;
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal("/isolinux/install.menu", e.ConfigLocation));
    }
}
