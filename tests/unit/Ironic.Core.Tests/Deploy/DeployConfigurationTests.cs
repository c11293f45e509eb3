using Ironic.Core.Configuration;
using Ironic.Core.Deploy;
using Ironic.Core.Inventory;

namespace Ironic.Core.Tests.Deploy;

public sealed class DeployConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("deploy-conf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_dir, "ironic.conf");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void From_ReadsTheOptionsTheBootServerReads_UnderIronicsNames()
    {
        var path = Write("""
            [database]
            connection = sqlite:///ironic.db
            [deploy]
            image_cache_directory = images
            image_cache_size = 3G
            [redfish]
            kernel_append_params = nofb console=ttyS0,115200 ironic_node={node_name}
            [pxe]
            kernel_append_params = ipa-debug=1
            """);

        var configuration = DeployConfiguration.Load(path);

        Assert.Equal(path, configuration.Source);
        Assert.Equal(Path.Combine(_dir, "images"), configuration.ImageCacheDirectory);
        Assert.Equal(3L << 30, configuration.ImageCacheMaxBytes);
        Assert.Equal(["nofb", "console=ttyS0,115200", "ironic_node={node_name}"], configuration.VirtualMediaKernelParameters);
        Assert.Equal(["ipa-debug=1"], configuration.IpxeKernelParameters);
        Assert.Equal(StoreLocation.Sqlite(Path.Combine(_dir, "ironic.db")), configuration.Store);
    }

    [Fact]
    public void From_ReadsWhatPicksTheIsosUrl_AndApplyPutsItIntoTheDeploysOptions()
    {
        var path = Write("""
            [DEFAULT]
            hash_partition_exponent = 3
            [conductor]
            heartbeat_timeout = 15
            [deploy]
            external_http_url = http://boot.example:8080/
            """);

        var configuration = DeployConfiguration.Load(path);
        var options = configuration.Apply(new RamdiskDeployOptions { Conductor = "x", VirtualMediaKernelParameters = ["kept=1"] });
        var untouched = DeployConfiguration.None.Apply(new RamdiskDeployOptions { Conductor = "x" });

        Assert.Equal(new Uri("http://boot.example:8080/"), options.ImageRootUrl);
        Assert.Equal(TimeSpan.FromSeconds(15), options.HeartbeatTimeout);
        Assert.Equal(3, options.HashPartitionExponent);
        Assert.Equal(["kept=1"], options.VirtualMediaKernelParameters);
        Assert.Null(untouched.ImageRootUrl);
        Assert.Equal(TimeSpan.FromSeconds(60), untouched.HeartbeatTimeout);
        Assert.Equal(5, untouched.HashPartitionExponent);
    }

    [Theory]
    [InlineData("[deploy]\nexternal_http_url = boot.example:8080\n", "[deploy]external_http_url = 'boot.example:8080' is not an http(s) URL")]
    [InlineData("[deploy]\nexternal_http_url = ftp://boot.example/\n", "[deploy]external_http_url = 'ftp://boot.example/' is not an http(s) URL")]
    [InlineData("[DEFAULT]\nhash_partition_exponent = 40\n", "[DEFAULT]hash_partition_exponent = '40' must be a whole number from 0 to")]
    [InlineData("[conductor]\nheartbeat_timeout = soon\n", "[conductor]heartbeat_timeout = 'soon' must be a number of seconds")]
    public void BadValues_AreRefused_NamingFileAndOption(string text, string message)
    {
        var path = Write(text);

        var e = Assert.Throws<FormatException>(() => DeployConfiguration.Load(path));

        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithoutAPath_ReadsIronicConfig_AndWithoutEitherUsesTheDefaults()
    {
        var path = Write("[deploy]\nimage_cache_size = 5M\n");

        var fromEnvironment = DeployConfiguration.Load(null, name => name == IronicConf.EnvironmentVariable ? path : null);
        var none = DeployConfiguration.Load(null, _ => null);

        Assert.Equal(5L << 20, fromEnvironment.ImageCacheMaxBytes);
        Assert.Same(DeployConfiguration.None, none);
        Assert.Null(none.ImageCacheMaxBytes);
        Assert.Empty(none.VirtualMediaKernelParameters);
    }

    [Fact]
    public void AGivenPath_WinsOverIronicConfig()
    {
        var given = Write("[deploy]\nimage_cache_size = 7M\n");

        var configuration = DeployConfiguration.Load(given, _ => "/nonexistent/other.conf");

        Assert.Equal(7L << 20, configuration.ImageCacheMaxBytes);
    }

    [Fact]
    public void ResolveStore_TheFlagWins_ThenTheFile()
    {
        var configuration = DeployConfiguration.Load(Write("[database]\nconnection = postgresql+psycopg2://u:p@db/ironic\n"));

        Assert.Equal("postgresql://u:p@db/ironic", configuration.ResolveStore(null).Value);
        Assert.Equal(StoreLocation.Sqlite("/tmp/flag.db"), configuration.ResolveStore("/tmp/flag.db"));
    }

    [Theory]
    [InlineData("[deploy]\nimage_cache_size = lots\n", "[deploy]image_cache_size 'lots' is not a size")]
    [InlineData("kernel_append_params = x\n", "comes before any [section]")]
    public void BadFiles_AreExplained_WithTheFileName(string text, string expected)
    {
        var path = Write(text);

        var e = Assert.Throws<FormatException>(() => DeployConfiguration.Load(path));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFile_SaysHowToGiveAnother()
    {
        var e = Assert.Throws<FileNotFoundException>(() => DeployConfiguration.Load("/nonexistent/ironic.conf"));
        Assert.Contains("--config", e.Message, StringComparison.Ordinal);
    }
}
