import Foundation
public import Logging
public import PostgresNIO

/// Versioned migrations of the control schema `tessera`, applied under an advisory lock so that
/// servers starting together migrate once. A step may also change every tenant's schema: that
/// part runs tenant by tenant, each in its own transaction (one transaction over thousands of
/// schemas would run out of lock slots), and each tenant records the last step it has.
public enum ControlSchema {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        /// Control-schema statements, in one transaction with the version's record.
        public let sql: [String]
        /// Statements for one existing tenant schema (idempotent: a step cut short runs again).
        public var tenant: (@Sendable (String) -> [String])? = nil
    }

    /// The last step with a tenant part: what a new tenant's schema already is.
    public static var latestTenantVersion: Int { migrations.filter { $0.tenant != nil }.map(\.version).max() ?? 0 }

    public static let migrations: [Migration] = [
        Migration(
            version: 1, name: "tenants, keys, metadata, packs",
            sql: [
                """
                CREATE TABLE tessera.tenants (
                    id uuid PRIMARY KEY,
                    slug text NOT NULL UNIQUE,
                    name text NOT NULL,
                    schema_name text NOT NULL UNIQUE,
                    time_zone text NOT NULL DEFAULT 'Asia/Shanghai',
                    meta_version bigint NOT NULL DEFAULT 1,
                    created_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE tessera.api_keys (
                    id uuid PRIMARY KEY,
                    tenant_id uuid NOT NULL REFERENCES tessera.tenants(id) ON DELETE CASCADE,
                    user_id uuid,
                    name text NOT NULL,
                    prefix text NOT NULL,
                    key_hash text NOT NULL UNIQUE,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    revoked_at timestamptz
                )
                """,
                """
                CREATE TABLE tessera.entities (
                    tenant_id uuid NOT NULL REFERENCES tessera.tenants(id) ON DELETE CASCADE,
                    name text NOT NULL,
                    position int NOT NULL,
                    definition json NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (tenant_id, name)
                )
                """,
                """
                CREATE TABLE tessera.pack_installs (
                    tenant_id uuid NOT NULL REFERENCES tessera.tenants(id) ON DELETE CASCADE,
                    pack_id text NOT NULL,
                    version text NOT NULL,
                    installed_at timestamptz NOT NULL DEFAULT now(),
                    duration_ms double precision NOT NULL,
                    PRIMARY KEY (tenant_id, pack_id)
                )
                """,
                """
                CREATE TABLE tessera.metadata_log (
                    id bigserial PRIMARY KEY,
                    tenant_id uuid NOT NULL REFERENCES tessera.tenants(id) ON DELETE CASCADE,
                    at timestamptz NOT NULL DEFAULT now(),
                    actor uuid,
                    action text NOT NULL,
                    target text NOT NULL,
                    detail json
                )
                """,
                "CREATE INDEX metadata_log_tenant ON tessera.metadata_log (tenant_id, id)",
            ]),
        Migration(version: 2, name: "record history in every tenant schema", sql: [], tenant: { HistorySQL.tenantTable.create(schema: $0) }),
        Migration(version: 3, name: "stage history in every tenant schema", sql: [], tenant: { StageHistorySQL.tenantTable.create(schema: $0) }),
        Migration(
            version: 4, name: "identity: users, teams, roles, sessions, login throttling",
            sql: [
                "ALTER TABLE tessera.api_keys ADD COLUMN kind text NOT NULL DEFAULT 'key', ADD COLUMN expires_at timestamptz",
                "CREATE INDEX api_keys_user ON tessera.api_keys (tenant_id, user_id)",
                "ALTER TABLE tessera.tenants ADD COLUMN freeze_after_days int",
                """
                CREATE TABLE tessera.roles (
                    tenant_id uuid NOT NULL REFERENCES tessera.tenants(id) ON DELETE CASCADE,
                    name text NOT NULL,
                    definition json NOT NULL,
                    PRIMARY KEY (tenant_id, name)
                )
                """,
                """
                CREATE TABLE tessera.login_failures (
                    tenant_id uuid NOT NULL REFERENCES tessera.tenants(id) ON DELETE CASCADE,
                    email text NOT NULL,
                    at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX login_failures_key ON tessera.login_failures (tenant_id, email, at)",
            ], tenant: { IdentityTables.migrate(schema: $0) }),
        Migration(
            version: 5, name: "automations: definitions, outbox, run log, inbox",
            sql: [
                """
                CREATE TABLE tessera.automations (
                    tenant_id uuid NOT NULL REFERENCES tessera.tenants(id) ON DELETE CASCADE,
                    name text NOT NULL,
                    definition json NOT NULL,
                    PRIMARY KEY (tenant_id, name)
                )
                """,
                // Tenants made before this step go through every tenant part once (they are idempotent).
                "ALTER TABLE tessera.tenants ADD COLUMN tenant_version int NOT NULL DEFAULT 0",
            ], tenant: { schema in OutboxTables.all.flatMap { $0.create(schema: schema) } }),
        Migration(
            version: 6, name: "outbox events announced to workers", sql: [OutboxTables.notifyFunction],
            tenant: { OutboxTables.create(schema: $0) }),
        Migration(version: 7, name: "webhook signing secrets", sql: ["ALTER TABLE tessera.tenants ADD COLUMN webhook_secret text"]),
        Migration(
            version: 8, name: "outbox events announced in-process, not by NOTIFY", sql: [],
            tenant: { ["DROP TRIGGER IF EXISTS outbox_notify ON \(OutboxTables.outbox($0))"] }),
        Migration(
            version: 9, name: "assignment rules, SLA steps, record locks, notification channels",
            sql: [
                """
                CREATE TABLE tessera.assignment_rules (
                    tenant_id uuid NOT NULL REFERENCES tessera.tenants(id) ON DELETE CASCADE,
                    name text NOT NULL,
                    definition json NOT NULL,
                    PRIMARY KEY (tenant_id, name)
                )
                """,
                "ALTER TABLE tessera.tenants ADD COLUMN channels jsonb, ADD COLUMN smtp jsonb",
            ],
            tenant: { schema in
                ["ALTER TABLE \(OutboxTables.outbox(schema)) ADD COLUMN IF NOT EXISTS step int"] + AutomationStateTables.create(schema: schema)
            }),
        Migration(
            version: 10, name: "the languages of built-in messages: the tenant's default, each user's own",
            sql: ["ALTER TABLE tessera.tenants ADD COLUMN locale text"],
            tenant: { ["ALTER TABLE \(IdentityTables.users($0)) ADD COLUMN IF NOT EXISTS locale text"] }),
        Migration(
            version: 11, name: "the indexes of lists and counts hold live records only, so counts read the index alone",
            sql: [], tenant: { [LiveRowIndexes.migrate(schema: $0)] }),
        Migration(
            version: 12, name: "views: lists, boards and calendars as metadata (shared by name, personal by author and name)",
            sql: [
                """
                CREATE TABLE tessera.views (
                    tenant_id uuid NOT NULL REFERENCES tessera.tenants(id) ON DELETE CASCADE,
                    name text NOT NULL,
                    definition json NOT NULL,
                    PRIMARY KEY (tenant_id, name)
                )
                """
            ]),
        Migration(
            version: 13, name: "forms: each entity's layouts, keyed by entity and name",
            sql: [
                """
                CREATE TABLE tessera.forms (
                    tenant_id uuid NOT NULL REFERENCES tessera.tenants(id) ON DELETE CASCADE,
                    name text NOT NULL,
                    definition json NOT NULL,
                    PRIMARY KEY (tenant_id, name)
                )
                """
            ]),
        Migration(
            version: 14, name: "approvals: processes with every version kept, and each tenant's running approvals, tasks and log",
            sql: [
                """
                CREATE TABLE tessera.approvals (
                    tenant_id uuid NOT NULL REFERENCES tessera.tenants(id) ON DELETE CASCADE,
                    name text NOT NULL,
                    definition json NOT NULL,
                    PRIMARY KEY (tenant_id, name)
                )
                """,
                """
                CREATE TABLE tessera.approval_versions (
                    tenant_id uuid NOT NULL REFERENCES tessera.tenants(id) ON DELETE CASCADE,
                    name text NOT NULL,
                    version int NOT NULL,
                    definition json NOT NULL,
                    actor uuid,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (tenant_id, name, version)
                )
                """,
            ], tenant: { ApprovalTables.create(schema: $0) }),
        Migration(
            version: 15, name: "dashboards: boards of widgets over aggregates, process metrics, views and health scores",
            sql: [
                """
                CREATE TABLE tessera.dashboards (
                    tenant_id uuid NOT NULL REFERENCES tessera.tenants(id) ON DELETE CASCADE,
                    name text NOT NULL,
                    definition json NOT NULL,
                    PRIMARY KEY (tenant_id, name)
                )
                """
            ]),
        Migration(
            version: 16, name: "revisions: every configuration change numbered with the whole configuration; removed fields' columns kept",
            sql: [
                "ALTER TABLE tessera.metadata_log ADD COLUMN revision bigint, ADD COLUMN snapshot json",
                "CREATE UNIQUE INDEX metadata_log_revision ON tessera.metadata_log (tenant_id, revision) WHERE revision IS NOT NULL",
                "ALTER TABLE tessera.tenants ADD COLUMN retention_days int NOT NULL DEFAULT 30",
                """
                CREATE TABLE tessera.retained_columns (
                    tenant_id uuid NOT NULL REFERENCES tessera.tenants(id) ON DELETE CASCADE,
                    entity text NOT NULL,
                    field text NOT NULL,
                    column_name text NOT NULL,
                    definition json NOT NULL,
                    revision bigint NOT NULL,
                    removed_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (tenant_id, entity, column_name)
                )
                """,
            ]),
        Migration(
            version: 17, name: "packs keep their installed version's copy of each object, for upgrades that keep customizations",
            sql: ["ALTER TABLE tessera.pack_installs ADD COLUMN contents json, ADD COLUMN upgraded_at timestamptz"]),
        Migration(
            version: 18, name: "a business calendar per tenant: working hours, weekend, holidays, make-up working days",
            sql: ["ALTER TABLE tessera.tenants ADD COLUMN calendar json"]),
        Migration(
            version: 19, name: "working days in SQL: one function per form over the tenant's calendar, bound as arrays",
            sql: WorkingDaysSQL.functions),
    ]

    /// The channel on which metadata changes are announced (payload: tenant id).
    public static let metadataChannel = "tessera_metadata"
    /// Payloads `auth:<tenant id>` on that channel: users or keys changed, forget cached callers.
    public static let authPayloadPrefix = "auth:"

    /// The newest control-schema migration this build knows.
    public static var latestVersion: Int { migrations.map(\.version).max() ?? 0 }

    /// Whether the database holds every migration this build knows (an instance is not ready to
    /// serve a schema older than its code).
    public static func isMigrated(_ client: DatabasePool, logger: Logger) async throws -> Bool {
        let rows = try await client.query("SELECT coalesce(max(version), 0) FROM tessera.schema_migrations", logger: logger).collect()
        return try (rows.first?.decode(Int.self) ?? 0) >= latestVersion
    }

    /// Applies the missing migrations, then brings every tenant schema up to date; returns the
    /// control versions it applied.
    @discardableResult
    public static func migrate(_ client: DatabasePool, logger: Logger) async throws -> [Int] {
        try await client.withConnection { connection in
            // Session-scoped, held across the per-tenant transactions; released below or when the
            // connection closes (also if this process dies).
            try await connection.query("SELECT pg_advisory_lock(727274)", logger: logger)
            do {
                let done = try await migrateControl(connection, logger: logger)
                try await migrateTenants(connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(727274)", logger: logger)
                return done
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(727274)", logger: logger)
                throw error
            }
        }
    }

    private static func migrateControl(_ connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.query("CREATE SCHEMA IF NOT EXISTS tessera", logger: logger)
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS tessera.schema_migrations (
                version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var applied = Set<Int>()
        for try await version in try await connection.query("SELECT version FROM tessera.schema_migrations", logger: logger).decode(Int.self) {
            applied.insert(version)
        }
        var done: [Int] = []
        for migration in migrations where !applied.contains(migration.version) {
            try await connection.withTransaction(logger: logger) { connection in
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO tessera.schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))", logger: logger)
            }
            logger.info("Applied control-schema migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            done.append(migration.version)
        }
        return done
    }

    /// Each tenant behind the latest tenant step gets the steps it lacks, one transaction per tenant.
    /// Rows without a schema (a failed set-up) are skipped: they must not stop every start-up.
    private static func migrateTenants(_ connection: PostgresConnection, logger: Logger) async throws {
        let latest = latestTenantVersion
        let rows = try await connection.query(
            """
            SELECT t.id, t.schema_name, t.tenant_version FROM tessera.tenants t JOIN pg_namespace n ON n.nspname = t.schema_name
            WHERE t.tenant_version < \(latest) ORDER BY t.created_at
            """, logger: logger
        ).collect()
        for row in rows {
            let (id, schema, _) = try row.decode((UUID, String, Int).self)
            try await connection.withTransaction(logger: logger) { connection in
                // The tenant's row is locked and its version read again inside the transaction: a
                // tenant another migration already brought up to date is left alone.
                let locked = try await connection.query(
                    "SELECT tenant_version FROM tessera.tenants WHERE id = \(id) FOR UPDATE", logger: logger
                ).collect()
                guard let version = try locked.first?.decode(Int.self), version < latest else { return }
                for migration in migrations where migration.version > version {
                    for statement in migration.tenant?(schema) ?? [] {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                }
                try await connection.query("UPDATE tessera.tenants SET tenant_version = \(latest) WHERE id = \(id)", logger: logger)
            }
        }
        if !rows.isEmpty { logger.info("Brought tenant schemas up to date", metadata: ["tenants": "\(rows.count)", "version": "\(latest)"]) }
    }
}
