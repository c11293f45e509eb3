using Ironic.Core.Iso;
using Ironic.Core.Iso.Fat;

namespace Ironic.Core.Tests.Iso.Fat;

public sealed class FatVolumeTests : IDisposable
{
    private readonly FatImageBuilder _builder = new();

    public void Dispose() => _builder.Dispose();

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static readonly byte[] GrubCfg = "set timeout=1\nmenuentry 'Test' {\n  linux /images/vmlinuz console=ttyS0\n}\n"u8.ToArray();

    /// <summary>An EFI-image-shaped volume: /EFI/BOOT with a loader, grub.cfg, a long name and an 8.3 upper-case name.</summary>
    private string EfiShapedImage(int fatBits)
    {
        string image = _builder.Create(fatBits);
        _builder.MakeDirectory(image, "/EFI");
        _builder.MakeDirectory(image, "/EFI/BOOT");
        _builder.Copy(image, "/EFI/BOOT/BOOTX64.EFI", Pattern(20_000, 1));
        _builder.Copy(image, "/EFI/BOOT/grub.cfg", GrubCfg);
        _builder.Copy(image, "/EFI/BOOT/A rather long file name.conf", Pattern(3000, 2));
        _builder.Copy(image, "/README.TXT", "hello"u8.ToArray());
        return image;
    }

    private static FatVolume OpenFile(string image, out FileStream stream)
    {
        stream = File.OpenRead(image);
        return FatVolume.Open(stream, 0, stream.Length);
    }

    private static void ApplyToFile(string image, IEnumerable<RegionWrite> writes)
    {
        using var target = File.Open(image, FileMode.Open, FileAccess.ReadWrite);
        RegionWrite.ApplyAll(target, 0, writes);
    }

    [Theory]
    [InlineData(12, FatType.Fat12)]
    [InlineData(16, FatType.Fat16)]
    [InlineData(32, FatType.Fat32)]
    public void Open_DetectsType_AndListsLongAndShortNames(int bits, FatType expected)
    {
        string image = EfiShapedImage(bits);
        var volume = OpenFile(image, out var stream);
        using (stream)
        {
            Assert.Equal(expected, volume.Type);
            Assert.Equal("EFIBOOT", volume.VolumeLabel);
            var paths = volume.ListFiles().Select(f => f.Path).ToList();
            Assert.Contains("/EFI/BOOT/BOOTX64.EFI", paths);
            Assert.Contains("/EFI/BOOT/grub.cfg", paths);
            Assert.Contains("/EFI/BOOT/A rather long file name.conf", paths);
            Assert.Contains("/README.TXT", paths);
            Assert.DoesNotContain(volume.ListFiles(), f => f.IsDirectory);
            Assert.Contains(volume.ListEntries(), e => e.IsDirectory && e.Path == "/EFI/BOOT");

            Assert.Equal(GrubCfg, volume.ReadFile(volume.Find("/efi/boot/GRUB.CFG")!));
            Assert.Equal(Pattern(20_000, 1), volume.ReadFile(volume.Find("EFI\\BOOT\\bootx64.efi")!));
            Assert.Equal(Pattern(3000, 2), volume.ReadFile(volume.Find("/EFI/BOOT/a rather long file name.CONF")!));
            var longName = volume.Find("/EFI/BOOT/A rather long file name.conf")!;
            Assert.Same(longName, volume.Find("/EFI/BOOT/" + longName.ShortName));
            Assert.Equal("hello"u8.ToArray(), volume.ReadFile(volume.Find("/README.TXT")!));
            Assert.Null(volume.Find("/EFI/BOOT/missing.cfg"));
        }
    }

    public static TheoryData<int, int> Sizes()
    {
        var data = new TheoryData<int, int>();
        foreach (int bits in new[] { 12, 16, 32 })
        {
            data.Add(bits, GrubCfg.Length);     // same size, in place
            data.Add(bits, 40);                 // shrink inside the last cluster
            data.Add(bits, 50_000);             // grow onto free clusters
            data.Add(bits, 0);                  // empty: frees every cluster
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void PlanReplace_ReadsBackWithMtools_AndFsckIsClean(int bits, int newLength)
    {
        string image = EfiShapedImage(bits);
        var content = Pattern(newLength, 42);
        var original = File.ReadAllBytes(image);

        IReadOnlyList<RegionWrite> plan;
        var volume = OpenFile(image, out var stream);
        using (stream)
            plan = volume.PlanReplace(volume.Find("/EFI/BOOT/grub.cfg")!, content, new DateTime(2024, 5, 6, 7, 8, 10));
        Assert.Equal(original, File.ReadAllBytes(image)); // planning writes nothing

        ApplyToFile(image, plan);
        Assert.Equal(content, _builder.ReadWithMtools(image, "/EFI/BOOT/grub.cfg"));
        Assert.Equal(Pattern(20_000, 1), _builder.ReadWithMtools(image, "/EFI/BOOT/BOOTX64.EFI"));
        FatImageBuilder.AssertClean(image);

        var reopened = OpenFile(image, out var again);
        using (again)
        {
            var entry = reopened.Find("/EFI/BOOT/grub.cfg")!;
            Assert.Equal((uint)newLength, entry.Size);
            Assert.Equal(new DateTime(2024, 5, 6, 7, 8, 10), entry.LastWriteTime);
            Assert.Equal(content, reopened.ReadFile(entry));
        }
    }

    [Theory]
    [InlineData(12)]
    [InlineData(16)]
    [InlineData(32)]
    public void PlanReplace_FragmentedChain_ReadsGrowsAndShrinks(int bits)
    {
        // small1, hole, small3 then big: mtools fills the hole first, so big's chain jumps over small3.
        string image = _builder.Create(bits);
        int cluster;
        {
            var v = OpenFile(image, out var s);
            cluster = v.BytesPerCluster;
            s.Dispose();
        }
        _builder.Copy(image, "/small1.bin", Pattern(cluster, 1));
        _builder.Copy(image, "/small2.bin", Pattern(cluster * 2, 2));
        _builder.Copy(image, "/small3.bin", Pattern(cluster, 3));
        _builder.Delete(image, "/small2.bin");
        var big = Pattern(cluster * 5 + 17, 4);
        _builder.Copy(image, "/big.bin", big);

        var volume = OpenFile(image, out var stream);
        using (stream)
        {
            Assert.Equal(big, volume.ReadFile(volume.Find("/big.bin")!));
        }

        foreach (int length in new[] { cluster * 9 + 3, cluster * 3 + 1, cluster * 9 })
        {
            var content = Pattern(length, length);
            var current = OpenFile(image, out var s);
            IReadOnlyList<RegionWrite> plan;
            using (s)
                plan = current.PlanReplace(current.Find("/BIG.BIN")!, content);
            ApplyToFile(image, plan);
            Assert.Equal(content, _builder.ReadWithMtools(image, "/big.bin"));
            Assert.Equal(Pattern(cluster, 3), _builder.ReadWithMtools(image, "/small3.bin"));
            FatImageBuilder.AssertClean(image);
        }
    }

    [Theory]
    [InlineData(12)]
    [InlineData(32)]
    public void PlanReplace_SeveralFilesInOnePlan_AllocateWithoutCollision(int bits)
    {
        string image = EfiShapedImage(bits);
        var grub = Pattern(9000, 7);
        var conf = Pattern(12000, 8);
        var volume = OpenFile(image, out var stream);
        IReadOnlyList<RegionWrite> plan;
        using (stream)
        {
            plan = volume.PlanReplace(
            [
                new FatReplacement(volume.Find("/EFI/BOOT/grub.cfg")!, grub),
                new FatReplacement(volume.Find("/EFI/BOOT/A rather long file name.conf")!, conf),
            ]);
        }
        ApplyToFile(image, plan);
        Assert.Equal(grub, _builder.ReadWithMtools(image, "/EFI/BOOT/grub.cfg"));
        Assert.Equal(conf, _builder.ReadWithMtools(image, "/EFI/BOOT/A rather long file name.conf"));
        FatImageBuilder.AssertClean(image);
    }

    [Fact]
    public void PlanReplace_InsideALargerStream_WritesRelativeToTheRegion()
    {
        string image = EfiShapedImage(12);
        var fat = File.ReadAllBytes(image);
        const int prefix = 32 * 2048;
        var whole = new byte[prefix + fat.Length + 4096];
        Array.Fill(whole, (byte)0xAB);
        fat.CopyTo(whole, prefix);
        using var stream = new MemoryStream(whole);
        var volume = FatVolume.Open(stream, prefix, fat.Length);
        var content = Pattern(7000, 9);
        var plan = volume.PlanReplace(volume.Find("/EFI/BOOT/grub.cfg")!, content);
        Assert.All(plan, w => Assert.InRange(w.Offset + w.Bytes.Length, 1, fat.Length));
        RegionWrite.ApplyAll(stream, prefix, plan);

        Assert.All(whole.AsSpan(0, prefix).ToArray(), b => Assert.Equal(0xAB, b));
        Assert.All(whole.AsSpan(prefix + fat.Length).ToArray(), b => Assert.Equal(0xAB, b));
        string edited = _builder.CopyOf(image);
        File.WriteAllBytes(edited, whole.AsSpan(prefix, fat.Length).ToArray());
        Assert.Equal(content, _builder.ReadWithMtools(edited, "/EFI/BOOT/grub.cfg"));
        FatImageBuilder.AssertClean(edited);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(32)]
    public void PlanReplace_WhenTheVolumeIsFull_SaysHowManyClustersAreMissing(int bits)
    {
        string image = EfiShapedImage(bits);
        var volume = OpenFile(image, out var stream);
        using (stream)
        {
            long tooBig = (volume.FreeClusters + 2L) * volume.BytesPerCluster + GrubCfg.Length;
            var e = Assert.Throws<FatVolumeFullException>(() => volume.PlanReplace(volume.Find("/EFI/BOOT/grub.cfg")!, new byte[tooBig]));
            Assert.Contains("free", e.Message, StringComparison.Ordinal);
            Assert.Contains("/EFI/BOOT/grub.cfg", e.Message, StringComparison.Ordinal);
            Assert.IsAssignableFrom<IsoFormatException>(e);

            // Exactly filling the volume works.
            long fits = ((long)volume.FreeClusters + 1) * volume.BytesPerCluster;
            var plan = volume.PlanReplace(volume.Find("/EFI/BOOT/grub.cfg")!, new byte[fits]);
            Assert.NotEmpty(plan);
        }
    }

    [Fact]
    public void PlanReplace_RejectsEntriesOfAnotherVolumeAndDirectories()
    {
        string image = EfiShapedImage(16);
        var one = OpenFile(image, out var s1);
        using (s1)
        {
            var directory = one.Find("/EFI/BOOT")!;
            Assert.True(directory.IsDirectory);
            Assert.Throws<ArgumentException>(() => one.PlanReplace(directory, [1, 2, 3]));
            var foreign = one.Find("/EFI/BOOT/grub.cfg")! with { Size = 1 };
            Assert.Throws<ArgumentException>(() => one.ReadFile(foreign));
        }
    }

    [Theory]
    [InlineData(12, 8)]     // 4 KiB clusters
    [InlineData(16, 32)]    // 16 KiB clusters
    [InlineData(32, 2)]     // FAT32 needs 65,525 clusters: 80 MiB (sparse) at 1 KiB
    public void LargerClusters_ReadAndGrow(int bits, int sectorsPerCluster)
    {
        string image = _builder.Create(bits, sectorsPerCluster);
        int clusterBytes = sectorsPerCluster * 512;
        _builder.MakeDirectory(image, "/EFI");
        _builder.Copy(image, "/EFI/grub.cfg", GrubCfg);
        _builder.Copy(image, "/EFI/after.bin", Pattern(5000, 11));
        var content = Pattern(3 * clusterBytes + 5, 12);
        var volume = OpenFile(image, out var stream);
        IReadOnlyList<RegionWrite> plan;
        using (stream)
        {
            Assert.Equal(clusterBytes, volume.BytesPerCluster);
            Assert.Equal(GrubCfg, volume.ReadFile(volume.Find("/EFI/grub.cfg")!));
            plan = volume.PlanReplace(volume.Find("/EFI/grub.cfg")!, content);
        }
        ApplyToFile(image, plan);
        Assert.Equal(content, _builder.ReadWithMtools(image, "/EFI/grub.cfg"));
        Assert.Equal(Pattern(5000, 11), _builder.ReadWithMtools(image, "/EFI/after.bin"));
        FatImageBuilder.AssertClean(image);
    }
}
