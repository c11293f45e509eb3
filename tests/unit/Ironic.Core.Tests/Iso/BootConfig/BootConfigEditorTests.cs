using Ironic.Core.Iso.BootConfig;
using static Ironic.Core.Tests.Iso.BootConfig.SampleConfigs;

namespace Ironic.Core.Tests.Iso.BootConfig;

public class BootConfigEditorTests
{
    private static KernelParameterEdit Edit(string[]? append = null, string[]? remove = null) => new(append ?? [], remove ?? []);

    private static List<string> CommandLines(BootConfigKind kind, string text) =>
        BootConfigEditor.ReadEntries(kind, text).Select(e => e.CommandLine).ToList();

    /// <summary>Lines that differ between two texts: what an edit touched.</summary>
    private static List<(string Before, string After)> ChangedLines(string before, string after)
    {
        var a = before.Split('\n');
        var b = after.Split('\n');
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b).Where(p => p.First != p.Second).ToList();
    }

    [Fact]
    public void Grub_Fedora_AppendsToEveryLinuxefiLine_InMenuentriesAndSubmenus()
    {
        var result = BootConfigEditor.Apply(BootConfigKind.Grub, FedoraGrub, Edit(["ipa-api-url=http://10.0.0.1:6385", "nofb"]));

        var changed = ChangedLines(FedoraGrub, result);
        Assert.Equal(4, changed.Count);
        Assert.All(changed, c => Assert.Equal(c.Before + " ipa-api-url=http://10.0.0.1:6385 nofb", c.After));
        var entries = BootConfigEditor.ReadEntries(BootConfigKind.Grub, result);
        Assert.Equal(
            ["Install Fedora 40", "Test this media & install Fedora 40", "Troubleshooting --> > Install Fedora 40 in basic graphics mode", "Troubleshooting --> > Rescue a Fedora system"],
            entries.Select(e => e.Title));
        Assert.All(entries, e => Assert.EndsWith("quiet ipa-api-url=http://10.0.0.1:6385 nofb", e.CommandLine, StringComparison.Ordinal));
        Assert.All(entries, e => Assert.Equal("/images/pxeboot/vmlinuz", e.Kernel));
        Assert.All(entries, e => Assert.Equal("/images/pxeboot/initrd.img", e.Initrd));
    }

    [Fact]
    public void Grub_Fedora_RemoveByKey_AndReplaceKeyValue_WithoutDuplicates()
    {
        var result = BootConfigEditor.Apply(BootConfigKind.Grub, FedoraGrub,
            Edit(append: ["inst.stage2=hd:LABEL=NODE1"], remove: ["quiet", "rd.live.check"]));
        var lines = CommandLines(BootConfigKind.Grub, result);
        Assert.Equal("inst.stage2=hd:LABEL=NODE1", lines[0]);
        Assert.Equal("inst.stage2=hd:LABEL=NODE1", lines[1]);
        Assert.Equal("inst.stage2=hd:LABEL=NODE1 nomodeset", lines[2]);
        Assert.Equal("inst.stage2=hd:LABEL=NODE1 inst.rescue", lines[3]);
        Assert.DoesNotContain("quiet", result, StringComparison.Ordinal);
        // Appending the same key=value twice changes nothing more.
        Assert.Equal(result, BootConfigEditor.Apply(BootConfigKind.Grub, result, Edit(["inst.stage2=hd:LABEL=NODE1"])));
    }

    [Fact]
    public void Grub_Ubuntu_InsertsBeforeTripleDash_AndKeepsVariablesAndLaterParameters()
    {
        var result = BootConfigEditor.Apply(BootConfigKind.Grub, UbuntuGrub, Edit(["autoinstall", "ds=nocloud;s=http://10.0.0.1/"], ["quiet"]));
        Assert.Contains("\tlinux\t/casper/vmlinuz  autoinstall 'ds=nocloud;s=http://10.0.0.1/' ---\n", result, StringComparison.Ordinal);
        Assert.Contains("\tlinux\t/casper/hwe-vmlinuz splash autoinstall 'ds=nocloud;s=http://10.0.0.1/' --- console=tty0\n", result, StringComparison.Ordinal);
        Assert.Contains("iso-scan/filename=${iso_path} $kernel_args autoinstall 'ds=nocloud;s=http://10.0.0.1/' ---\n", result, StringComparison.Ordinal);

        var entries = BootConfigEditor.ReadEntries(BootConfigKind.Grub, result);
        Assert.Equal(3, entries.Count);
        Assert.Equal("autoinstall ds=nocloud;s=http://10.0.0.1/ ---", entries[0].CommandLine);
        Assert.Equal("splash autoinstall ds=nocloud;s=http://10.0.0.1/ --- console=tty0", entries[1].CommandLine);
        Assert.Equal("/casper/initrd", entries[0].Initrd);
    }

    [Fact]
    public void Grub_ReplacesParametersAfterTripleDash_InPlace()
    {
        var result = BootConfigEditor.Apply(BootConfigKind.Grub, UbuntuGrub, Edit(["console=ttyS0,115200"]));
        Assert.Contains("quiet splash --- console=ttyS0,115200\n", result, StringComparison.Ordinal);
        Assert.DoesNotContain("console=tty0", result, StringComparison.Ordinal);
        var entries = BootConfigEditor.ReadEntries(BootConfigKind.Grub, result);
        Assert.Equal("console=ttyS0,115200 ---", entries[0].CommandLine);
        Assert.Equal("quiet splash --- console=ttyS0,115200", entries[1].CommandLine);
    }

    [Fact]
    public void Grub_QuotedWordsContinuationsAndCrlf_AreRespected()
    {
        const string text = "menuentry \"A\" {\r\n  linux /vmlinuz root=live:CDLABEL=X \\\r\n    \"quoted arg\" console=tty0 \\\r\n    console=ttyS0 quiet\r\n  initrd /initrd\r\n}\r\n# linux /commented quiet\r\n";
        var result = BootConfigEditor.Apply(BootConfigKind.Grub, text, Edit(["console=ttyS1"], ["quiet"]));
        Assert.Equal("menuentry \"A\" {\r\n  linux /vmlinuz root=live:CDLABEL=X \\\r\n    \"quoted arg\" console=ttyS1 \\\r\n    \r\n  initrd /initrd\r\n}\r\n# linux /commented quiet\r\n", result);
        var entry = Assert.Single(BootConfigEditor.ReadEntries(BootConfigKind.Grub, result));
        Assert.Equal("root=live:CDLABEL=X quoted arg console=ttyS1", entry.CommandLine);
    }

    [Fact]
    public void Grub_Linux16AndSemicolonCommands_AreEdited()
    {
        const string text = "menuentry 'BIOS' { linux16 /vmlinuz ro; initrd16 /initrd.img; }\n";
        var result = BootConfigEditor.Apply(BootConfigKind.Grub, text, Edit(["ipa=1"]));
        Assert.Equal("menuentry 'BIOS' { linux16 /vmlinuz ro ipa=1; initrd16 /initrd.img; }\n", result);
    }

    [Fact]
    public void Isolinux_DebianTxtAndGtk_AppendBeforeTripleDash_KeepInitrd()
    {
        foreach (var text in new[] { DebianTxtCfg, DebianGtkCfg })
        {
            var result = BootConfigEditor.Apply(BootConfigKind.Isolinux, text, Edit(["auto=true", "priority=critical", "vga=normal"], ["initrd", "quiet"]));
            var changed = Assert.Single(ChangedLines(text, result));
            Assert.Matches(@"^\tappend vga=normal initrd=/install\.amd/(gtk/)?initrd\.gz auto=true priority=critical --- $", changed.After);
        }
        var entry = Assert.Single(BootConfigEditor.ReadEntries(BootConfigKind.Isolinux, DebianTxtCfg));
        Assert.Equal(new BootEntry("Install", "/install.amd/vmlinuz", "vga=788 initrd=/install.amd/initrd.gz --- quiet", "/install.amd/initrd.gz"), entry);
    }

    [Fact]
    public void Isolinux_Centos_LeavesLocalbootAndMenuLines_EditsEveryKernelEntry()
    {
        var result = BootConfigEditor.Apply(BootConfigKind.Isolinux, CentosIsolinux, Edit(["inst.ks=http://10.0.0.1/ks.cfg"], ["rd.live.check"]));
        var changed = ChangedLines(CentosIsolinux, result);
        Assert.Equal(3, changed.Count); // two append lines and memtest's kernel line
        Assert.Contains(changed, c => c.After == "  append initrd=initrd.img inst.stage2=hd:LABEL=CentOS-Stream-9-BaseOS-x86_64 quiet inst.ks=http://10.0.0.1/ks.cfg");
        Assert.Contains(changed, c => c.After == "  kernel memtest inst.ks=http://10.0.0.1/ks.cfg");
        Assert.Contains("  localboot 0xffff\n", result, StringComparison.Ordinal);
        Assert.Contains("default vesamenu.c32\n", result, StringComparison.Ordinal);

        var entries = BootConfigEditor.ReadEntries(BootConfigKind.Isolinux, result);
        Assert.Equal(["Install CentOS Stream 9", "Test this media & install CentOS Stream 9", "Run a memory test"], entries.Select(e => e.Title));
        Assert.All(entries.Take(2), e => Assert.Equal("initrd.img", e.Initrd));
    }

    [Fact]
    public void Isolinux_InlineKernelArguments_AndGlobalAppend()
    {
        const string text = "APPEND console=tty0\nLABEL a\n  LINUX /vmlinuz quiet\nLABEL b\n  KERNEL /vmlinuz\n";
        var result = BootConfigEditor.Apply(BootConfigKind.Isolinux, text, Edit(["ipa=1"], ["quiet"]));
        Assert.Equal("APPEND console=tty0 ipa=1\nLABEL a\n  LINUX /vmlinuz ipa=1\nLABEL b\n  KERNEL /vmlinuz\n", result);
        var entries = BootConfigEditor.ReadEntries(BootConfigKind.Isolinux, result);
        Assert.Equal(["ipa=1", "console=tty0 ipa=1"], entries.Select(e => e.CommandLine));
    }

    [Fact]
    public void Isolinux_Esxi_AppendsToMbootLine_NotToLocalboot()
    {
        var result = BootConfigEditor.Apply(BootConfigKind.Isolinux, EsxiIsolinux, Edit(["ks=cdrom:/KS.CFG"]));
        var changed = Assert.Single(ChangedLines(EsxiIsolinux, result));
        Assert.Equal("  APPEND -c boot.cfg ks=cdrom:/KS.CFG", changed.After);
    }

    [Fact]
    public void Esxi_BootCfg_EditsKernelopt_KeepsCrlf()
    {
        var result = BootConfigEditor.Apply(BootConfigKind.EsxiBootCfg, EsxiBootCfgText, Edit(["ks=http://10.0.0.1/ks.cfg"], ["runweasel"]));
        Assert.Equal(EsxiBootCfgText.Replace("kernelopt=runweasel cdromBoot\r\n", "kernelopt=cdromBoot ks=http://10.0.0.1/ks.cfg\r\n", StringComparison.Ordinal), result);
        var entry = Assert.Single(BootConfigEditor.ReadEntries(BootConfigKind.EsxiBootCfg, result));
        Assert.Equal("/b.b00", entry.Kernel);
        Assert.Equal("cdromBoot ks=http://10.0.0.1/ks.cfg", entry.CommandLine);
        Assert.Equal("Loading ESXi installer", entry.Title);
    }

    [Fact]
    public void Esxi_BootCfg_WithoutKerneloptOrWithAnEmptyOne_GetsOne()
    {
        var withoutLine = EsxiBootCfgText.Replace("kernelopt=runweasel cdromBoot\r\n", "", StringComparison.Ordinal);
        var added = BootConfigEditor.Apply(BootConfigKind.EsxiBootCfg, withoutLine, Edit(["ks=x", "a", "ks=y"]));
        Assert.Contains("kernel=/b.b00\r\nkernelopt=a ks=y\r\nmodules=", added, StringComparison.Ordinal);

        var empty = EsxiBootCfgText.Replace("kernelopt=runweasel cdromBoot", "kernelopt=", StringComparison.Ordinal);
        var filled = BootConfigEditor.Apply(BootConfigKind.EsxiBootCfg, empty, Edit(["ks=x"]));
        Assert.Contains("\r\nkernelopt=ks=x\r\n", filled, StringComparison.Ordinal);
    }

    [Fact]
    public void Remove_KeyRemovesEveryValue_KeyValueRemovesOnlyThatOne()
    {
        const string text = "label a\n kernel /k\n append console=tty0 console=ttyS0,115200 quiet\n";
        Assert.Equal("label a\n kernel /k\n append quiet\n", BootConfigEditor.Apply(BootConfigKind.Isolinux, text, Edit(remove: ["console"])));
        Assert.Equal("label a\n kernel /k\n append console=ttyS0,115200 quiet\n", BootConfigEditor.Apply(BootConfigKind.Isolinux, text, Edit(remove: ["console=tty0"])));
        Assert.Equal("label a\n kernel /k\n append console=ttyS1 quiet\n", BootConfigEditor.Apply(BootConfigKind.Isolinux, text, Edit(["console=ttyS1"])));
        Assert.Equal(text, BootConfigEditor.Apply(BootConfigKind.Isolinux, text, Edit(["quiet"])));
        Assert.Equal(text, BootConfigEditor.Apply(BootConfigKind.Isolinux, text, Edit(remove: ["absent"])));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("a=\"b\"")]
    [InlineData("x='y'")]
    [InlineData("line\nbreak")]
    [InlineData("=value")]
    [InlineData("---")]
    [InlineData("tab\there")]
    public void BadParameters_AreRefused_WithAReason(string parameter)
    {
        var append = Assert.Throws<ArgumentException>(() => new KernelParameterEdit([parameter], []));
        Assert.Contains("append", append.Message, StringComparison.Ordinal);
        var remove = Assert.Throws<ArgumentException>(() => new KernelParameterEdit([], [parameter]));
        Assert.Contains("remove", remove.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyEdit_ReturnsTheSameText()
    {
        Assert.Same(FedoraGrub, BootConfigEditor.Apply(BootConfigKind.Grub, FedoraGrub, KernelParameterEdit.None));
    }
}

public class BootConfigEditorBytesAndBlocksTests
{
    [Fact]
    public void Apply_OnBytes_KeepsNonAsciiBytesOfTitlesIdentical()
    {
        var content = System.Text.Encoding.UTF8.GetBytes("menuentry 'Installer — ünïcode' {\r\n  linux /vmlinuz quiet\r\n}\r\n")
            .Concat(new byte[] { 0x23, 0x20, 0xE9, 0xFF, 0x0A }).ToArray(); // a comment in Latin-1, invalid as UTF-8
        var result = BootConfigEditor.Apply(BootConfigKind.Grub, content, new KernelParameterEdit(["hostname=nœud"], ["quiet"]));
        var expected = System.Text.Encoding.UTF8.GetBytes("menuentry 'Installer — ünïcode' {\r\n  linux /vmlinuz hostname=nœud\r\n}\r\n")
            .Concat(new byte[] { 0x23, 0x20, 0xE9, 0xFF, 0x0A }).ToArray();
        Assert.Equal(expected, result);
    }

    [Fact]
    public void Grub_LinuxAfterThenOrElse_OnOneLine_IsEdited()
    {
        const string text = "if [ \"$grub_platform\" = efi ]; then linux /k a; else linux16 /k a; fi\n";
        var result = BootConfigEditor.Apply(BootConfigKind.Grub, text, new KernelParameterEdit(["b"], []));
        Assert.Equal("if [ \"$grub_platform\" = efi ]; then linux /k a b; else linux16 /k a b; fi\n", result);
    }
}

public class BootConfigEditorPropertyTests
{
    public static TheoryData<BootConfigKind, string> Samples() => new()
    {
        { BootConfigKind.Grub, SampleConfigs.FedoraGrub },
        { BootConfigKind.Grub, SampleConfigs.UbuntuGrub },
        { BootConfigKind.Isolinux, SampleConfigs.DebianTxtCfg },
        { BootConfigKind.Isolinux, SampleConfigs.CentosIsolinux },
        { BootConfigKind.Isolinux, SampleConfigs.EsxiIsolinux },
        { BootConfigKind.EsxiBootCfg, SampleConfigs.EsxiBootCfgText },
    };

    /// <summary>Configs with lines dropped, repeated and cut short still edit without error, and a second application changes nothing.</summary>
    [Theory]
    [MemberData(nameof(Samples))]
    public void Apply_OnMangledConfigs_NeverThrows_AndIsIdempotent(BootConfigKind kind, string sample)
    {
        var random = new Random(sample.Length);
        var edit = new KernelParameterEdit(["ipa=1", "console=ttyS0", "nofb"], ["quiet", "rd.live.check"]);
        var lines = sample.Split('\n');
        for (int round = 0; round < 200; round++)
        {
            var mangled = new List<string>();
            foreach (var line in lines)
            {
                int dice = random.Next(10);
                if (dice == 0)
                    continue;
                mangled.Add(dice == 1 ? line[..random.Next(line.Length + 1)] : line);
                if (dice == 2)
                    mangled.Add(line);
            }
            string text = string.Join(random.Next(2) == 0 ? "\n" : "\r\n", mangled);
            string once = BootConfigEditor.Apply(kind, text, edit);
            Assert.Equal(once, BootConfigEditor.Apply(kind, once, edit));
            _ = BootConfigEditor.ReadEntries(kind, once);
            _ = BootConfigFiles.Detect("/x.cfg", once);
        }
    }
}
