using System.Buffers.Binary;
using Ironic.Core.Iso;
using Ironic.Core.Iso.Fat;

namespace Ironic.Core.Tests.Iso.Fat;

/// <summary>Malformed and hostile FAT images end in IsoFormatException, fast, without large allocations.</summary>
public sealed class FatHostileImageTests : IDisposable
{
    private readonly FatImageBuilder _builder = new();

    public void Dispose() => _builder.Dispose();

    private byte[] ImageWithFiles(int bits)
    {
        string image = _builder.Create(bits);
        _builder.MakeDirectory(image, "/EFI");
        _builder.MakeDirectory(image, "/EFI/BOOT");
        var big = new byte[9000];
        new Random(5).NextBytes(big);
        _builder.Copy(image, "/EFI/BOOT/BOOTX64.EFI", big);
        _builder.Copy(image, "/EFI/BOOT/grub.cfg", "menuentry 'x' { linux /vmlinuz }\n"u8.ToArray());
        return File.ReadAllBytes(image);
    }

    private static FatVolume Open(byte[] image) => FatVolume.Open(new MemoryStream(image, writable: false), 0, image.Length);

    private static void SetFat16Entry(byte[] image, uint cluster, ushort value)
    {
        int bytesPerSector = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(11));
        int reserved = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(14));
        int fats = image[16];
        int fatSize = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(22));
        for (int copy = 0; copy < fats; copy++)
            BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan((reserved + copy * fatSize) * bytesPerSector + (int)cluster * 2), value);
    }

    [Fact]
    public void ClusterChainLoop_IsReported_NotFollowedForever()
    {
        var image = ImageWithFiles(16);
        var efi = Open(image).Find("/EFI/BOOT/BOOTX64.EFI")!;
        SetFat16Entry(image, efi.FirstCluster + 1, (ushort)efi.FirstCluster); // second cluster links back to the first
        var e = Assert.Throws<IsoFormatException>(() => Open(image));
        Assert.Contains("loops back", e.Message, StringComparison.Ordinal);
        Assert.Contains("/EFI/BOOT/BOOTX64.EFI", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CrossLinkedFiles_AreReportedAtOpen_SoAnEditCannotDamageTheOtherFile()
    {
        var image = ImageWithFiles(16);
        var volume = Open(image);
        var efi = volume.Find("/EFI/BOOT/BOOTX64.EFI")!;
        var grub = volume.Find("/EFI/BOOT/grub.cfg")!;
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan((int)grub.DirectoryEntryOffset + 26), (ushort)efi.FirstCluster);
        var e = Assert.Throws<IsoFormatException>(() => Open(image));
        Assert.Contains("cross-linked", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterOutOfRange_AndFreeClusterInChain_AreReported()
    {
        var image = ImageWithFiles(16);
        var efi = Open(image).Find("/EFI/BOOT/BOOTX64.EFI")!;
        SetFat16Entry(image, efi.FirstCluster, 0xFF00);
        var e = Assert.Throws<IsoFormatException>(() => Open(image));
        Assert.Contains("outside the valid clusters", e.Message, StringComparison.Ordinal);

        SetFat16Entry(image, efi.FirstCluster, 0);
        e = Assert.Throws<IsoFormatException>(() => Open(image));
        Assert.Contains("marked free", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DirectoryCycle_IsReportedAtOpen()
    {
        var image = ImageWithFiles(32);
        var volume = Open(image);
        var boot = volume.Find("/EFI/BOOT")!;
        uint rootCluster = BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(44));
        // Point /EFI/BOOT at the root directory's cluster: walking it would recurse forever.
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan((int)boot.DirectoryEntryOffset + 20), (ushort)(rootCluster >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan((int)boot.DirectoryEntryOffset + 26), (ushort)rootCluster);
        var e = Assert.Throws<IsoFormatException>(() => Open(image));
        Assert.Contains("already belongs to another directory", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(11, 2, 3, "BPB_BytsPerSec")]        // 3-byte sectors
    [InlineData(13, 1, 3, "BPB_SecPerClus")]        // 3 sectors per cluster
    [InlineData(16, 1, 0, "BPB_NumFATs")]
    [InlineData(14, 2, 0, "BPB_RsvdSecCnt")]
    [InlineData(510, 1, 0, "signature")]
    [InlineData(19, 2, 0xFFFF, "region holds only")] // more sectors than the region has
    [InlineData(22, 2, 0xFFFF, "leaving no data area")] // FATs larger than the volume
    public void AbsurdBootSector_IsRefused_WithTheFieldNamed(int offset, int width, int value, string expected)
    {
        var image = ImageWithFiles(12);
        if (width == 1)
            image[offset] = (byte)value;
        else
            BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(offset), (ushort)value);
        var e = Assert.Throws<IsoFormatException>(() => Open(image));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RegionPastTheEnd_AndTinyRegion_AreRefused()
    {
        var image = ImageWithFiles(12);
        var stream = new MemoryStream(image);
        Assert.Throws<IsoFormatException>(() => FatVolume.Open(stream, 1024, image.Length));
        Assert.Throws<IsoFormatException>(() => FatVolume.Open(stream, 0, 100));
        Assert.Throws<IsoFormatException>(() => FatVolume.Open(stream, 0, image.Length / 2)); // truncated volume
        Assert.Throws<IsoFormatException>(() => FatVolume.Open(new MemoryStream(new byte[4096]), 0, 4096));
    }

    [Fact]
    public void RandomMutations_EndInIsoFormatException_OrAValidRead()
    {
        var pristine = ImageWithFiles(12);
        // Metadata lives in the first sectors (boot sector, FATs, root directory, /EFI, /EFI/BOOT).
        int metadataBytes = 64 * 1024;
        var random = new Random(1234);
        int parsed = 0, refused = 0;
        for (int round = 0; round < 1500; round++)
        {
            var image = (byte[])pristine.Clone();
            int mutations = 1 + random.Next(8);
            for (int m = 0; m < mutations; m++)
                image[random.Next(metadataBytes)] = (byte)random.Next(256);
            try
            {
                var volume = Open(image);
                foreach (var file in volume.ListFiles())
                {
                    var content = volume.ReadFile(file);
                    Assert.Equal(file.Size, (uint)content.Length);
                    volume.PlanReplace(file, new byte[1000]);
                }
                parsed++;
            }
            catch (IsoFormatException)
            {
                refused++;
            }
        }
        Assert.Equal(1500, parsed + refused);
        Assert.True(refused > 0 && parsed > 0, $"mutations should both break and spare images: parsed {parsed}, refused {refused}");
    }
}
