namespace Ironic.Server.Tests.Deploy;

public class DeployConfigTests
{
    private static BootServerOptions Load(string text)
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var path = Path.Combine(dir, "ironic.conf");
        File.WriteAllText(path, text);
        try { return IronicConfigFile.Load(path, new BootServerOptions()); }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void DeploySection_SetsTheImageCacheDirectoryAndSize()
    {
        var options = Load("[deploy]\nimage_cache_directory = /var/lib/ironic/images\nimage_cache_size = 50G\n");

        Assert.Equal("/var/lib/ironic/images", options.ImageCacheDirectory);
        Assert.Equal(50L << 30, options.ImageCacheMaxBytes);
        Assert.Equal(1234, Load("[deploy]\nimage_cache_size = 1234\n").ImageCacheMaxBytes);
    }

    [Fact]
    public void ImageCacheSize_ThatIsNotASize_IsExplained()
    {
        var e = Assert.Throws<FormatException>(() => Load("[deploy]\nimage_cache_size = lots\n"));
        Assert.Contains("[deploy]image_cache_size 'lots' is not a size", e.Message, StringComparison.Ordinal);
    }
}
