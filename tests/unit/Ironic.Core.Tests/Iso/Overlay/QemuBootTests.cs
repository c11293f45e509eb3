using System.Text;
using Ironic.Core.Iso;
using Ironic.Core.Iso.BootConfig;

namespace Ironic.Core.Tests.Iso.Overlay;

[CollectionDefinition("Qemu", DisableParallelization = true)]
public sealed class QemuCollection;

/// <summary>
/// Boots the injected images under qemu (../shared/tools/boot-iso.sh for CD-ROM boots, our own
/// qemu line for the USB disk boot) and checks the kernel command line the test initramfs prints.
/// Five boots: BIOS and UEFI for both layouts, and UEFI from a USB disk.
/// </summary>
[Collection("Qemu")]
public class QemuBootTests(InjectedIsos injected) : IClassFixture<InjectedIsos>
{
    [Theory]
    [InlineData("both", "bios")]
    [InlineData("both", "uefi")]
    [InlineData("iso", "bios")]
    [InlineData("iso", "uefi")]
    public void Boot_AsCdrom_KernelSeesInjectedParameters(string layout, string firmware)
    {
        var iso = layout == "both" ? injected.Both.Output : injected.IsoOnly.Output;
        var args = new List<string> { TestIsos.BootScript, iso, "--firmware", firmware, "--timeout", "240" };
        foreach (var p in InjectedIsos.Appended) args.AddRange(["--expect", p]);
        var r = ExternalTool.Run("bash", "qemu-system-x86 ovmf", args, TimeSpan.FromMinutes(5));
        Assert.True(r.ExitCode == 0, $"boot-iso.sh exited {r.ExitCode}: {r.Output}{r.Error}");
        AssertCommandLine(r.Output);
    }

    [Fact]
    public void Boot_AsUsbDiskUnderUefi_AfterTheImageGrew()
    {
        // Grow the tree's grub.cfg past its sectors so the file is appended, the image grows and
        // the GPT backup moves: the firmware must still find the EFI partition, GRUB the ISO.
        var dir = TestIsos.ScratchDirectory();
        var output = Path.Combine(dir, "usb.iso");
        IsoDelta delta;
        using (var stream = File.OpenRead(injected.Both.Base))
        {
            var builder = new BootIsoBuilder(IsoImage.Open(stream));
            builder.EditKernelParameters(new KernelParameterEdit(InjectedIsos.Appended, [InjectedIsos.Removed]));
            builder.EditTextFiles((p, _) => p == "/EFI/BOOT/grub.cfg", (f, text) => f.BootImage is null ? text + "\n# " + new string('-', 6000) + "\n" : null);
            delta = builder.Build();
            using var overlay = IsoOverlay.Open(stream, delta);
            overlay.WriteTo(output);
        }
        Assert.True(delta.NewLength > delta.BaseLength, "the edit was meant to grow the image");
        Assert.Equal("ok", IsoChecks.GptCrcCheck(output));

        var vars = Path.Combine(dir, "vars.fd");
        File.Copy("/usr/share/OVMF/OVMF_VARS_4M.fd", vars);
        var qemu = new[]
        {
            "-m", "512", "-nographic", "-no-reboot", "-nic", "none", "-serial", "mon:stdio", "-machine", "q35",
            "-drive", "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
            "-drive", $"if=pflash,format=raw,file={vars}",
            "-drive", $"if=none,id=usbdisk,file={output},format=raw,readonly=on",
            "-device", "qemu-xhci", "-device", "usb-storage,drive=usbdisk,removable=on",
        };
        var script = "timeout 240 qemu-system-x86_64 \"$@\" </dev/null 2>&1 | tr -d '\\r' | grep -a -m1 '^IRONIC-CMDLINE:'";
        var r = ExternalTool.Run("bash", "qemu-system-x86 ovmf", ["-c", script, "qemu", .. qemu], TimeSpan.FromMinutes(5));
        Assert.True(r.Output.Contains("IRONIC-CMDLINE:", StringComparison.Ordinal), $"no command line from the USB boot: {r.Output}{r.Error}");
        AssertCommandLine(r.Output);
    }

    private static void AssertCommandLine(string output)
    {
        var line = output.Split('\n').First(l => l.StartsWith("IRONIC-CMDLINE:", StringComparison.Ordinal));
        var words = line["IRONIC-CMDLINE:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var p in InjectedIsos.Appended) Assert.Contains(p, words);
        Assert.DoesNotContain(words, w => w.StartsWith(InjectedIsos.Removed + "=", StringComparison.Ordinal));
        Assert.Contains("console=ttyS0", words);
    }
}
