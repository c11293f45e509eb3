using System.Text;
using Ironic.Core.Iso;

namespace Ironic.Core.Tests.Iso.Overlay;

public class AddFileTests(TestIsos isos) : IClassFixture<TestIsos>
{
    [Fact]
    public void PutFile_AddsFilesAndDirectories_ThatEveryReaderSees()
    {
        var dir = TestIsos.ScratchDirectory();
        var output = Path.Combine(dir, "added.iso");
        var added = new Dictionary<string, string>
        {
            ["/etc/ironic/node.conf"] = "node=n1\nconductor=c1\n",
            ["/top-level-readme.txt"] = "hello\n",
            ["/isolinux/a-rather-long-file-name-for-iso9660.cfg"] = "# long\n",
        };
        // Enough files to make /isolinux outgrow its sector and move.
        for (var i = 0; i < 60; i++) added[$"/isolinux/extra-{i:D3}.txt"] = $"extra {i}\n";
        using (var stream = File.OpenRead(isos.Both))
        {
            var builder = new BootIsoBuilder(IsoImage.Open(stream));
            foreach (var (path, text) in added) builder.PutFile(path, Encoding.UTF8.GetBytes(text));
            var delta = builder.Build();
            using var overlay = IsoOverlay.Open(stream, delta);
            overlay.WriteTo(output);
        }

        Assert.Equal(IsoChecks.ElToritoReport(isos.Both), IsoChecks.ElToritoReport(output));
        var rrList = ExternalTool.RunChecked("isoinfo", "genisoimage", "-R", "-f", "-i", output).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var jolietList = ExternalTool.RunChecked("isoinfo", "genisoimage", "-J", "-f", "-i", output).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        foreach (var path in added.Keys)
        {
            Assert.Contains(path, rrList);
            Assert.Contains(path, jolietList);
            Assert.Equal(added[path], Encoding.UTF8.GetString(IsoChecks.IsoInfoRead(output, "-R", path)));
        }
        // pycdlib checks the path tables against the directories while it opens the image.
        var (rr, joliet, _) = IsoChecks.PycdlibRead(output, "/etc/ironic/node.conf", "/etc/ironic/node.conf", "/ISOLINUX/ISOLINUX.CFG;1");
        Assert.Equal(added["/etc/ironic/node.conf"], rr);
        Assert.Equal(added["/etc/ironic/node.conf"], joliet);

        var before = IsoChecks.ExtractAll(isos.Both, Path.Combine(dir, "before"));
        var after = IsoChecks.ExtractAll(output, Path.Combine(dir, "after"));
        foreach (var (path, hash) in before) Assert.True(after.TryGetValue(path, out var h) && h == hash, $"{path} changed or vanished");
        Assert.Equal(before.Count + added.Count, after.Count);
        Assert.Equal("ok", IsoChecks.GptCrcCheck(output));

        using var reopened = File.OpenRead(output);
        var image = IsoImage.Open(reopened);
        Assert.Equal(added["/top-level-readme.txt"], Encoding.UTF8.GetString(image.ReadFile(image.Find("/top-level-readme.txt")!)));
    }

    [Fact]
    public void PutFile_OverADirectory_IsRefused()
    {
        using var stream = File.OpenRead(isos.IsoOnly);
        var builder = new BootIsoBuilder(IsoImage.Open(stream));
        var e = Assert.Throws<IsoFormatException>(() => builder.PutFile("/isolinux", "x"u8));
        Assert.Contains("directory", e.Message, StringComparison.Ordinal);
    }
}
