using System.Text.Json;
using Ironic.Core.Tests.Iso.Overlay;

namespace Ironic.Cli.Tests.Iso;

public class IsoCommandTests(TestIsos isos) : IClassFixture<TestIsos>
{
    [Fact]
    public async Task Show_PrintsLabelElToritoAndBootEntries()
    {
        var output = new StringWriter();
        var code = await IronicCommandLine.InvokeAsync(["iso", "show", isos.Both], output, TextWriter.Null);
        Assert.Equal(0, code);
        var text = output.ToString();
        Assert.Contains("IRONIC_TEST", text, StringComparison.Ordinal);
        Assert.Contains("MBR+GPT", text, StringComparison.Ordinal);
        Assert.Contains("/images/efiboot.img:/EFI/BOOT/grub.cfg", text, StringComparison.Ordinal);
        Assert.Contains("console=ttyS0 panic=-1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_Json_HasElToritoPlatforms()
    {
        var output = new StringWriter();
        Assert.Equal(0, await IronicCommandLine.InvokeAsync(["iso", "show", isos.IsoOnly, "--json"], output, TextWriter.Null));
        using var doc = JsonDocument.Parse(output.ToString());
        var platforms = doc.RootElement.GetProperty("el_torito").EnumerateArray().Select(e => e.GetProperty("platform").GetString()).ToList();
        Assert.Equal(["Bios", "Efi"], platforms);
        Assert.Equal("IRONIC_TEST", doc.RootElement.GetProperty("label").GetString());
    }

    [Fact]
    public async Task Inject_ToDeltaThenApply_GivesTheSameIsoAsInjectToOutput()
    {
        var dir = TestIsos.ScratchDirectory();
        var conf = Path.Combine(dir, "node.conf");
        await File.WriteAllTextAsync(conf, "node=n1\n");
        string[] edits = ["--append", "ironic.node=n1", "--append", "nomodeset", "--remove", "panic", "--inject-file", $"/isolinux/isolinux.cfg={Path.Combine(dir, "isolinux.cfg")}"];
        await File.WriteAllTextAsync(Path.Combine(dir, "isolinux.cfg"), "default linux\nlabel linux\n  kernel /images/vmlinuz\n  append initrd=/images/initrd.img console=ttyS0 injected=1\n");

        var direct = Path.Combine(dir, "direct.iso");
        var delta = Path.Combine(dir, "node.delta");
        var applied = Path.Combine(dir, "applied.iso");
        Assert.Equal(0, await IronicCommandLine.InvokeAsync(["iso", "inject", isos.Both, "--output", direct, .. edits], TextWriter.Null, TextWriter.Null));
        var json = new StringWriter();
        Assert.Equal(0, await IronicCommandLine.InvokeAsync(["iso", "inject", isos.Both, "--delta", delta, "--json", .. edits], json, TextWriter.Null));
        Assert.Equal(0, await IronicCommandLine.InvokeAsync(["iso", "apply", isos.Both, delta, "--output", applied], TextWriter.Null, TextWriter.Null));

        Assert.Equal(await File.ReadAllBytesAsync(direct), await File.ReadAllBytesAsync(applied));
        Assert.True(new FileInfo(delta).Length < 64 * 1024);
        using var doc = JsonDocument.Parse(json.ToString());
        Assert.Equal("delta", doc.RootElement.GetProperty("kind").GetString());

        var show = new StringWriter();
        Assert.Equal(0, await IronicCommandLine.InvokeAsync(["iso", "show", direct], show, TextWriter.Null));
        Assert.Contains("injected=1", show.ToString(), StringComparison.Ordinal);
        Assert.Contains("ironic.node=n1 nomodeset", show.ToString(), StringComparison.Ordinal);
        var extracted = ExternalTool.RunChecked("osirrox", "xorriso", "-indev", direct, "-extract", "/isolinux/isolinux.cfg", Path.Combine(dir, "x.cfg"));
        Assert.Equal(0, extracted.ExitCode);
        Assert.Contains("injected=1", await File.ReadAllTextAsync(Path.Combine(dir, "x.cfg")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inject_WithImplantMd5_WritesAnIsoThatCheckisomd5Passes()
    {
        var dir = TestIsos.ScratchDirectory();
        var output = Path.Combine(dir, "md5.iso");
        Assert.Equal(0, await IronicCommandLine.InvokeAsync(["iso", "inject", isos.IsoOnly, "--output", output, "--append", "a=b", "--implant-md5"], TextWriter.Null, TextWriter.Null));
        var check = ExternalTool.Run("checkisomd5", "isomd5sum", [output]);
        Assert.Contains("result is: PASS", check.Output + check.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inject_NeitherOutputNorDelta_IsAUsageError()
    {
        var error = new StringWriter();
        var code = await IronicCommandLine.InvokeAsync(["iso", "inject", isos.Both, "--append", "a=b"], TextWriter.Null, error);
        Assert.Equal(2, code);
        Assert.Contains("exactly one of --output", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_ToTheWrongBase_FailsWithMessage()
    {
        var dir = TestIsos.ScratchDirectory();
        var delta = Path.Combine(dir, "node.delta");
        Assert.Equal(0, await IronicCommandLine.InvokeAsync(["iso", "inject", isos.Both, "--delta", delta, "--append", "a=b"], TextWriter.Null, TextWriter.Null));
        var error = new StringWriter();
        var code = await IronicCommandLine.InvokeAsync(["iso", "apply", isos.IsoOnly, delta, "--output", Path.Combine(dir, "x.iso")], TextWriter.Null, error);
        Assert.Equal(1, code);
        Assert.Contains("apply it to the ISO it was made from", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_NotAnIso_FailsWithMessage()
    {
        var dir = TestIsos.ScratchDirectory();
        var bogus = Path.Combine(dir, "bogus.iso");
        await File.WriteAllBytesAsync(bogus, new byte[100_000]);
        var error = new StringWriter();
        Assert.Equal(1, await IronicCommandLine.InvokeAsync(["iso", "show", bogus], TextWriter.Null, error));
        Assert.Contains("not an ISO 9660 image", error.ToString(), StringComparison.Ordinal);
    }
}
