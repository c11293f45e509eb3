using System.Data.Common;
using System.Text.Json;

namespace Ironic.Core.Inventory;

/// <summary>
/// The inventory over ADO.NET, written once for SQLite and PostgreSQL: the SQL is the subset
/// both speak (ON CONFLICT upserts, BIGINT times, TEXT UUIDs); a subclass opens connections,
/// names its binary type, locks migrations and recognizes constraint violations.
/// </summary>
public abstract class SqlInventoryStore : IInventoryStore
{
    private const string NodeColumns =
        "uuid, name, driver, driver_info, instance_info, provision_state, target_provision_state, power_state, " +
        "boot_interface, deploy_interface, conductor_group, last_error, reservation, created_at, updated_at";

    private readonly CredentialCipher _cipher;
    private readonly TimeProvider _time;

    private protected SqlInventoryStore(CredentialCipher cipher, TimeProvider? time)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        _cipher = cipher;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Where the store is, for messages (no password).</summary>
    public abstract StoreLocation Location { get; }

    /// <summary>The column type of binary content: BLOB or BYTEA.</summary>
    private protected abstract string BlobType { get; }

    /// <summary>Opens a connection ready for use (pooled); InventoryStoreException when the store cannot be reached.</summary>
    private protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>A connection for one operation; the default opens one from the driver's pool and makes fresh commands.</summary>
    private protected virtual async ValueTask<StoreSession> RentAsync(CancellationToken cancellationToken) =>
        new(await OpenConnectionAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// The connection one operation uses, and the commands it makes on it. Disposing ends the
    /// operation: this base closes the connection; a pooling store keeps it, with its prepared
    /// commands, for the next operation. Commands are owned by the session: never dispose one.
    /// </summary>
    private protected class StoreSession : IAsyncDisposable
    {
        private readonly List<DbCommand> _made = [];

        public StoreSession(DbConnection connection) => Connection = connection;

        public DbConnection Connection { get; }

        /// <summary>A command with this SQL and no parameters.</summary>
        public virtual DbCommand Command(string sql)
        {
            var command = Connection.CreateCommand();
            command.CommandText = sql;
            _made.Add(command);
            return command;
        }

        public virtual async ValueTask DisposeAsync()
        {
            foreach (var command in _made) await command.DisposeAsync().ConfigureAwait(false);
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Begins the transaction that migrations run in, holding whatever lock keeps two servers from migrating at once.</summary>
    private protected abstract Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken);

    private protected abstract bool IsUniqueViolation(DbException exception);

    private protected abstract bool IsForeignKeyViolation(DbException exception);

    public abstract ValueTask DisposeAsync();

    // ---------------------------------------------------------------- schema

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await BeginMigrationAsync(connection, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await ExecuteAsync(connection, transaction,
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                    cancellationToken).ConfigureAwait(false);
                var current = await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                if (current > InventorySchema.LatestVersion)
                {
                    throw new InventoryStoreException(
                        $"The inventory at {Location} is at schema version {current}, newer than this program knows ({InventorySchema.LatestVersion}). Upgrade Ironic for PowerShell on this machine.");
                }
                foreach (var migration in InventorySchema.Migrations.Where(m => m.Version > current))
                {
                    try
                    {
                        await ExecuteAsync(connection, transaction, migration.Sql.Replace("{blob}", BlobType, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
                    }
                    catch (DbException e)
                    {
                        throw new InventoryStoreException(
                            $"Migration {migration.Version} ({migration.Description}) of the inventory at {Location} failed: {e.Message}. Nothing was changed; fix the cause and run again.", e);
                    }
                    await using var record = Command(connection, transaction,
                        "INSERT INTO schema_version (version, description, applied_at) VALUES (@version, @description, @at)");
                    Add(record, "@version", migration.Version);
                    Add(record, "@description", migration.Description);
                    Add(record, "@at", Now());
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                return await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
            }
            catch (DbException)
            {
                return 0; // no schema_version table yet
            }
        }
    }

    private static async Task<int> ReadVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT MAX(version) FROM schema_version");
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? 0 : Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    // ---------------------------------------------------------------- nodes

    public async Task<Node> CreateNodeAsync(Node node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ValidateNode(node);
        var now = Now();
        var stored = node with
        {
            Reservation = null,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(now),
            UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(now),
        };
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var command = session.Command(
                $"INSERT INTO nodes ({NodeColumns}) VALUES (@uuid, @name, @driver, @driver_info, @instance_info, @provision_state, @target_provision_state, " +
                "@power_state, @boot_interface, @deploy_interface, @conductor_group, @last_error, NULL, @created_at, @updated_at)");
            AddNodeParameters(command, stored);
            Add(command, "@created_at", now);
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbException e) when (IsUniqueViolation(e))
            {
                throw new InventoryConflictException(
                    $"Cannot create node '{node.Name}' ({node.Uuid}): a node with that name or UUID already exists. Choose another name, or change the existing node with 'ironic node set'.", e);
            }
        }
        return stored;
    }

    public async Task<Node?> GetNodeAsync(string nameOrUuid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nameOrUuid);
        var byUuid = Guid.TryParse(nameOrUuid, out var uuid);
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var command = session.Command(
                byUuid ? $"SELECT {NodeColumns} FROM nodes WHERE uuid = @uuid OR name = @name" : $"SELECT {NodeColumns} FROM nodes WHERE name = @name");
            if (byUuid) Add(command, "@uuid", uuid.ToString("D"));
            Add(command, "@name", nameOrUuid);
            var nodes = await ReadNodesAsync(command, cancellationToken).ConfigureAwait(false);
            // A UUID match wins over a node that happens to be named like another's UUID.
            return nodes.FirstOrDefault(n => byUuid && n.Uuid == uuid) ?? nodes.FirstOrDefault();
        }
    }

    public async Task<IReadOnlyList<Node>> ListNodesAsync(CancellationToken cancellationToken)
    {
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var command = session.Command( $"SELECT {NodeColumns} FROM nodes");
            var nodes = await ReadNodesAsync(command, cancellationToken).ConfigureAwait(false);
            // Sorted here, not in SQL, so that both stores list in the same (ordinal) order.
            nodes.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return nodes;
        }
    }

    public async Task<Node> UpdateNodeAsync(Node node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ValidateNode(node);
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var command = session.Command(
                "UPDATE nodes SET name = @name, driver = @driver, driver_info = @driver_info, instance_info = @instance_info, " +
                "provision_state = @provision_state, target_provision_state = @target_provision_state, power_state = @power_state, " +
                "boot_interface = @boot_interface, deploy_interface = @deploy_interface, conductor_group = @conductor_group, " +
                "last_error = @last_error, updated_at = @updated_at WHERE uuid = @uuid");
            AddNodeParameters(command, node);
            int changed;
            try
            {
                changed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbException e) when (IsUniqueViolation(e))
            {
                throw new InventoryConflictException($"Cannot rename node {node.Uuid} to '{node.Name}': another node has that name.", e);
            }
            if (changed == 0) throw NodeNotFoundException.ForNode(node.Uuid.ToString("D"));
        }
        return await GetNodeAsync(node.Uuid.ToString("D"), cancellationToken).ConfigureAwait(false)
            ?? throw NodeNotFoundException.ForNode(node.Uuid.ToString("D"));
    }

    public async Task DeleteNodeAsync(Guid nodeUuid, CancellationToken cancellationToken)
    {
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            // Ports and artifacts go with the node (ON DELETE CASCADE).
            var command = session.Command( "DELETE FROM nodes WHERE uuid = @uuid");
            Add(command, "@uuid", nodeUuid.ToString("D"));
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                throw NodeNotFoundException.ForNode(nodeUuid.ToString("D"));
            }
        }
    }

    // ---------------------------------------------------------------- ports

    public async Task<Port> CreatePortAsync(Port port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(port);
        var stored = port with { Address = MacAddress.Normalize(port.Address), CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Now()) };
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var command = session.Command(
                "INSERT INTO ports (uuid, address, node_uuid, created_at) VALUES (@uuid, @address, @node_uuid, @created_at)");
            Add(command, "@uuid", stored.Uuid.ToString("D"));
            Add(command, "@address", stored.Address);
            Add(command, "@node_uuid", stored.NodeUuid.ToString("D"));
            Add(command, "@created_at", stored.CreatedAt.ToUnixTimeMilliseconds());
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbException e) when (IsForeignKeyViolation(e))
            {
                throw new NodeNotFoundException($"Cannot add port {stored.Address}: there is no node {stored.NodeUuid}.", e);
            }
            catch (DbException e) when (IsUniqueViolation(e))
            {
                var owner = await FindNodeByMacAsync(stored.Address, cancellationToken).ConfigureAwait(false);
                throw new InventoryConflictException(
                    $"Cannot add port {stored.Address} to node {stored.NodeUuid}: that MAC already belongs to node '{owner?.Name ?? "?"}'. A MAC is unique in the inventory; remove the other port first.", e);
            }
        }
        return stored;
    }

    public async Task<IReadOnlyList<Port>> ListPortsAsync(Guid? nodeUuid, CancellationToken cancellationToken)
    {
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var command = session.Command(
                nodeUuid is null ? "SELECT uuid, address, node_uuid, created_at FROM ports" : "SELECT uuid, address, node_uuid, created_at FROM ports WHERE node_uuid = @node_uuid");
            if (nodeUuid is { } n) Add(command, "@node_uuid", n.ToString("D"));
            var ports = new List<Port>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    ports.Add(new Port(reader.GetString(1), Guid.Parse(reader.GetString(2)))
                    {
                        Uuid = Guid.Parse(reader.GetString(0)),
                        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                    });
                }
            }
            ports.Sort((a, b) => string.CompareOrdinal(a.Address, b.Address));
            return ports;
        }
    }

    public async Task DeletePortAsync(string macAddress, CancellationToken cancellationToken)
    {
        var address = MacAddress.Normalize(macAddress);
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var command = session.Command( "DELETE FROM ports WHERE address = @address");
            Add(command, "@address", address);
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0) throw NodeNotFoundException.ForPort(address);
        }
    }

    public async Task<Node?> FindNodeByMacAsync(string macAddress, CancellationToken cancellationToken)
    {
        // Garbage is simply "no node": the boot API answers every miss the same way.
        if (!MacAddress.TryParse(macAddress, out var mac)) return null;
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var command = session.Command(
                $"SELECT {Qualified("n")} FROM nodes n JOIN ports p ON p.node_uuid = n.uuid WHERE p.address = @address");
            Add(command, "@address", mac.ToString());
            return (await ReadNodesAsync(command, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        }
    }

    // ---------------------------------------------------------------- reservations

    public async Task<bool> TryReserveAsync(Guid nodeUuid, string conductor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(conductor);
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            // One statement: the database decides which of two racing conductors wins.
            var command = session.Command(
                "UPDATE nodes SET reservation = @conductor, updated_at = @now WHERE uuid = @uuid AND reservation IS NULL");
            Add(command, "@conductor", conductor);
            Add(command, "@now", Now());
            Add(command, "@uuid", nodeUuid.ToString("D"));
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1) return true;
        }
        _ = await GetNodeAsync(nodeUuid.ToString("D"), cancellationToken).ConfigureAwait(false) ?? throw NodeNotFoundException.ForNode(nodeUuid.ToString("D"));
        return false;
    }

    public async Task<bool> TryTakeOverReservationAsync(Guid nodeUuid, string holder, string conductor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        ArgumentException.ThrowIfNullOrWhiteSpace(conductor);
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            // One statement: of two recoverers of one dead holder's node, exactly one gets it.
            var command = session.Command(
                "UPDATE nodes SET reservation = @conductor, updated_at = @now WHERE uuid = @uuid AND reservation = @holder");
            Add(command, "@conductor", conductor);
            Add(command, "@holder", holder);
            Add(command, "@now", Now());
            Add(command, "@uuid", nodeUuid.ToString("D"));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
    }

    public async Task ReleaseAsync(Guid nodeUuid, string conductor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(conductor);
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var command = session.Command(
                "UPDATE nodes SET reservation = NULL, updated_at = @now WHERE uuid = @uuid AND reservation = @conductor");
            Add(command, "@conductor", conductor);
            Add(command, "@now", Now());
            Add(command, "@uuid", nodeUuid.ToString("D"));
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1) return;
        }
        var node = await GetNodeAsync(nodeUuid.ToString("D"), cancellationToken).ConfigureAwait(false) ?? throw NodeNotFoundException.ForNode(nodeUuid.ToString("D"));
        if (node.Reservation is { } holder)
        {
            throw new NodeLockedException($"Conductor '{conductor}' cannot release node '{node.Name}': conductor '{holder}' holds its reservation.");
        }
    }

    public async Task<int> ReleaseAllReservationsAsync(string conductor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(conductor);
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var command = session.Command( "UPDATE nodes SET reservation = NULL, updated_at = @now WHERE reservation = @conductor");
            Add(command, "@conductor", conductor);
            Add(command, "@now", Now());
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- conductors

    public async Task HeartbeatAsync(Conductor conductor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conductor);
        ArgumentException.ThrowIfNullOrWhiteSpace(conductor.Name);
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var command = session.Command(
                "INSERT INTO conductors (name, internal_url, conductor_group, heartbeat_at) VALUES (@name, @url, @group, @at) " +
                "ON CONFLICT (name) DO UPDATE SET internal_url = excluded.internal_url, conductor_group = excluded.conductor_group, heartbeat_at = excluded.heartbeat_at");
            Add(command, "@name", conductor.Name);
            Add(command, "@url", conductor.InternalUrl.ToString());
            Add(command, "@group", conductor.ConductorGroup);
            Add(command, "@at", conductor.HeartbeatAt.ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<Conductor>> ListConductorsAsync(CancellationToken cancellationToken)
    {
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var command = session.Command( "SELECT name, internal_url, conductor_group, heartbeat_at FROM conductors");
            var conductors = new List<Conductor>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    conductors.Add(new Conductor(reader.GetString(0), new Uri(reader.GetString(1)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)))
                    {
                        ConductorGroup = reader.GetString(2),
                    });
                }
            }
            conductors.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return conductors;
        }
    }

    public async Task UnregisterConductorAsync(string name, CancellationToken cancellationToken)
    {
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var command = session.Command( "DELETE FROM conductors WHERE name = @name");
            Add(command, "@name", name);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- artifacts

    public async Task PutArtifactAsync(Guid nodeUuid, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var command = session.Command(
                "INSERT INTO artifacts (node_uuid, name, content, updated_at) VALUES (@node_uuid, @name, @content, @at) " +
                "ON CONFLICT (node_uuid, name) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at");
            Add(command, "@node_uuid", nodeUuid.ToString("D"));
            Add(command, "@name", name);
            Add(command, "@content", content.ToArray());
            Add(command, "@at", Now());
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbException e) when (IsForeignKeyViolation(e))
            {
                throw new NodeNotFoundException($"Cannot store artifact '{name}': there is no node {nodeUuid}.", e);
            }
        }
    }

    public async Task<byte[]?> GetArtifactAsync(Guid nodeUuid, string name, CancellationToken cancellationToken)
    {
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var command = session.Command( "SELECT content FROM artifacts WHERE node_uuid = @node_uuid AND name = @name");
            Add(command, "@node_uuid", nodeUuid.ToString("D"));
            Add(command, "@name", name);
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value as byte[];
        }
    }

    public async Task DeleteArtifactsAsync(Guid nodeUuid, CancellationToken cancellationToken)
    {
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var command = session.Command( "DELETE FROM artifacts WHERE node_uuid = @node_uuid");
            Add(command, "@node_uuid", nodeUuid.ToString("D"));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- helpers

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static void ValidateNode(Node node)
    {
        if (string.IsNullOrWhiteSpace(node.Name)) throw new ArgumentException($"Node {node.Uuid} has no name. Give every node a name.", nameof(node));
        if (node.Uuid == Guid.Empty) throw new ArgumentException($"Node '{node.Name}' has an empty UUID.", nameof(node));
    }

    private void AddNodeParameters(DbCommand command, Node node)
    {
        Add(command, "@uuid", node.Uuid.ToString("D"));
        Add(command, "@name", node.Name);
        Add(command, "@driver", node.Driver);
        Add(command, "@driver_info", JsonSerializer.Serialize(_cipher.ProtectAll(node.DriverInfo, node.Uuid), InventoryJsonContext.Default.DictionaryStringString));
        Add(command, "@instance_info", JsonSerializer.Serialize(new Dictionary<string, string>(node.InstanceInfo, StringComparer.Ordinal), InventoryJsonContext.Default.DictionaryStringString));
        Add(command, "@provision_state", node.ProvisionState);
        Add(command, "@target_provision_state", node.TargetProvisionState);
        Add(command, "@power_state", node.PowerState);
        Add(command, "@boot_interface", node.BootInterface);
        Add(command, "@deploy_interface", node.DeployInterface);
        Add(command, "@conductor_group", node.ConductorGroup);
        Add(command, "@last_error", node.LastError);
        Add(command, "@updated_at", Now());
    }

    private async Task<List<Node>> ReadNodesAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var nodes = new List<Node>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var uuid = Guid.Parse(reader.GetString(0));
                var storedDriverInfo = JsonSerializer.Deserialize(reader.GetString(3), InventoryJsonContext.Default.DictionaryStringString) ?? [];
                nodes.Add(new Node
                {
                    Uuid = uuid,
                    Name = reader.GetString(1),
                    Driver = reader.GetString(2),
                    DriverInfo = _cipher.UnprotectAll(storedDriverInfo, uuid),
                    InstanceInfo = JsonSerializer.Deserialize(reader.GetString(4), InventoryJsonContext.Default.DictionaryStringString) ?? [],
                    ProvisionState = reader.GetString(5),
                    TargetProvisionState = NullableString(reader, 6),
                    PowerState = reader.GetString(7),
                    BootInterface = reader.GetString(8),
                    DeployInterface = reader.GetString(9),
                    ConductorGroup = reader.GetString(10),
                    LastError = NullableString(reader, 11),
                    Reservation = NullableString(reader, 12),
                    CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(13)),
                    UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(14)),
                });
            }
        }
        return nodes;
    }

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static string Qualified(string alias) => string.Join(", ", NodeColumns.Split(", ").Select(c => $"{alias}.{c}"));

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
