using System.Text;
using Ironic.Core.Iso;

namespace Ironic.Core.Tests.Iso.Overlay;

public class IsoEditorTests(TestIsos isos) : IClassFixture<TestIsos>
{
    [Fact]
    public async Task ReplaceFile_GrowingPastItsSectors_AppendsAndEveryReaderSeesTheNewContent()
    {
        var dir = TestIsos.ScratchDirectory();
        var content = "set timeout=1\n# grown\n" + new string('#', 5000) + "\n";
        IsoDelta delta;
        using (var stream = File.OpenRead(isos.Both))
        {
            var editor = new IsoEditor(IsoImage.Open(stream));
            editor.ReplaceFile("/EFI/BOOT/grub.cfg", Encoding.UTF8.GetBytes(content));
            delta = editor.Build();
            using var overlay = IsoOverlay.Open(stream, delta);
            await overlay.WriteToAsync(Path.Combine(dir, "out.iso"));
        }
        var output = Path.Combine(dir, "out.iso");

        Assert.True(delta.NewLength > delta.BaseLength);
        Assert.Equal(IsoChecks.ElToritoReport(isos.Both), IsoChecks.ElToritoReport(output));
        Assert.Equal(content, Encoding.UTF8.GetString(IsoChecks.IsoInfoRead(output, "-R", "/EFI/BOOT/grub.cfg")));
        Assert.Equal(content, Encoding.UTF8.GetString(IsoChecks.IsoInfoRead(output, "-J", "/EFI/BOOT/grub.cfg")));
        var (rr, joliet, iso9660) = IsoChecks.PycdlibRead(output, "/EFI/BOOT/grub.cfg", "/EFI/BOOT/grub.cfg", "/EFI/BOOT/GRUB.CFG;1");
        Assert.Equal(content, rr);
        Assert.Equal(content, joliet);
        Assert.Equal(content, iso9660);

        var before = IsoChecks.ExtractAll(isos.Both, Path.Combine(dir, "before"));
        var after = IsoChecks.ExtractAll(output, Path.Combine(dir, "after"));
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (path, hash) in before)
        {
            if (path == "/EFI/BOOT/grub.cfg") Assert.Equal(content, File.ReadAllText(Path.Combine(dir, "after", "EFI/BOOT/grub.cfg")));
            else Assert.True(hash == after[path], $"{path} changed");
        }

        Assert.Equal("ok", IsoChecks.GptCrcCheck(output));
        var lbas = delta.NewLength / 512;
        var area = IsoChecks.SystemAreaReport(output);
        Assert.Contains($"ISO image size/512 : {lbas}", area);
        Assert.Contains(area, l => l.StartsWith("MBR partition      :   1", StringComparison.Ordinal) && l.EndsWith($" 0        {lbas}", StringComparison.Ordinal));
        Assert.Contains(area, l => l.StartsWith("GPT lba range", StringComparison.Ordinal) && l.EndsWith($"  {lbas - 1}", StringComparison.Ordinal));
        using var reopened = File.OpenRead(output);
        var image = IsoImage.Open(reopened);
        Assert.Equal((uint)(delta.NewLength / 2048), image.Primary.VolumeSpaceSize);
        Assert.Equal((ulong)(delta.NewLength / 512 - 1), image.Hybrid.Gpt!.BackupLba);
    }

    [Fact]
    public void ReplaceFile_ThatFitsItsSectors_IsRewrittenInPlace()
    {
        using var stream = File.OpenRead(isos.IsoOnly);
        var image = IsoImage.Open(stream);
        var editor = new IsoEditor(image);
        var entry = image.Find("/boot/grub/grub.cfg")!;
        editor.ReplaceFile(entry, "set timeout=2\n"u8);
        var delta = editor.Build();

        Assert.Equal(delta.BaseLength, delta.NewLength);
        Assert.True(delta.PayloadBytes <= 8 * 2048, $"delta carries {delta.PayloadBytes} bytes");
        using var overlay = IsoOverlay.Open(stream, delta);
        var edited = IsoImage.Open(overlay);
        var after = edited.Find("/boot/grub/grub.cfg")!;
        Assert.Equal(entry.FirstSector, after.FirstSector);
        Assert.Equal("set timeout=2\n", Encoding.UTF8.GetString(edited.ReadFile(after)));
    }

    [Fact]
    public void Delta_RoundTripsThroughBytes_AndRefusesAnotherBase()
    {
        IsoDelta delta;
        using (var stream = File.OpenRead(isos.IsoOnly))
        {
            var editor = new IsoEditor(IsoImage.Open(stream));
            editor.ReplaceFile("/isolinux/isolinux.cfg", "default linux\n"u8);
            delta = editor.Build();
        }
        var copy = IsoDelta.FromBytes(delta.ToBytes());
        Assert.Equal(delta.NewLength, copy.NewLength);
        Assert.Equal(delta.BaseFingerprint, copy.BaseFingerprint);
        Assert.Equal(delta.Patches.Select(p => (p.Offset, Convert.ToHexString(p.Bytes))), copy.Patches.Select(p => (p.Offset, Convert.ToHexString(p.Bytes))));

        using var other = File.OpenRead(isos.Both);
        var e = Assert.Throws<IsoFormatException>(() => IsoOverlay.Open(other, copy));
        Assert.Contains("apply it to the ISO it was made from", e.Message, StringComparison.Ordinal);

        var corrupt = delta.ToBytes();
        corrupt[70] ^= 0xFF;
        Assert.Throws<IsoFormatException>(() => IsoDelta.FromBytes(corrupt));
    }
}
