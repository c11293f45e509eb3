using Ironic.Core.Tests.Iso.Fixtures;

namespace Ironic.Core.Tests.Iso.Fat;

/// <summary>Builds real FAT images with mkfs.vfat and mtools in a temporary directory, and checks them with fsck.fat.</summary>
public sealed class FatImageBuilder : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ironic-fat-").FullName;
    private int _files;

    /// <summary>A fresh image: FAT12 (1440 KiB), FAT16 (16 MiB, 2 KiB clusters) or FAT32 (40 MiB, 512-byte clusters).</summary>
    /// <param name="sectorsPerCluster">Sectors (of 512 bytes) per cluster (-s); 0 for the defaults above.
    /// (Other sector sizes are not tested: mtools writes broken directories on them, as fsck.fat shows.)</param>
    public string Create(int fatBits, int sectorsPerCluster = 0)
    {
        string path = Path.Combine(_directory, $"fat{fatBits}-{Guid.NewGuid():N}.img");
        string[] args = fatBits switch
        {
            12 => ["-C", "-F", "12", "-s", $"{(sectorsPerCluster == 0 ? 1 : sectorsPerCluster)}", "-n", "EFIBOOT", path, "1440"],
            16 => ["-C", "-F", "16", "-s", $"{(sectorsPerCluster == 0 ? 4 : sectorsPerCluster)}", "-n", "EFIBOOT", path, sectorsPerCluster > 4 ? "163840" : "16384"],
            32 => ["-C", "-F", "32", "-s", $"{(sectorsPerCluster == 0 ? 1 : sectorsPerCluster)}", "-S", "512", "-n", "EFIBOOT", path, $"{40960 * Math.Max(1, sectorsPerCluster)}"],
            _ => throw new ArgumentOutOfRangeException(nameof(fatBits)),
        };
        ExternalTool.Run("mkfs.vfat", args);
        return path;
    }

    public void MakeDirectory(string image, string fatPath) => ExternalTool.Run("mmd", "-i", image, "::" + fatPath);

    public void Copy(string image, string fatPath, byte[] content)
    {
        string local = Path.Combine(_directory, $"in-{Interlocked.Increment(ref _files)}");
        File.WriteAllBytes(local, content);
        ExternalTool.Run("mcopy", "-o", "-i", image, local, "::" + fatPath);
    }

    public void Delete(string image, string fatPath) => ExternalTool.Run("mdel", "-i", image, "::" + fatPath);

    /// <summary>The file's content as mtools reads it.</summary>
    public byte[] ReadWithMtools(string image, string fatPath)
    {
        string local = Path.Combine(_directory, $"out-{Interlocked.Increment(ref _files)}");
        ExternalTool.Run("mcopy", "-n", "-i", image, "::" + fatPath, local);
        return File.ReadAllBytes(local);
    }

    /// <summary>Asserts that fsck.fat, reading only, finds nothing to fix.</summary>
    public static void AssertClean(string image)
    {
        var result = ExternalTool.Run("fsck.fat", ["-n", "-v", image], allowFailure: true);
        Assert.True(result.ExitCode == 0, $"fsck.fat -n found problems (exit {result.ExitCode}):\n{result.All}");
    }

    public string CopyOf(string image)
    {
        string copy = Path.Combine(_directory, $"copy-{Interlocked.Increment(ref _files)}.img");
        File.Copy(image, copy);
        return copy;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp directory is harmless
        }
    }
}
