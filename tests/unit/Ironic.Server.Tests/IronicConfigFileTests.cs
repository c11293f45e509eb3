using Ironic.Core.Configuration;
using Ironic.Core.Inventory;

namespace Ironic.Server.Tests;

public class IronicConfigFileTests
{
    private static BootServerOptions Load(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ironic-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, text);
        try { return IronicConfigFile.Load(path, new BootServerOptions()); }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Load_ReadsIronicsOptionNames()
    {
        var options = Load("""
            # ironic.conf
            [DEFAULT]
            host = conductor-7
            hash_partition_exponent = 3

            [api]
            host_ip = 0.0.0.0
            port = 6400
            restrict_boot_config = False

            [pxe]
            ipxe_use_boot_config_api = true
            ipxe_config_api_root_url = http://10.0.0.5:6400

            [conductor]
            heartbeat_interval = 5
            heartbeat_timeout = 20
            conductor_group = rack-a

            [database]
            connection = postgresql+psycopg2://ironic:pw@db.example/ironic

            [boot_server]
            shared_secret = s3cret
            allowed_networks = 10.0.0.0/8,
                192.168.0.0/16
            max_concurrent_requests = 64
            forward_timeout = 2.5
            internal_url = http://10.0.0.5:6400
            """);

        Assert.Equal("conductor-7", options.Name);
        Assert.Equal(3, options.HashPartitionExponent);
        Assert.Equal("0.0.0.0:6400", options.Listen);
        Assert.False(options.BootConfig.RestrictBootConfig);
        Assert.True(options.BootConfig.UseBootConfigApi);
        Assert.Equal(new Uri("http://10.0.0.5:6400"), options.BootConfig.ApiRootUrl);
        Assert.Equal(TimeSpan.FromSeconds(5), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(20), options.HeartbeatTimeout);
        Assert.Equal("rack-a", options.ConductorGroup);
        Assert.Equal(StoreKind.PostgreSql, options.Store.Kind);
        Assert.Equal("postgresql://ironic:pw@db.example/ironic", options.Store.Value);
        Assert.Equal("s3cret", options.SharedSecret);
        Assert.Equal(2, options.AllowedNetworks.Count);
        Assert.Equal(64, options.MaxConcurrentRequests);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.ForwardTimeout);
        Assert.Equal(new Uri("http://10.0.0.5:6400"), options.InternalUrl);
    }

    [Fact]
    public void HashPartitionExponent_DefaultsToIronics5()
    {
        Assert.Equal(5, Load("[DEFAULT]\nhost = x\n").HashPartitionExponent);
    }

    [Fact]
    public void SqliteConnection_IsRelativeToTheConfigFile()
    {
        var abs = IronicConf.DatabaseConnection("sqlite:////var/lib/ironic/ironic.db", "/etc/ironic");
        var rel = IronicConf.DatabaseConnection("sqlite:///ironic.db", "/etc/ironic");
        Assert.Equal("/var/lib/ironic/ironic.db", abs.Value);
        Assert.Equal("/etc/ironic/ironic.db", rel.Value);
    }

    [Fact]
    public void SecretFile_IsRead()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(dir, "secret"), "from-file\n");
        File.WriteAllText(Path.Combine(dir, "ironic.conf"), "[boot_server]\nshared_secret_file = secret\n");
        Assert.Equal("from-file", IronicConfigFile.Load(Path.Combine(dir, "ironic.conf"), new()).SharedSecret);
    }

    [Theory]
    [InlineData("[api]\nrestrict_boot_config = maybe\n", "[api]restrict_boot_config = 'maybe' is not a boolean")]
    [InlineData("[conductor]\nheartbeat_timeout = soon\n", "must be a number of seconds")]
    [InlineData("host = x\n", "comes before any [section]")]
    [InlineData("[pxe]\nipxe_config_api_root_url = tftp://x\n", "is not an http(s) URL")]
    [InlineData("[api]\njust words\n", "is neither 'key = value' nor a [section]")]
    [InlineData("[DEFAULT]\nhash_partition_exponent = 17\n", "[DEFAULT]hash_partition_exponent = '17' must be a whole number from 0 to 16")]
    [InlineData("[DEFAULT]\nhash_partition_exponent = -1\n", "must be a whole number from 0 to 16")]
    public void BadValues_AreExplainedWithFileAndLine(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => Load(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(".conf", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_SaysWhatToDo()
    {
        var e = Assert.Throws<FileNotFoundException>(() => IronicConfigFile.Load("/nonexistent/ironic.conf", new()));
        Assert.Contains("--config", e.Message, StringComparison.Ordinal);
    }
}
