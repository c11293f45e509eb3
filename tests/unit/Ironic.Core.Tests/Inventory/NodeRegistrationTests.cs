using Ironic.Core.Inventory;

namespace Ironic.Core.Tests.Inventory;

public sealed class NodeRegistrationTests : IAsyncLifetime
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "ironic-registration-tests", Guid.NewGuid().ToString("N") + ".db");
    private IInventoryStore _store = null!;

    public async Task InitializeAsync() => _store = await InventoryStores.OpenAsync(StoreLocation.Sqlite(_path), default, SecretKeySource.FromKey(new byte[32]));

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        foreach (var f in Directory.GetFiles(Path.GetDirectoryName(_path)!, Path.GetFileName(_path) + "*")) File.Delete(f);
    }

    [Fact]
    public async Task Create_WithMacs_MakesThePorts()
    {
        var node = await NodeRegistration.CreateAsync(_store, new NewNodeRequest { Name = "c1", MacAddresses = ["52-54-00-00-00-01", "525400000002", "52:54:00:00:00:01"] }, default);
        Assert.Equal(["52:54:00:00:00:01", "52:54:00:00:00:02"], (await _store.ListPortsAsync(node.Uuid, default)).Select(p => p.Address));
    }

    [Fact]
    public async Task Create_ABadMac_CreatesNothing()
    {
        await Assert.ThrowsAsync<FormatException>(() => NodeRegistration.CreateAsync(_store, new NewNodeRequest { Name = "c2", MacAddresses = ["525400000003", "xx"] }, default));
        Assert.Empty(await _store.ListNodesAsync(default));
        Assert.Empty(await _store.ListPortsAsync(null, default));
    }

    [Fact]
    public async Task Update_HoldsAndReleasesTheReservation()
    {
        var node = await NodeRegistration.CreateAsync(_store, new NewNodeRequest { Name = "u1" }, default);
        var updated = await NodeRegistration.UpdateAsync(_store, "u1", new NodeChanges { PowerState = PowerStates.On }, default);
        Assert.Equal(PowerStates.On, updated.PowerState);
        Assert.Null((await _store.GetNodeAsync("u1", default))!.Reservation);
        Assert.True(await _store.TryReserveAsync(node.Uuid, "conductor-1", default));
        await Assert.ThrowsAsync<NodeLockedException>(() => NodeRegistration.UpdateAsync(_store, "u1", new NodeChanges { PowerState = PowerStates.Off }, default));
        Assert.Equal(PowerStates.On, (await _store.GetNodeAsync("u1", default))!.PowerState);
        Assert.Equal("conductor-1", (await _store.GetNodeAsync("u1", default))!.Reservation);
    }

    [Fact]
    public async Task GetPort_ByAnyForm_AndMissingOnesAreNotFound()
    {
        await NodeRegistration.CreateAsync(_store, new NewNodeRequest { Name = "p1", MacAddresses = ["52:54:00:00:00:09"] }, default);
        Assert.Equal("52:54:00:00:00:09", (await NodeRegistration.GetPortAsync(_store, "52-54-00-00-00-09", default)).Address);
        await Assert.ThrowsAsync<NodeNotFoundException>(() => NodeRegistration.GetPortAsync(_store, "52:54:00:00:00:08", default));
        await Assert.ThrowsAsync<NodeNotFoundException>(() => NodeRegistration.DeleteAsync(_store, "nope", default));
    }
}
