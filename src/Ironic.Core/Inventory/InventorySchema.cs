namespace Ironic.Core.Inventory;

/// <summary>One step of the schema; applied once, in order, and recorded in <c>schema_version</c>.</summary>
public sealed record SchemaMigration(int Version, string Description, string Sql);

/// <summary>
/// The inventory schema as one list of migrations shared by SQLite and PostgreSQL. The SQL is
/// the common subset of both; the only dialect difference, the binary column type, is written
/// <c>{blob}</c> and filled in by the store. Never edit a released migration: append one.
/// Times are Unix milliseconds (BIGINT), UUIDs their lower-case text, driver_info and
/// instance_info JSON objects.
/// </summary>
public static class InventorySchema
{
    public static IReadOnlyList<SchemaMigration> Migrations { get; } =
    [
        new(1, "nodes, ports, conductors, artifacts", """
            CREATE TABLE nodes (
                uuid TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                driver TEXT NOT NULL,
                driver_info TEXT NOT NULL,
                instance_info TEXT NOT NULL,
                provision_state TEXT NOT NULL,
                target_provision_state TEXT,
                power_state TEXT NOT NULL,
                boot_interface TEXT NOT NULL,
                deploy_interface TEXT NOT NULL,
                conductor_group TEXT NOT NULL,
                last_error TEXT,
                reservation TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            );
            CREATE TABLE ports (
                uuid TEXT PRIMARY KEY,
                address TEXT NOT NULL UNIQUE,
                node_uuid TEXT NOT NULL REFERENCES nodes (uuid) ON DELETE CASCADE,
                created_at BIGINT NOT NULL
            );
            CREATE INDEX ports_node_uuid ON ports (node_uuid);
            CREATE TABLE conductors (
                name TEXT PRIMARY KEY,
                internal_url TEXT NOT NULL,
                conductor_group TEXT NOT NULL,
                heartbeat_at BIGINT NOT NULL
            );
            CREATE TABLE artifacts (
                node_uuid TEXT NOT NULL REFERENCES nodes (uuid) ON DELETE CASCADE,
                name TEXT NOT NULL,
                content {blob} NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (node_uuid, name)
            );
            """),
        new(2, "index reservations, so that a dead conductor's locks are found without a scan", """
            CREATE INDEX nodes_reservation ON nodes (reservation);
            """),
    ];

    /// <summary>The version a fully migrated store reports.</summary>
    public static int LatestVersion => Migrations[^1].Version;
}
