using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.Server.Tests;

/// <summary>
/// The boot lookup cache keeps its objects while the store says the same, so that a boot storm
/// leaves nothing for the garbage collector to promote; and it still sees every change within the TTL.
/// </summary>
public sealed class BootLookupCacheTests : IAsyncLifetime
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private readonly ManualClock _clock = new();
    private IInventoryStore _store = null!;
    private BootConfigService _service = null!;

    public async Task InitializeAsync()
    {
        _store = await TestInventory.OpenAsync("sqlite");
        _service = new BootConfigService(_store, new BootConfigOptions());
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    // The cache's own clock is moved, so a slow store write on a loaded machine cannot make a
    // lookup "within the TTL" land after it.
    private Task Expire()
    {
        _clock.Advance(Ttl * 2);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Refresh_KeepsTheCachedNodeAndScript_WhileTheRowIsUnchanged()
    {
        var cache = new BootLookupCache(Ttl, _clock);
        var (_, mac) = await TestInventory.AddWaitingNodeAsync(_store);
        var request = BootConfigService.ParseRequest(mac, "boot.ipxe");

        var node = await cache.FindNodeAsync(_service, request, CancellationToken.None);
        var script = await cache.RenderAsync(_service, node!, request, CancellationToken.None);
        await Expire();
        var nodeAgain = await cache.FindNodeAsync(_service, request, CancellationToken.None);
        var scriptAgain = await cache.RenderAsync(_service, nodeAgain!, request, CancellationToken.None);

        Assert.NotNull(script);
        Assert.Same(node, nodeAgain);
        Assert.Same(script, scriptAgain);
    }

    [Fact]
    public async Task Refresh_TakesTheNewRowAndScript_AfterTheTtl_WhenTheNodeChanged()
    {
        var cache = new BootLookupCache(Ttl, _clock);
        var (stored, mac) = await TestInventory.AddWaitingNodeAsync(_store, args: "first=1");
        var request = BootConfigService.ParseRequest(mac, "boot.ipxe");
        var node = await cache.FindNodeAsync(_service, request, CancellationToken.None);
        Assert.Contains("first=1", (await cache.RenderAsync(_service, node!, request, CancellationToken.None))!.Text, StringComparison.Ordinal);

        await _store.UpdateNodeAsync(stored with { InstanceInfo = new Dictionary<string, string>(stored.InstanceInfo) { ["ramdisk_kernel_arguments"] = "second=2" } }, CancellationToken.None);
        var withinTtl = await cache.FindNodeAsync(_service, request, CancellationToken.None);
        await Expire();
        var fresh = await cache.FindNodeAsync(_service, request, CancellationToken.None);

        Assert.Same(node, withinTtl);
        Assert.NotSame(node, fresh);
        Assert.Contains("second=2", (await cache.RenderAsync(_service, fresh!, request, CancellationToken.None))!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forget_MakesTheNextRequestReadTheStore_WithinTheTtl()
    {
        var cache = new BootLookupCache(TimeSpan.FromMinutes(10));
        var (stored, mac) = await TestInventory.AddWaitingNodeAsync(_store);
        var request = BootConfigService.ParseRequest(mac, "boot.ipxe");
        var node = await cache.FindNodeAsync(_service, request, CancellationToken.None);
        Assert.NotNull(await cache.RenderAsync(_service, node!, request, CancellationToken.None));

        await _store.UpdateNodeAsync(stored with { ProvisionState = ProvisionStates.Active }, CancellationToken.None);
        cache.Forget(stored.Uuid);
        var after = await cache.FindNodeAsync(_service, request, CancellationToken.None);

        Assert.Equal(ProvisionStates.Active, after!.ProvisionState);
        Assert.Null(await cache.RenderAsync(_service, after, request, CancellationToken.None));
    }

    [Fact]
    public async Task AMalformedName_GetsNothing_AndDoesNotHideTheNodeFromGoodRequests()
    {
        var cache = new BootLookupCache(TimeSpan.FromMinutes(10));
        var (stored, mac) = await TestInventory.AddWaitingNodeAsync(_store);

        Assert.Null(await cache.FindNodeAsync(_service, BootConfigService.ParseRequest(mac, "../etc/passwd"), CancellationToken.None));
        Assert.Equal(stored.Uuid, (await cache.FindNodeAsync(_service, BootConfigService.ParseRequest(mac, "boot.ipxe"), CancellationToken.None))!.Uuid);
    }

    [Fact]
    public async Task OwnerOf_IsWorkedOutAgain_WhenTheRingChanges()
    {
        var cache = new BootLookupCache(TimeSpan.FromMinutes(10));
        var (_, mac) = await TestInventory.AddWaitingNodeAsync(_store);
        var request = BootConfigService.ParseRequest(mac, "boot.ipxe");
        var node = (await cache.FindNodeAsync(_service, request, CancellationToken.None))!;
        var now = DateTimeOffset.UtcNow;
        var one = ConductorRing.Build([new Conductor("c1", new Uri("http://c1:6385/"), now)], now, TimeSpan.FromMinutes(1));
        var other = ConductorRing.Build([new Conductor("c2", new Uri("http://c2:6385/"), now)], now, TimeSpan.FromMinutes(1));

        Assert.Equal("c1", cache.OwnerOf(one, node, request.MacAddress)!.Name);
        Assert.Equal("c1", cache.OwnerOf(one, node, request.MacAddress)!.Name);
        Assert.Equal("c2", cache.OwnerOf(other, node, request.MacAddress)!.Name);
    }
}

/// <summary>A clock that only moves when told to.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _timestamp = 1_000_000;

    public override long TimestampFrequency => 1_000_000;

    public override long GetTimestamp() => Interlocked.Read(ref _timestamp);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _timestamp, (long)(by.TotalSeconds * TimestampFrequency));
}
