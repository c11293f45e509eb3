using Ironic.Core.Iso;
using Ironic.Core.Iso.BootConfig;

namespace Ironic.Core.Tests.Iso.Overlay;

public class IsoOverlayStreamTests(InjectedIsos injected) : IClassFixture<InjectedIsos>
{
    [Fact]
    public void RandomRanges_ReadTheSameBytesAsTheMaterializedFile()
    {
        // The image grows (a file is appended), so ranges cover patches, base bytes, the appended tail and zero padding.
        var dir = TestIsos.ScratchDirectory();
        var output = Path.Combine(dir, "grown.iso");
        using var baseStream = File.OpenRead(injected.Both.Base);
        var builder = new BootIsoBuilder(IsoImage.Open(baseStream));
        builder.EditKernelParameters(new KernelParameterEdit(InjectedIsos.Appended, []));
        builder.PutFile("/etc/node.conf", new byte[5000]);
        var delta = builder.Build();
        using var overlay = IsoOverlay.Open(baseStream, delta);
        overlay.WriteTo(output);
        var expected = File.ReadAllBytes(output);
        Assert.Equal(expected.Length, overlay.Length);

        var random = new Random(7);
        var buffer = new byte[300_000];
        for (var i = 0; i < 400; i++)
        {
            var start = i % 4 == 0 ? delta.Patches[random.Next(delta.Patches.Count)].Offset - random.Next(3000) : random.NextInt64(expected.Length);
            start = Math.Clamp(start, 0, expected.Length - 1);
            var count = random.Next(1, buffer.Length);
            overlay.Position = start;
            var got = overlay.Read(buffer, 0, count);
            Assert.Equal((int)Math.Min(count, expected.Length - start), got);
            Assert.True(buffer.AsSpan(0, got).SequenceEqual(expected.AsSpan((int)start, got)), $"range {start}+{count} differs");
        }
        overlay.Position = expected.Length;
        Assert.Equal(0, overlay.Read(buffer, 0, 10));
    }

    [Fact]
    public void WriteTo_ReplacesAnExistingLongerFile_WithExactlyTheComposedBytes()
    {
        var output = Path.Combine(TestIsos.ScratchDirectory(), "node.iso");
        File.WriteAllBytes(output, new byte[new FileInfo(injected.Both.Output).Length + 3 * 1024 * 1024]);
        using var baseStream = File.OpenRead(injected.Both.Base);
        using var overlay = IsoOverlay.Open(baseStream, injected.Both.Delta);
        overlay.WriteTo(output);

        var written = File.ReadAllBytes(output);
        var composed = new byte[overlay.Length];
        Assert.Equal(composed.Length, overlay.ReadAt(0, composed));
        Assert.Equal(composed.Length, written.Length);
        Assert.True(composed.AsSpan().SequenceEqual(written), "the materialized file differs from the composed stream");
    }
}
