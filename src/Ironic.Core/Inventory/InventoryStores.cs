namespace Ironic.Core.Inventory;

/// <summary>Opens the inventory a <see cref="StoreLocation"/> names: SQLite file or PostgreSQL URL.</summary>
public static class InventoryStores
{
    /// <summary>
    /// The store at <paramref name="location"/>, not yet migrated. Credentials are encrypted with
    /// the key from <paramref name="secretKey"/> (default: $IRONIC_SECRET_KEY, else the key file).
    /// </summary>
    public static IInventoryStore Open(StoreLocation location, SecretKeySource? secretKey = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        var cipher = new CredentialCipher(secretKey ?? SecretKeySource.FromEnvironment());
        return location.Kind switch
        {
            StoreKind.Sqlite => new SqliteInventoryStore(location.Value, cipher, time),
            StoreKind.PostgreSql => new PostgresInventoryStore(location.Value, cipher, time),
            _ => throw new ArgumentOutOfRangeException(nameof(location), location.Kind, "Unknown store kind."),
        };
    }

    /// <summary>Opens the store and brings its schema up to date (what every front does first).</summary>
    public static async Task<IInventoryStore> OpenAsync(StoreLocation location, CancellationToken cancellationToken, SecretKeySource? secretKey = null, TimeProvider? time = null)
    {
        var store = Open(location, secretKey, time);
        try
        {
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
