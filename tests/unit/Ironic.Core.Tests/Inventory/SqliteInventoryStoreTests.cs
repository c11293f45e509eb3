using System.Text;
using Ironic.Core.Inventory;
using Microsoft.Data.Sqlite;

namespace Ironic.Core.Tests.Inventory;

public sealed class SqliteInventoryStoreTests : InventoryStoreTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ironic-store-tests", Guid.NewGuid().ToString("N"), "nested");

    private string PathOf(string? storage) => Path.Combine(_directory, (storage ?? "inventory") + ".db");

    protected override IInventoryStore OpenStore(byte[] key, string? storage = null) =>
        InventoryStores.Open(StoreLocation.Sqlite(PathOf(storage)), SecretKeySource.FromKey(key));

    protected override async Task<string> ReadRawDriverInfoAsync(Guid nodeUuid)
    {
        await using var connection = new SqliteConnection($"Data Source={PathOf(null)};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT driver_info FROM nodes WHERE uuid = $uuid";
        command.Parameters.AddWithValue("$uuid", nodeUuid.ToString("D"));
        return (string)(await command.ExecuteScalarAsync())!;
    }

    protected override Task DropStorageAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(_directory)!, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Open_CreatesTheDirectoryAndFile_InWalMode()
    {
        Assert.True(File.Exists(PathOf(null)));
        await using var connection = new SqliteConnection($"Data Source={PathOf(null)};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task RawDatabaseFiles_ContainNoPassword()
    {
        const string password = "Raw-File-Pa55word-Never-Stored";
        var info = new Dictionary<string, string> { [DriverInfoKeys.RedfishPassword] = password, [DriverInfoKeys.RedfishUsername] = "visible-user" };
        await Store.CreateNodeAsync(NewNode("raw", info), default);
        await Store.UpdateNodeAsync((await Store.GetNodeAsync("raw", default))! with { LastError = "touched" }, default);

        // Every byte on disk: the database, its write-ahead log and shared memory, before and after a checkpoint.
        var bytes = ReadAllFiles();
        Assert.Contains("visible-user", bytes, StringComparison.Ordinal);
        Assert.DoesNotContain(password, bytes, StringComparison.Ordinal);

        await Store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Assert.DoesNotContain(password, ReadAllFiles(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_UnwritablePlace_SaysWhatToDo()
    {
        var blocker = Path.Combine(_directory, "a-file");
        await File.WriteAllTextAsync(blocker, "x");
        await using var store = InventoryStores.Open(StoreLocation.Sqlite(Path.Combine(blocker, "sub", "x.db")), SecretKeySource.FromKey(TestKey));
        var e = await Assert.ThrowsAsync<InventoryStoreException>(() => store.MigrateAsync(default));
        Assert.Contains("--store", e.Message, StringComparison.Ordinal);
    }

    private string ReadAllFiles() =>
        string.Concat(Directory.GetFiles(_directory).Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));
}
