using Ironic.Core.Tests.Iso.Fixtures;

namespace Ironic.Core.Tests.Iso.Fat;

/// <summary>Builds real FAT images with mkfs.vfat and mtools in a temporary directory, and checks them with fsck.fat.</summary>
public sealed class FatImageBuilder : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ironic-fat-").FullName;
    private int _files;

    /// <summary>A fresh image: FAT12 (1440 KiB), FAT16 (16 MiB, 2 KiB clusters) or FAT32 (40 MiB, 512-byte clusters).</summary>
    public string Create(int fatBits, string? name = null)
    {
        string path = Path.Combine(_directory, name ?? $"fat{fatBits}-{Guid.NewGuid():N}.img");
        string[] args = fatBits switch
        {
            12 => ["-C", "-F", "12", "-n", "EFIBOOT", path, "1440"],
            16 => ["-C", "-F", "16", "-s", "4", "-n", "EFIBOOT", path, "16384"],
            32 => ["-C", "-F", "32", "-s", "1", "-S", "512", "-n", "EFIBOOT", path, "40960"],
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
