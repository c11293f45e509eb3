using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Ironic.Core.Inventory;

/// <summary>
/// The embedded inventory: one SQLite file in WAL mode (readers never wait for the writer),
/// a busy timeout so concurrent writers queue instead of failing, foreign keys on. The file and
/// its directory are created on first use. Connections stay open in a small pool of their own
/// with their prepared statements, because preparing and PRAGMAs cost more than the lookup
/// the boot API makes per request.
/// </summary>
public sealed class SqliteInventoryStore : SqlInventoryStore
{
    /// <summary>How long a writer waits for another's lock before it fails.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Open connections kept idle for the next operation; more are opened under load and closed after it.</summary>
    public const int MaxIdleConnections = 16;

    private readonly string _connectionString;
    private readonly ConcurrentBag<PooledSession> _idle = [];
    private int _idleCount;
    private int _walSet;
    private volatile bool _disposed;

    public SqliteInventoryStore(string path, CredentialCipher cipher, TimeProvider? time = null) : base(cipher, time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Location = StoreLocation.Sqlite(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Location.Value,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            // This store pools its own open connections (with their statements); the driver's pool would only add a layer.
            Pooling = false,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();
    }

    public override StoreLocation Location { get; }

    private protected override string BlobType => "BLOB";

    private protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            var directory = Path.GetDirectoryName(Location.Value);
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragmas = connection.CreateCommand();
            // WAL is a property of the file (set once); the others hold for this connection's life.
            var settings = $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
            pragmas.CommandText = Volatile.Read(ref _walSet) == 0 ? "PRAGMA journal_mode = WAL; " + settings : settings;
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _walSet, 1);
            return connection;
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new InventoryStoreException(
                $"Cannot open the SQLite inventory {Location.Value}: {e.Message}. Check that the directory is writable, or give another file with --store or $IRONIC_STORE.", e);
        }
    }

    private protected override async ValueTask<StoreSession> RentAsync(CancellationToken cancellationToken)
    {
        if (_idle.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            return session;
        }
        return new PooledSession(this, (SqliteConnection)await OpenConnectionAsync(cancellationToken).ConfigureAwait(false));
    }

    private async ValueTask ReturnAsync(PooledSession session)
    {
        if (!_disposed && session.Connection.State == ConnectionState.Open)
        {
            if (Interlocked.Increment(ref _idleCount) <= MaxIdleConnections)
            {
                _idle.Add(session);
                // The store may have been disposed while this one was being put back.
                if (_disposed) await CloseIdleAsync().ConfigureAwait(false);
                return;
            }
            Interlocked.Decrement(ref _idleCount);
        }
        await session.CloseAsync().ConfigureAwait(false);
    }

    private async ValueTask CloseIdleAsync()
    {
        while (_idle.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            await session.CloseAsync().ConfigureAwait(false);
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

    /// <summary>Closes every idle connection, so the file can be moved or deleted once the store is gone.</summary>
    public override async ValueTask DisposeAsync()
    {
        _disposed = true;
        await CloseIdleAsync().ConfigureAwait(false);
    }

    /// <summary>An open connection with the commands made on it, kept prepared by SQL text.</summary>
    private sealed class PooledSession(SqliteInventoryStore owner, SqliteConnection connection) : StoreSession(connection)
    {
        private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

        public override DbCommand Command(string sql)
        {
            if (_commands.TryGetValue(sql, out var command))
            {
                command.Parameters.Clear();
                return command;
            }
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
            return command;
        }

        public override ValueTask DisposeAsync() => owner.ReturnAsync(this);

        public async ValueTask CloseAsync()
        {
            foreach (var command in _commands.Values) await command.DisposeAsync().ConfigureAwait(false);
            _commands.Clear();
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
