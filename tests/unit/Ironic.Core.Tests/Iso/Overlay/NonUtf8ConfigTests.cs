using System.Text;
using Ironic.Core.Iso;
using Ironic.Core.Iso.BootConfig;
using Tool = Ironic.Core.Tests.Iso.Fixtures.ExternalTool;

namespace Ironic.Core.Tests.Iso.Overlay;

/// <summary>
/// Configurations that are not UTF-8 (Latin-1 menu titles, stray bytes in comments) keep every
/// byte outside the edited kernel line, in the ISO tree and inside the EFI FAT image.
/// </summary>
public class NonUtf8ConfigTests
{
    // Latin-1 "Système" and "Démarrer" (0xE8, 0xE9), a 0xFF and a lone UTF-8 lead byte 0xC3: not UTF-8.
    private static readonly byte[] Isolinux = Concat(
        "default linux\n# Syst"u8.ToArray(), [0xE8], "me "u8.ToArray(), [0xFF, (byte)'\n'],
        "label linux\n  menu label Install "u8.ToArray(), [0xC3, (byte)'\n'],
        "  kernel /vmlinuz\n  append initrd=/initrd.img quiet console=ttyS0\n"u8.ToArray());

    private static readonly byte[] Grub = Concat(
        "set timeout=1\n# caf"u8.ToArray(), [0xE9, (byte)'\n'],
        "menuentry 'D"u8.ToArray(), [0xE9], "marrer' {\n  linux /vmlinuz quiet console=ttyS0\n  initrd /initrd.img\n}\n"u8.ToArray());

    [Fact]
    public void Inject_KeepsEveryByteOutsideTheEditedLines_InTheTreeAndTheEfiImage()
    {
        var dir = TestIsos.ScratchDirectory();
        var tree = Path.Combine(dir, "tree");
        Directory.CreateDirectory(Path.Combine(tree, "isolinux"));
        Directory.CreateDirectory(Path.Combine(tree, "EFI", "BOOT"));
        File.WriteAllBytes(Path.Combine(tree, "isolinux", "isolinux.cfg"), Isolinux);
        File.WriteAllBytes(Path.Combine(tree, "EFI", "BOOT", "grub.cfg"), Grub);
        var efi = Path.Combine(tree, "efiboot.img");
        Tool.Run("mkfs.vfat", "-C", "-n", "EFIBOOT", efi, "1024");
        Tool.Run("mmd", "-i", efi, "::/EFI", "::/EFI/BOOT");
        Tool.Run("mcopy", "-i", efi, Path.Combine(tree, "EFI", "BOOT", "grub.cfg"), "::/EFI/BOOT/grub.cfg");
        var iso = Path.Combine(dir, "latin1.iso");
        Tool.Run("xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-V", "LATIN1", "-e", "efiboot.img", "-no-emul-boot", "-o", iso, tree);

        var output = Path.Combine(dir, "out.iso");
        IReadOnlyList<ChangedFile> changed;
        using (var stream = File.OpenRead(iso))
        {
            var builder = new BootIsoBuilder(IsoImage.Open(stream));
            changed = builder.EditKernelParameters(new KernelParameterEdit(["ironic.node=n\u00e9"], ["quiet"]));
            using var overlay = IsoOverlay.Open(stream, builder.Build());
            overlay.WriteTo(output);
        }
        Assert.Equal(["/EFI/BOOT/grub.cfg", "/efiboot.img:/EFI/BOOT/grub.cfg", "/isolinux/isolinux.cfg"], changed.Select(c => c.Location).Order(StringComparer.Ordinal));

        AssertOnlyKernelLineChanged(Isolinux, IsoChecks.IsoInfoRead(output, "-R", "/isolinux/isolinux.cfg"), "append");
        AssertOnlyKernelLineChanged(Grub, IsoChecks.IsoInfoRead(output, "-J", "/EFI/BOOT/grub.cfg"), "  linux");
        var extracted = Path.Combine(dir, "efiboot.img");
        File.WriteAllBytes(extracted, IsoChecks.IsoInfoRead(output, "-R", "/efiboot.img"));
        var fromFat = Path.Combine(dir, "grub-from-fat.cfg");
        Tool.Run("mcopy", "-i", extracted, "::/EFI/BOOT/grub.cfg", fromFat);
        AssertOnlyKernelLineChanged(Grub, File.ReadAllBytes(fromFat), "  linux");
    }

    private static void AssertOnlyKernelLineChanged(byte[] before, byte[] after, string kernelLineStart)
    {
        var oldLines = Lines(before);
        var newLines = Lines(after);
        Assert.Equal(oldLines.Count, newLines.Count);
        var kernelLines = 0;
        for (var i = 0; i < oldLines.Count; i++)
        {
            if (Encoding.Latin1.GetString(oldLines[i]).TrimStart().StartsWith(kernelLineStart.Trim(), StringComparison.Ordinal))
            {
                kernelLines++;
                // The new parameter is written as UTF-8 (é = C3 A9), the removed one is gone.
                Assert.True(newLines[i].AsSpan().IndexOf("ironic.node=n\u00e9"u8) >= 0, Encoding.Latin1.GetString(newLines[i]));
                Assert.True(newLines[i].AsSpan().IndexOf("quiet"u8) < 0, Encoding.Latin1.GetString(newLines[i]));
            }
            else
            {
                Assert.Equal(oldLines[i], newLines[i]);
            }
        }
        Assert.Equal(1, kernelLines);
    }

    private static List<byte[]> Lines(byte[] bytes)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != '\n') continue;
            lines.Add(bytes[start..(i + 1)]);
            start = i + 1;
        }
        if (start < bytes.Length) lines.Add(bytes[start..]);
        return lines;
    }

    private static byte[] Concat(params byte[][] parts)
    {
        var result = new List<byte>();
        foreach (var p in parts) result.AddRange(p);
        return [.. result];
    }
}
