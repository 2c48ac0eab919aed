import Foundation
public import Logging
public import PostgresNIO
public import TesseraCore

/// Tenants and their API keys in the control schema; creating one also builds its schema.
public struct TenantStore: Sendable {
    let client: DatabasePool
    let logger: Logger

    public init(client: DatabasePool, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Creates the tenant, its schema, an admin user (optionally with an email and password hash to
    /// sign in with) and an API key; returns the key (shown once).
    public func create(
        slug: String, name: String, timeZone: String = "Asia/Shanghai", locale: MessageLocale? = nil,
        adminEmail: String? = nil, adminPasswordHash: String? = nil
    ) async throws -> (Tenant, apiKey: String) {
        var problems: [TesseraError.Detail] = []
        if !Tenant.isValidSlug(slug) {
            problems.append(
                .init(
                    field: "slug", rule: "name",
                    AccountMessage.slugForm))
        }
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.count > 200 {
            problems.append(.init(field: "name", rule: "required", AccountMessage.nameLength))
        }
        if !timeZone.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/_+-".contains($0)) }) {
            problems.append(.init(field: "time_zone", rule: "time_zone", AccountMessage.notTimeZone(timeZone)))
        }
        guard problems.isEmpty else { throw TesseraError.validation(problems) }
        let id = UUIDText.v7()
        let userID = UUIDText.v7()
        let keyID = UUIDText.v7()
        let key = APIKey.generate()
        let schema = Tenant.schemaName(forSlug: slug)
        do {
            let createdAt = try await client.withTransaction(logger: logger) { connection -> Date in
                let zoneRows = try await connection.query("SELECT count(*) FROM pg_timezone_names WHERE name = \(timeZone)", logger: logger)
                var known = 0
                for try await n in zoneRows.decode(Int.self) { known = n }
                guard known > 0 else {
                    throw TesseraError.validation([.init(field: "time_zone", rule: "time_zone", AccountMessage.notTimeZone(timeZone))])
                }
                var createdAt = Date()
                let rows = try await connection.query(
                    """
                    INSERT INTO tessera.tenants (id, slug, name, schema_name, time_zone, locale, tenant_version)
                    VALUES (\(id), \(slug), \(trimmed), \(schema), \(timeZone), \(locale?.rawValue), \(ControlSchema.latestTenantVersion))
                    RETURNING created_at
                    """, logger: logger)
                for try await at in rows.decode(Date.self) { createdAt = at }
                for statement in Self.tenantSchemaDDL(schema) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    """
                    INSERT INTO \(unescaped: IdentityTables.users(schema)) (id, name, email, password_hash, roles, password_changed_at)
                    VALUES (\(userID), 'Admin', \(adminEmail), \(adminPasswordHash), '{admin}', \(adminPasswordHash == nil ? nil : Date()))
                    """, logger: logger)
                try await connection.query(
                    """
                    INSERT INTO tessera.api_keys (id, tenant_id, user_id, name, prefix, key_hash)
                    VALUES (\(keyID), \(id), \(userID), 'admin', \(String(key.prefix(8))), \(APIKey.hashHex(key)))
                    """, logger: logger)
                return createdAt
            }
            let tenant = Tenant(id: id, slug: slug, name: trimmed, schema: schema, timeZone: timeZone, createdAt: createdAt, locale: locale)
            logger.info("Created tenant", metadata: ["slug": "\(slug)"])
            return (tenant, key)
        } catch {
            if let mapped = DatabaseErrorMapper.map(error) {
                if mapped.code == "duplicate" { throw TesseraError.conflict(AccountMessage.tenantExists(slug), code: "duplicate") }
                throw mapped
            }
            throw error
        }
    }

    /// Tables every tenant schema has besides its entities.
    static func tenantSchemaDDL(_ schema: String) -> [String] {
        let s = SQLIdentifier.quote(schema)
        return [
            "CREATE SCHEMA \(s)"
        ] + IdentityTables.create(schema: schema) + [
            """
            CREATE TABLE \(SQLIdentifier.qualified(schema, TenantTableName.files)) (
                id uuid PRIMARY KEY, name text NOT NULL, content_type text NOT NULL, size bigint NOT NULL,
                sha256 text NOT NULL, created_by uuid, created_at timestamptz NOT NULL DEFAULT now())
            """
        ] + HistorySQL.tenantTable.create(schema: schema) + StageHistorySQL.tenantTable.create(schema: schema)
            + OutboxTables.create(schema: schema) + AutomationStateTables.create(schema: schema) + ApprovalTables.create(schema: schema)
    }

    /// Removes a tenant: its schema with every table, its keys and metadata (used to undo a failed set-up).
    public func delete(_ tenant: Tenant) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(SQLIdentifier.quote(tenant.schema)) CASCADE"), logger: logger)
            try await connection.query("DELETE FROM tessera.tenants WHERE id = \(tenant.id)", logger: logger)
        }
    }

    public func list() async throws -> [Tenant] {
        try await TenantRow.tenants(
            try await client.query("SELECT \(unescaped: TenantRow.columns("t")) FROM tessera.tenants t ORDER BY t.created_at, t.slug", logger: logger)
        )
    }

    public func find(slug: String) async throws -> Tenant? {
        try await TenantRow.tenants(
            try await client.query("SELECT \(unescaped: TenantRow.columns("t")) FROM tessera.tenants t WHERE t.slug = \(slug)", logger: logger)
        ).first
    }
}
