using System.Security.Cryptography;
using Ironic.Core.Inventory;

namespace Ironic.Server.Tests;

/// <summary>A fresh inventory for one test: a temporary SQLite file, or the PostgreSQL test database.</summary>
internal static class TestInventory
{
    public const string PostgresVariable = "IRONIC_TEST_POSTGRES";
    public const string DefaultPostgres = "postgres://ironic:ironic@127.0.0.1:5432/ironic_test";

    public static StoreLocation Location(string kind) => kind switch
    {
        "sqlite" => StoreLocation.Sqlite(Path.Combine(Path.GetTempPath(), $"ironic-server-test-{Guid.NewGuid():N}.db")),
        "postgres" => StoreLocation.Parse(Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } url ? url : DefaultPostgres)!,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static async Task<IInventoryStore> OpenAsync(string kind)
    {
        var location = Location(kind);
        var store = InventoryStores.Open(location);
        try
        {
            await store.MigrateAsync(CancellationToken.None);
        }
        catch (Exception e) when (kind == "postgres")
        {
            await store.DisposeAsync();
            throw new InvalidOperationException(
                $"PostgreSQL at {location} is not reachable ({e.Message}). Install Debian's postgresql and run .ci/start-postgres.sh, or set {PostgresVariable}.", e);
        }
        return store;
    }

    /// <summary>A random locally administered unicast MAC, so tests sharing a PostgreSQL database never collide.</summary>
    public static string RandomMac()
    {
        var b = RandomNumberGenerator.GetBytes(6);
        b[0] = (byte)((b[0] & 0xfc) | 0x02);
        return string.Join(':', b.Select(x => x.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>A node waiting for its ramdisk, with one port, and kernel + initrd from instance_info.</summary>
    public static async Task<(Node Node, string Mac)> AddWaitingNodeAsync(IInventoryStore store, string? args = null, string state = ProvisionStates.WaitCallback, string? mac = null)
    {
        mac ??= RandomMac();
        var node = await store.CreateNodeAsync(new Node
        {
            Name = "node-" + Guid.NewGuid().ToString("N")[..12],
            ProvisionState = state,
            InstanceInfo = new Dictionary<string, string>
            {
                ["kernel"] = "http://images.test/vmlinuz",
                ["ramdisk"] = "http://images.test/initrd.img",
                ["ramdisk_kernel_arguments"] = args ?? "console=ttyS0 ironic-node=" + mac,
            },
        }, CancellationToken.None);
        await store.CreatePortAsync(new Port(mac, node.Uuid), CancellationToken.None);
        return (node, mac);
    }
}
