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

    /// <summary>
    /// The boot server opens base + delta once per HTTP range request, so the base check reads
    /// the descriptors only: its cost does not grow with the files of a distribution-sized tree.
    /// </summary>
    [Fact]
    public void Open_ChecksTheBaseByItsDescriptors_WithoutWalkingItsTrees()
    {
        var dir = TestIsos.ScratchDirectory();
        var tree = Path.Combine(dir, "tree");
        for (var d = 0; d < 40; d++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(tree, "pool", $"p{d:00}")).FullName;
            for (var f = 0; f < 50; f++) File.WriteAllText(Path.Combine(folder, $"package-{d}-{f}_1.0-1_amd64.deb"), "x");
        }
        var many = Path.Combine(dir, "many-files.iso");
        ExternalTool.RunChecked("xorriso", "xorriso", "-as", "mkisofs", "-R", "-J", "-o", many, tree);

        foreach (var iso in new[] { injected.Both.Base, many })
        {
            IsoDelta delta;
            long fullParse;
            using (var counting = new CountingStream(File.OpenRead(iso)))
            {
                var image = IsoImage.Open(counting);
                fullParse = counting.BytesRead;
                Assert.Equal(image.Fingerprint, IsoImage.ReadFingerprint(counting));
                var editor = new IsoEditor(image);
                editor.ReplaceFile(image.EntriesOf(image.PreferredVolume).First(f => !f.IsDirectory && f.Size > 0), "edited\n"u8);
                delta = editor.Build();
            }
            using var reopened = new CountingStream(File.OpenRead(iso));
            using var overlay = IsoOverlay.Open(reopened, delta);
            Assert.True(reopened.BytesRead < 256 * 1024, $"{Path.GetFileName(iso)}: opening the overlay read {reopened.BytesRead} bytes");
            if (iso == many) Assert.True(fullParse > 4 * reopened.BytesRead, $"the full parse read {fullParse} bytes, the overlay's check {reopened.BytesRead}");
        }

        // A base that is not the delta's is still refused by that check.
        using var other = File.OpenRead(many);
        var e = Assert.Throws<IsoFormatException>(() => IsoOverlay.Open(other, injected.Both.Delta));
        Assert.Contains("apply it to the ISO it was made from", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Counts the bytes read through it.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));
        public override int Read(Span<byte> buffer) => Counted(inner.Read(buffer));
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        private int Counted(int n)
        {
            BytesRead += n;
            return n;
        }
    }
}
