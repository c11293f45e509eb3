using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Ironic.Core.Inventory;

/// <summary>
/// The embedded inventory: one SQLite file in WAL mode (readers never wait for the writer),
/// a busy timeout so concurrent writers queue instead of failing, foreign keys on. The file and
/// its directory are created on first use.
/// </summary>
public sealed class SqliteInventoryStore : SqlInventoryStore
{
    /// <summary>How long a writer waits for another's lock before it fails.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(10);

    private readonly string _connectionString;
    private int _walSet;

    public SqliteInventoryStore(string path, CredentialCipher cipher, TimeProvider? time = null) : base(cipher, time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Location = StoreLocation.Sqlite(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Location.Value,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();
    }

    public override StoreLocation Location { get; }

    private protected override string BlobType => "BLOB";

    private protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            if (Volatile.Read(ref _walSet) == 0)
            {
                var directory = Path.GetDirectoryName(Location.Value);
                if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
            }
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragmas = connection.CreateCommand();
            // WAL is a property of the file (set once); busy_timeout and synchronous are per connection.
            pragmas.CommandText = Interlocked.Exchange(ref _walSet, 1) == 0
                ? $"PRAGMA journal_mode = WAL; PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = NORMAL;"
                : $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = NORMAL;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            Volatile.Write(ref _walSet, 0);
            throw new InventoryStoreException(
                $"Cannot open the SQLite inventory {Location.Value}: {e.Message}. Check that the directory is writable, or give another file with --store or $IRONIC_STORE.", e);
        }
    }

    private protected override async Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // Microsoft.Data.Sqlite begins with BEGIN IMMEDIATE: the write lock is taken before the version is read.
        return await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);
    }

    // SQLite extended result codes: SQLITE_CONSTRAINT_UNIQUE 2067, _PRIMARYKEY 1555, _FOREIGNKEY 787.
    private protected override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: 2067 or 1555 };

    private protected override bool IsForeignKeyViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: 787 };

    public override ValueTask DisposeAsync()
    {
        // Close pooled connections so the file can be moved or deleted once the store is gone.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}
