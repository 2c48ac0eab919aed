import Logging
import PostgresNIO

/// Versioned migrations of the control schema `tessera`, applied under an advisory lock so that
/// servers starting together migrate once.
public enum ControlSchema {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: [String]
    }

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "tenants, keys, metadata, packs", sql: [
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
        Migration(version: 2, name: "record history in every tenant schema", sql: [HistorySQL.tenantTable.migration]),
        Migration(version: 3, name: "stage history in every tenant schema", sql: [StageHistorySQL.tenantTable.migration]),
        Migration(version: 4, name: "identity: users, teams, roles, sessions, login throttling", sql: [
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
            IdentityTables.migration,
        ]),
    ]

    /// The channel on which metadata changes are announced (payload: tenant id).
    public static let metadataChannel = "tessera_metadata"
    /// Payloads `auth:<tenant id>` on that channel: users or keys changed, forget cached callers.
    public static let authPayloadPrefix = "auth:"

    /// Applies the missing migrations; returns the versions it applied.
    @discardableResult
    public static func migrate(_ client: PostgresClient, logger: Logger) async throws -> [Int] {
        try await client.withTransaction(logger: logger) { connection in
            // Transaction-scoped: released at commit, even if this process dies.
            try await connection.query("SELECT pg_advisory_xact_lock(727274)", logger: logger)
            try await connection.query("CREATE SCHEMA IF NOT EXISTS tessera", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS tessera.schema_migrations (
                    version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM tessera.schema_migrations", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            var done: [Int] = []
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO tessera.schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))", logger: logger)
                logger.info("Applied control-schema migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                done.append(migration.version)
            }
            return done
        }
    }
}
