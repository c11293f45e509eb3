// Usage: dotnet run -c Release --project bench/inventory [-- --nodes 10000 --lookups 20000 [--postgres URL]]
// Prints lookups per second of the store's FindNodeByMacAsync (what the boot API does per
// request) against the same join prepared once and read raw on the same SQLite file, and of the conductor ring
// against MD5 of the key alone, as ratios measured in the same run.
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Ironic.Core.Boot;
using Ironic.Core.Inventory;
using Microsoft.Data.Sqlite;

var nodes = IntArg("--nodes", 10_000);
var lookups = IntArg("--lookups", 20_000);
var postgres = StringArg("--postgres");
var key = SecretKeySource.FromKey(SHA256.HashData("bench"u8));
var directory = Path.Combine(Path.GetTempPath(), "ironic-inventory-bench-" + Environment.ProcessId);
var path = Path.Combine(directory, "bench.db");
var macs = Enumerable.Range(0, nodes).Select(i => new MacAddressText(i)).Select(m => m.Text).ToArray();

try
{
    await using var store = await InventoryStores.OpenAsync(StoreLocation.Sqlite(path), default, key);
    var filled = Stopwatch.StartNew();
    await FillAsync(store, nodes, macs);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sqlite: {nodes} nodes with a port and an encrypted password enrolled in {filled.Elapsed.TotalSeconds:F1} s"));

    var reference = await BareSelectPerSecondAsync(path, macs, lookups);
    var viaStore = await StoreLookupsPerSecondAsync(store, macs, lookups);
    Report("sqlite FindNodeByMacAsync", viaStore, "the same prepared join read raw on one open connection", reference);

    if (postgres is not null)
    {
        await using var pg = await InventoryStores.OpenAsync(StoreLocation.Parse(postgres)!, default, key);
        if ((await pg.ListNodesAsync(default)).Count < nodes) await FillAsync(pg, nodes, macs, skipExisting: true);
        var viaPg = await StoreLookupsPerSecondAsync(pg, macs, lookups);
        Report("postgres FindNodeByMacAsync", viaPg, "the raw SQLite join", reference);
    }

    var conductors = Enumerable.Range(1, 5).Select(i => new Conductor($"conductor-{i}", new Uri($"http://127.0.0.1:{7000 + i}"), DateTimeOffset.UtcNow)).ToList();
    var ring = ConductorRing.Build(conductors, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(30));
    var uuids = (await store.ListNodesAsync(default)).Select(n => n.Uuid).ToArray();
    var md5 = PerSecond(uuids.Length * 20, i => MD5.HashData(System.Text.Encoding.UTF8.GetBytes(uuids[i % uuids.Length].ToString("D"))));
    var owners = PerSecond(uuids.Length * 20, i => ring.GetOwner(uuids[i % uuids.Length]));
    Report("ConductorRing.GetOwner (5 conductors)", owners, "MD5 of the key alone", md5);
}
finally
{
    SqliteConnection.ClearAllPools();
    if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
}

static async Task FillAsync(IInventoryStore store, int nodes, string[] macs, bool skipExisting = false)
{
    for (var i = 0; i < nodes; i++)
    {
        var name = $"bench-{i:D5}";
        if (skipExisting && await store.GetNodeAsync(name, default) is not null) continue;
        var node = await store.CreateNodeAsync(new Node
        {
            Name = name,
            Driver = "redfish",
            ProvisionState = ProvisionStates.WaitCallback,
            DriverInfo = new Dictionary<string, string> { ["redfish_address"] = "https://10.0.0.1", ["redfish_password"] = "secret" },
        }, default);
        await store.CreatePortAsync(new Port(macs[i], node.Uuid), default);
    }
}

static async Task<double> StoreLookupsPerSecondAsync(IInventoryStore store, string[] macs, int lookups)
{
    for (var i = 0; i < 500; i++) _ = await store.FindNodeByMacAsync(macs[i % macs.Length], default);
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < lookups; i++)
    {
        if (await store.FindNodeByMacAsync(macs[(i * 7919) % macs.Length], default) is null) throw new InvalidOperationException("lookup missed");
    }
    return lookups / watch.Elapsed.TotalSeconds;
}

static async Task<double> BareSelectPerSecondAsync(string path, string[] macs, int lookups)
{
    await using var connection = new SqliteConnection($"Data Source={path}");
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    // The least any lookup of a node by MAC must do: the same join, every column read, no objects made.
    command.CommandText = "SELECT n.uuid, n.name, n.driver, n.driver_info, n.instance_info, n.provision_state, n.target_provision_state, n.power_state, " +
        "n.boot_interface, n.deploy_interface, n.conductor_group, n.last_error, n.reservation, n.created_at, n.updated_at " +
        "FROM nodes n JOIN ports p ON p.node_uuid = n.uuid WHERE p.address = $a";
    var parameter = command.Parameters.Add("$a", SqliteType.Text);
    command.Prepare();
    async Task ReadOneAsync(string mac)
    {
        parameter.Value = mac;
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) throw new InvalidOperationException("lookup missed");
        for (var c = 0; c < reader.FieldCount; c++) _ = reader.GetValue(c);
    }
    for (var i = 0; i < 500; i++) await ReadOneAsync(macs[i % macs.Length]);
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < lookups; i++) await ReadOneAsync(macs[(i * 7919) % macs.Length]);
    return lookups / watch.Elapsed.TotalSeconds;
}

static double PerSecond(int count, Action<int> work)
{
    for (var i = 0; i < 1000; i++) work(i);
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < count; i++) work(i);
    return count / watch.Elapsed.TotalSeconds;
}

static void Report(string what, double perSecond, string reference, double referencePerSecond) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{what}: {perSecond:F0}/s = {perSecond / referencePerSecond:F2}x {reference} ({referencePerSecond:F0}/s)"));

int IntArg(string name, int fallback) => StringArg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

string? StringArg(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

/// <summary>The i-th MAC of the bench, 52:54:00:xx:xx:xx.</summary>
internal readonly record struct MacAddressText(int Index)
{
    public string Text => MacAddress.Parse($"525400{Index:x6}").ToString();
}
