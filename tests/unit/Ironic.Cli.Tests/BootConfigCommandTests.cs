using System.Text.Json;
using Ironic.Cli.Commands;
using Ironic.Core.Inventory;

namespace Ironic.Cli.Tests;

public sealed class BootConfigCommandTests : IAsyncLifetime
{
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"cli-bootcfg-{Guid.NewGuid():N}.db");
    private IInventoryStore _store = null!;
    private Node _node = null!;

    public async Task InitializeAsync()
    {
        _store = InventoryStores.Open(StoreLocation.Sqlite(_db));
        await _store.MigrateAsync(CancellationToken.None);
        _node = await _store.CreateNodeAsync(new Node
        {
            Name = "r1",
            ProvisionState = ProvisionStates.WaitCallback,
            InstanceInfo = new Dictionary<string, string> { ["kernel"] = "http://x/k", ["ramdisk"] = "http://x/r", ["ramdisk_kernel_arguments"] = "console=ttyS0" },
        }, CancellationToken.None);
        await _store.CreatePortAsync(new Port("52:54:00:00:00:07", _node.Uuid), CancellationToken.None);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Show_PrintsTheScript_ForAnyMacForm()
    {
        var output = new StringWriter();
        var code = await IronicCommandLine.InvokeAsync(["boot-config", "show", "--mac", "52-54-00-00-00-07", "--store", _db], output, TextWriter.Null);
        Assert.Equal(0, code);
        Assert.Contains("kernel --name vmlinuz http://x/k initrd=initrd.img console=ttyS0", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_ExplainsWhyThereIsNone()
    {
        await _store.UpdateNodeAsync(_node with { ProvisionState = ProvisionStates.Active }, CancellationToken.None);
        var error = new StringWriter();
        var code = await IronicCommandLine.InvokeAsync(["boot-config", "show", "--mac", "525400000007", "--store", _db], TextWriter.Null, error);
        Assert.Equal(1, code);
        Assert.Contains("ironic: No boot configuration for 52:54:00:00:00:07", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("'active'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_Json()
    {
        var output = new StringWriter();
        var code = await IronicCommandLine.InvokeAsync(["boot-config", "show", "--mac", "52:54:00:00:00:07", "--store", _db, "--json"], output, TextWriter.Null);
        using var doc = JsonDocument.Parse(output.ToString());
        Assert.Equal(0, code);
        Assert.True(doc.RootElement.GetProperty("found").GetBoolean());
        Assert.Equal("r1", doc.RootElement.GetProperty("node_name").GetString());
        Assert.StartsWith("#!ipxe", doc.RootElement.GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConductorList_ShowsRingOwnership()
    {
        await _store.HeartbeatAsync(new Conductor("alpha", new Uri("http://10.0.0.1:6385"), DateTimeOffset.UtcNow), CancellationToken.None);
        await _store.HeartbeatAsync(new Conductor("dead", new Uri("http://10.0.0.2:6385"), DateTimeOffset.UtcNow.AddHours(-1)), CancellationToken.None);
        var output = new StringWriter();
        var code = await IronicCommandLine.InvokeAsync(["conductor", "list", "--store", _db], output, TextWriter.Null);
        var lines = output.ToString().Split('\n');
        Assert.Equal(0, code);
        Assert.StartsWith("NAME", lines[0], StringComparison.Ordinal);
        var alpha = lines.Single(l => l.StartsWith("alpha", StringComparison.Ordinal));
        var dead = lines.Single(l => l.StartsWith("dead", StringComparison.Ordinal));
        Assert.Contains(" yes ", alpha, StringComparison.Ordinal);
        Assert.Contains("r1", alpha, StringComparison.Ordinal);
        Assert.Contains(" no ", dead, StringComparison.Ordinal);
        Assert.DoesNotContain("r1", dead, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConductorList_UsesTheHashPartitionExponent_OfTheConfigOrTheFlag()
    {
        var conductors = new[] { "c-one", "c-two", "c-three" };
        foreach (var name in conductors) await _store.HeartbeatAsync(new Conductor(name, new Uri($"http://{name}:6385"), DateTimeOffset.UtcNow), CancellationToken.None);
        for (var i = 0; i < 40; i++) await _store.CreateNodeAsync(new Node { Name = $"x{i:00}" }, CancellationToken.None);
        var nodes = await _store.ListNodesAsync(CancellationToken.None);
        var conf = Path.Combine(Path.GetTempPath(), $"conductors-{Guid.NewGuid():N}.conf");
        File.WriteAllText(conf, "[DEFAULT]\nhash_partition_exponent = 3\n");

        async Task<Dictionary<string, string[]>> OwnersAsync(params string[] extra)
        {
            var output = new StringWriter();
            Assert.Equal(0, await IronicCommandLine.InvokeAsync(["conductor", "list", "--store", _db, "--json", .. extra], output, TextWriter.Null));
            using var doc = JsonDocument.Parse(output.ToString());
            return doc.RootElement.EnumerateArray().ToDictionary(
                c => c.GetProperty("name").GetString()!,
                c => c.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()!).Order(StringComparer.Ordinal).ToArray());
        }
        Dictionary<string, string[]> Expected(int exponent)
        {
            var ring = Core.Boot.ConductorRing.Build(conductors.Select(c => new Conductor(c, new Uri($"http://{c}:6385"), DateTimeOffset.UtcNow)), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1), exponent);
            return conductors.ToDictionary(c => c, c => nodes.Where(n => ring.GetOwner(n)!.Name == c).Select(n => n.Name).Order(StringComparer.Ordinal).ToArray());
        }

        var fromConfig = await OwnersAsync("--config", conf);
        var fromFlag = await OwnersAsync("--hash-partition-exponent", "3");
        var byDefault = await OwnersAsync();
        Assert.NotEqual(Expected(3), Expected(5));
        Assert.Equal(Expected(3), fromConfig);
        Assert.Equal(Expected(3), fromFlag);
        Assert.Equal(Expected(5), byDefault);

        var error = new StringWriter();
        Assert.Equal(2, await IronicCommandLine.InvokeAsync(["conductor", "list", "--store", _db, "--hash-partition-exponent", "20"], TextWriter.Null, error));
        Assert.Contains("--hash-partition-exponent 20 is out of range", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ServeOptions_FlagsWinOverTheConfigFile()
    {
        var conf = Path.Combine(Path.GetTempPath(), $"serve-{Guid.NewGuid():N}.conf");
        File.WriteAllText(conf, "[DEFAULT]\nhost = from-file\n[api]\nport = 7000\n[database]\nconnection = sqlite:////tmp/from-file.db\n");
        var fileOnly = ServeCommand.ResolveOptions(conf, null, null, null);
        var flags = ServeCommand.ResolveOptions(conf, "127.0.0.1:7100", "/tmp/from-flag.db", "from-flag");
        Assert.Equal("from-file", fileOnly.Name);
        Assert.Equal("127.0.0.1:7000", fileOnly.Listen);
        Assert.Equal("/tmp/from-file.db", fileOnly.Store.Value);
        Assert.Equal("from-flag", flags.Name);
        Assert.Equal("127.0.0.1:7100", flags.Listen);
        Assert.Equal("/tmp/from-flag.db", flags.Store.Value);
    }
}
