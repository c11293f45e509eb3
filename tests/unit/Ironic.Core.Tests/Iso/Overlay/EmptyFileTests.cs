using System.Text;
using Ironic.Core.Iso;
using Tool = Ironic.Core.Tests.Iso.Fixtures.ExternalTool;

namespace Ironic.Core.Tests.Iso.Overlay;

/// <summary>
/// Replacing an empty file patches its record in every tree although no data sector links them:
/// the Joliet name finds its plain ISO 9660 twin (8.3 at level 1, long upper-case at level 3).
/// </summary>
public class EmptyFileTests
{
    [Theory]
    [InlineData("1")]
    [InlineData("3")]
    public void ReplacingEmptyFiles_OfAJolietImage_UpdatesThePlainIso9660RecordsToo(string level)
    {
        var dir = TestIsos.ScratchDirectory();
        var tree = Path.Combine(dir, "tree");
        Directory.CreateDirectory(Path.Combine(tree, "docs"));
        Directory.CreateDirectory(Path.Combine(tree, "only-empty"));
        File.WriteAllText(Path.Combine(tree, "docs", "notes.txt"), "a file with content\n");
        File.WriteAllBytes(Path.Combine(tree, "docs", "empty-placeholder.conf"), []);
        File.WriteAllBytes(Path.Combine(tree, "docs", "empty-second.conf"), []);
        File.WriteAllBytes(Path.Combine(tree, "only-empty", "another-empty.txt"), []);
        var iso = Path.Combine(dir, "joliet.iso");
        Tool.Run("xorriso", "-as", "mkisofs", "-quiet", "-iso-level", level, "--norock", "-J", "-V", "EMPTY", "-o", iso, tree);

        var plainBefore = IsoChecks.IsoInfoPlainPaths(iso);
        var files = new Dictionary<string, byte[]>
        {
            ["/docs/empty-placeholder.conf"] = "placeholder=filled\n"u8.ToArray(),
            ["/only-empty/another-empty.txt"] = Encoding.UTF8.GetBytes(new string('x', 5000)),
        };
        var output = Path.Combine(dir, "out.iso");
        using (var stream = File.OpenRead(iso))
        {
            var builder = new BootIsoBuilder(IsoImage.Open(stream));
            foreach (var (path, content) in files) builder.PutFile(path, content);
            using var overlay = IsoOverlay.Open(stream, builder.Build());
            overlay.WriteTo(output);
        }

        Assert.Equal(plainBefore, IsoChecks.IsoInfoPlainPaths(output));
        foreach (var (path, content) in files)
        {
            var plain = PlainName(plainBefore, path);
            Assert.Equal(content, IsoChecks.IsoInfoRead(output, "-J", path));
            Assert.Equal(content, IsoChecks.IsoInfoRead(output, "", plain));
            Assert.Equal(content, IsoChecks.PycdlibRead(output, "joliet_path", path));
            Assert.Equal(content, IsoChecks.PycdlibRead(output, "iso_path", plain));
        }
        // The other empty file of the same directory stays empty in both trees.
        Assert.Empty(IsoChecks.IsoInfoRead(output, "-J", "/docs/empty-second.conf"));
        Assert.Empty(IsoChecks.IsoInfoRead(output, "", PlainName(plainBefore, "/docs/empty-second.conf")));
    }

    /// <summary>The plain ISO 9660 path xorriso gave a file: each part a shortened, upper-cased, '_'-for-'-' form of the long one.</summary>
    private static string PlainName(List<string> plainPaths, string path)
    {
        var parts = path.Trim('/').Split('/');
        return plainPaths.Single(p =>
        {
            var plain = p.Trim('/').Split('/');
            return plain.Length == parts.Length && plain[^1].Contains(';', StringComparison.Ordinal)
                && parts.Zip(plain).All(x => x.First.ToUpperInvariant().Replace('-', '_').StartsWith(x.Second.Split(';')[0].Split('.')[0], StringComparison.Ordinal));
        });
    }
}
