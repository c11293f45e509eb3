using Ironic.Core.Inventory;
using Npgsql;

namespace Ironic.Core.Tests.Inventory;

/// <summary>
/// The store tests against a real PostgreSQL: $IRONIC_TEST_POSTGRES, default
/// postgres://ironic:ironic@127.0.0.1:5432/ironic_test (.ci/start-postgres.sh creates it).
/// Each test works in its own schema, dropped afterwards.
/// </summary>
public sealed class PostgresInventoryStoreTests : InventoryStoreTests
{
    public const string DefaultUrl = "postgres://ironic:ironic@127.0.0.1:5432/ironic_test";

    private readonly string _schemaPrefix = "t_" + Guid.NewGuid().ToString("N")[..20];
    private readonly HashSet<string> _schemas = [];

    public static string ServerUrl => Environment.GetEnvironmentVariable("IRONIC_TEST_POSTGRES") is { Length: > 0 } url ? url : DefaultUrl;

    private string UrlFor(string schema) => ServerUrl + (ServerUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "schema=" + schema;

    protected override IInventoryStore OpenStore(byte[] key, string? storage = null)
    {
        var schema = storage is null ? _schemaPrefix : $"{_schemaPrefix}_{storage}";
        _schemas.Add(schema);
        return InventoryStores.Open(StoreLocation.Parse(UrlFor(schema))!, SecretKeySource.FromKey(key));
    }

    public static async Task<NpgsqlConnection> ConnectAsync()
    {
        var connection = new NpgsqlConnection(PostgresInventoryStore.ToConnectionString(ServerUrl).ConnectionString);
        try
        {
            await connection.OpenAsync();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            await connection.DisposeAsync();
            Assert.Fail($"PostgreSQL at {StoreLocation.Parse(ServerUrl)} is not reachable ({e.Message}). Run .ci/start-postgres.sh (installs nothing; needs Debian's postgresql package) or set IRONIC_TEST_POSTGRES.");
        }
        return connection;
    }

    protected override async Task<string> ReadRawDriverInfoAsync(Guid nodeUuid)
    {
        await using var connection = await ConnectAsync();
        await using var command = new NpgsqlCommand($"SELECT driver_info FROM \"{_schemaPrefix}\".nodes WHERE uuid = @uuid", connection);
        command.Parameters.AddWithValue("uuid", nodeUuid.ToString("D"));
        return (string)(await command.ExecuteScalarAsync())!;
    }

    protected override async Task DropStorageAsync()
    {
        await using var connection = await ConnectAsync();
        foreach (var schema in _schemas)
        {
            await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public void ToConnectionString_ReadsTheUrl_AndRefusesUnknownParameters()
    {
        var builder = PostgresInventoryStore.ToConnectionString("postgres://us%40er:p%3Ass@db.example:6543/inv?sslmode=require&schema=lab_1");
        Assert.Equal("db.example", builder.Host);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("us@er", builder.Username);
        Assert.Equal("p:ss", builder.Password);
        Assert.Equal("inv", builder.Database);
        Assert.Equal(SslMode.Require, builder.SslMode);
        Assert.Equal("lab_1", builder.SearchPath);

        var e = Assert.Throws<ArgumentException>(() => PostgresInventoryStore.ToConnectionString("postgres://h/db?frobnicate=1"));
        Assert.Contains("'frobnicate'", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PostgresInventoryStore.ToConnectionString("postgres://h/db?schema=Robert'); DROP"));
    }

    [Fact]
    public async Task UnreachableServer_SaysHowToStartIt()
    {
        await using var store = InventoryStores.Open(StoreLocation.Parse("postgres://ironic:x@127.0.0.1:1/none?connect_timeout=2")!, SecretKeySource.FromKey(TestKey));
        var e = await Assert.ThrowsAsync<InventoryStoreException>(() => store.MigrateAsync(default));
        Assert.Contains("start-postgres.sh", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(":x@", e.Message, StringComparison.Ordinal);
    }
}
