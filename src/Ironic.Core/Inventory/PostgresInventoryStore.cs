using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using Npgsql;

namespace Ironic.Core.Inventory;

/// <summary>
/// The shared inventory for several boot servers on several hosts: PostgreSQL through Npgsql,
/// from a <c>postgres://user:password@host:port/database?sslmode=…&amp;schema=…</c> URL. The
/// optional <c>schema</c> parameter keeps the tables in their own schema (created on migrate);
/// migrations hold an advisory lock so that servers starting together migrate once.
/// </summary>
public sealed class PostgresInventoryStore : SqlInventoryStore
{
    // pg_advisory_xact_lock key: "ironic-inventory-migrate", any constant every server agrees on.
    private const long MigrationLockKey = 0x69726f6e69636d67;

    /// <summary>Connections one store opens at most, unless the URL's pool_size says otherwise.</summary>
    public const int DefaultPoolSize = 10;

    private readonly NpgsqlDataSource _dataSource;

    public PostgresInventoryStore(string url, CredentialCipher cipher, TimeProvider? time = null) : base(cipher, time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        Location = StoreLocation.Parse(url) is { Kind: StoreKind.PostgreSql } location
            ? location
            : throw new ArgumentException($"'{url}' is not a postgres:// URL.", nameof(url));
        var builder = ToConnectionString(url);
        Schema = builder.SearchPath;
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public override StoreLocation Location { get; }

    /// <summary>The schema the tables live in (the URL's schema parameter), or null for the server's default search path.</summary>
    public string? Schema { get; }

    private protected override string BlobType => "BYTEA";

    /// <summary>Turns a postgres:// URL into Npgsql's connection string; unknown parameters are refused with the list of known ones.</summary>
    public static NpgsqlConnectionStringBuilder ToConnectionString(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql"))
        {
            throw new ArgumentException($"'{StoreLocation.Parse(url)}' is not a postgres:// URL. Write postgres://user:password@host:5432/database.", nameof(url));
        }
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = string.IsNullOrEmpty(uri.Host) ? "localhost" : uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : "ironic",
            ApplicationName = "ironic",
            Timeout = 5,
            CommandTimeout = 30,
            // The boot API runs the same few statements per request: let Npgsql prepare them per physical connection.
            MaxAutoPrepare = 32,
            AutoPrepareMinUsages = 2,
            // Several servers share one PostgreSQL (100 connections by default): each takes a few; callers queue beyond that.
            MaxPoolSize = DefaultPoolSize,
        };
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0) builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            switch (key)
            {
                case "sslmode": builder.SslMode = Enum.Parse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true); break;
                case "schema": builder.SearchPath = ValidSchema(value); break;
                case "host": builder.Host = value; break;
                case "application_name": builder.ApplicationName = value; break;
                case "connect_timeout": builder.Timeout = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "pool_size": builder.MaxPoolSize = int.Parse(value, CultureInfo.InvariantCulture); break;
                default:
                    throw new ArgumentException(
                        $"The PostgreSQL URL parameter '{key}' is not understood. Known: sslmode, schema, host, application_name, connect_timeout, pool_size.", nameof(url));
            }
        }
        return builder;
    }

    private static string ValidSchema(string schema) =>
        schema.Length is > 0 and <= 63 && schema.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_') && !char.IsAsciiDigit(schema[0])
            ? schema
            : throw new ArgumentException($"The schema '{schema}' is not a plain lower-case identifier (a-z, 0-9, _; at most 63 characters).", nameof(schema));

    private protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw new InventoryStoreException(
                $"Cannot connect to the PostgreSQL inventory {Location}: {e.Message}. Check that the server runs and accepts this user (on Debian: pg_ctlcluster 15 main start; .ci/start-postgres.sh sets up the test database).", e);
        }
    }

    private protected override async Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // The lock first, then the schema: two servers creating it at once would collide in the catalog.
        command.CommandText = Schema is null
            ? $"SELECT pg_advisory_xact_lock({MigrationLockKey})"
            : $"SELECT pg_advisory_xact_lock({MigrationLockKey}); CREATE SCHEMA IF NOT EXISTS \"{Schema}\"";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return transaction;
    }

    // PostgreSQL SQLSTATE: 23505 unique_violation, 23503 foreign_key_violation.
    private protected override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    private protected override bool IsForeignKeyViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation };

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
