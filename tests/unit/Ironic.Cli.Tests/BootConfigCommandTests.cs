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
