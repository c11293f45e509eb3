using Ironic.Core.Inventory;

namespace Ironic.Core.Tests.Inventory;

public sealed class InventoryCompletionTests : IAsyncLifetime
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"ironic-completion-{Guid.NewGuid():N}.db");
    private IInventoryStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = InventoryStores.Open(StoreLocation.Sqlite(_path));
        await _store.MigrateAsync(CancellationToken.None);
        foreach (var (name, mac) in new[] { ("rack1-n01", "52:54:00:aa:00:01"), ("rack1-n02", "52:54:00:aa:00:02"), ("rack2-n01", "52:54:00:bb:00:01"), ("lab node", "02:00:00:00:00:09") })
        {
            var node = await _store.CreateNodeAsync(new Node { Name = name, ProvisionState = ProvisionStates.Active }, CancellationToken.None);
            await _store.CreatePortAsync(new Port(mac, node.Uuid), CancellationToken.None);
        }
        await _store.HeartbeatAsync(new Conductor("boot-a", new Uri("http://10.0.0.1:6385"), DateTimeOffset.UtcNow), CancellationToken.None);
        await _store.HeartbeatAsync(new Conductor("boot-b", new Uri("http://10.0.0.2:6385"), DateTimeOffset.UtcNow), CancellationToken.None);
        await _store.HeartbeatAsync(new Conductor("edge-1", new Uri("http://10.9.0.1:6385"), DateTimeOffset.UtcNow), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        foreach (var f in Directory.GetFiles(Path.GetDirectoryName(_path)!, Path.GetFileName(_path) + "*")) File.Delete(f);
    }

    [Fact]
    public async Task NodeNames_CompleteByPrefix_CaseInsensitive_WithStateInTheToolTip()
    {
        var candidates = await InventoryCompletion.NodeNamesAsync(_store, "RACK1", CancellationToken.None);

        Assert.Equal(["rack1-n01", "rack1-n02"], candidates.Select(c => c.CompletionText));
        Assert.Equal("rack1-n01 (fake, active)", candidates[0].ToolTip);
    }

    [Fact]
    public async Task NodeNames_CompleteWildcards_AndQuoteNamesWithSpaces()
    {
        var wildcard = await InventoryCompletion.NodeNamesAsync(_store, "rack*n01", CancellationToken.None);
        var quoted = await InventoryCompletion.NodeNamesAsync(_store, "'lab", CancellationToken.None);
        var all = await InventoryCompletion.NodeNamesAsync(_store, "", CancellationToken.None);

        Assert.Equal(["rack1-n01", "rack2-n01"], wildcard.Select(c => c.CompletionText));
        Assert.Equal("'lab node'", Assert.Single(quoted).CompletionText);
        Assert.Equal("lab node", quoted[0].ListItemText);
        Assert.Equal(4, all.Count);
    }

    [Fact]
    public async Task ConductorNames_CompleteWithUrlAndHeartbeat()
    {
        var candidates = await InventoryCompletion.ConductorNamesAsync(_store, "boot", CancellationToken.None);

        Assert.Equal(["boot-a", "boot-b"], candidates.Select(c => c.CompletionText));
        Assert.StartsWith("boot-a at http://10.0.0.1:6385/ (heartbeat ", candidates[0].ToolTip, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("52:54:00:aa")]
    [InlineData("52-54-00-AA")]
    [InlineData("525400aa")]
    [InlineData("'52:54:00:a")]
    public async Task Macs_CompleteFromAnyTypedForm_NamingTheNode(string typed)
    {
        var candidates = await InventoryCompletion.MacAddressesAsync(_store, typed, CancellationToken.None);

        Assert.Equal(["52:54:00:aa:00:01", "52:54:00:aa:00:02"], candidates.Select(c => c.CompletionText));
        Assert.Equal("52:54:00:aa:00:01 (rack1-n01)", candidates[0].ToolTip);
    }

    [Fact]
    public void Match_CapsTheList_AndNeverOffersEmptyValues()
    {
        var many = Enumerable.Range(0, 2000).Select(i => ($"n{i:0000}", "")).Append(("", "empty"));

        var candidates = InventoryCompletion.Match(many, "n");

        Assert.Equal(InventoryCompletion.MaxCandidates, candidates.Count);
        Assert.Equal("n0000", candidates[0].CompletionText);
        Assert.DoesNotContain(candidates, c => c.CompletionText.Length == 0);
    }
}
