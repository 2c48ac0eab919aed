import Foundation
import PostgresNIO
import TesseraCore
import TesseraTestSupport
import Testing

@testable import TesseraStore

// Serialized: the migration test walks every tenant schema while the other test drops one.
@Suite("Tenants and keys", .serialized)
struct TenantStoreTests {
    @Test("tenants behind the latest tenant step are brought up to date one by one; orphans are skipped; steps repeat safely")
    func tenantTablesMigrate() async throws {
        try await TestDatabase.withClient { client in
            let store = TenantStore(client: client, logger: TestDatabase.logger)
            let (tenant, _) = try await store.create(slug: TestDatabase.uniqueSlug(), name: "Old")
            // A tenant row whose schema is gone (a failed set-up) must not stop the migration.
            let orphan = TestDatabase.uniqueSlug()
            try await client.query(
                """
                INSERT INTO tessera.tenants (id, slug, name, schema_name, time_zone) VALUES (\(UUID()), \(orphan), 'Orphan', \("t_" + orphan), \
                'UTC')
                """
            )
            func count(_ table: String) async throws -> Int {
                try await client.query("SELECT count(*)::int FROM pg_indexes WHERE schemaname = \(tenant.schema) AND tablename = \(table)").collect()
                    .first?.decode(Int.self) ?? -1
            }
            func version(_ slug: String) async throws -> Int {
                try await client.query("SELECT tenant_version FROM tessera.tenants WHERE slug = \(slug)").collect().first?.decode(Int.self) ?? -1
            }
            #expect(try await version(tenant.slug) == ControlSchema.latestTenantVersion)
            // Make it look like a tenant from before history, the outbox and roles existed.
            let tables = [HistorySQL.tenantTable, StageHistorySQL.tenantTable] + OutboxTables.all
            for table in tables {
                #expect(try await count(table.name) == 2)  // primary key and its index, from tenant creation
                try await client.query(PostgresQuery(unsafeSQL: "DROP TABLE \(SQLIdentifier.qualified(tenant.schema, table.name))"))
            }
            try await client.query(
                PostgresQuery(unsafeSQL: "ALTER TABLE \(IdentityTables.users(tenant.schema)) ADD COLUMN active boolean NOT NULL DEFAULT true"))
            try await client.query(PostgresQuery(unsafeSQL: "UPDATE \(IdentityTables.users(tenant.schema)) SET roles = '{}'"))
            try await client.query("UPDATE tessera.tenants SET tenant_version = 0 WHERE id = \(tenant.id)")

            try await ControlSchema.migrate(client, logger: TestDatabase.logger)
            for table in tables { #expect(try await count(table.name) == 2, "\(table.name)") }
            #expect(try await version(tenant.slug) == ControlSchema.latestTenantVersion)
            #expect(try await version(orphan) == 0)
            let roles = try await client.query(PostgresQuery(unsafeSQL: "SELECT roles FROM \(IdentityTables.users(tenant.schema))")).collect().map {
                try $0.decode([String].self)
            }
            #expect(roles == [["admin"]])
            // Every step is idempotent: running them again on the same schema changes nothing. They run
            // under the migrations' advisory lock, as servers run them: the suite's other servers
            // migrate at start-up, and tenant DDL outside the lock can race theirs.
            try await client.withConnection { connection in
                try await connection.query("SELECT pg_advisory_lock(727274)", logger: TestDatabase.logger)
                for migration in ControlSchema.migrations {
                    for statement in migration.tenant?(tenant.schema) ?? [] {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: TestDatabase.logger)
                    }
                }
                try await connection.query("SELECT pg_advisory_unlock(727274)", logger: TestDatabase.logger)
            }
            try await store.delete(tenant)
            try await client.query("DELETE FROM tessera.tenants WHERE slug = \(orphan)")
        }
    }

    @Test("a tenant gets its own schema and a key stored only as a hash; bad slugs and zones are refused")
    func create() async throws {
        try await TestDatabase.withClient { client in
            let store = TenantStore(client: client, logger: TestDatabase.logger)
            let sessions = SessionStore(client: client, hasher: PasswordHasher(cost: 4), logger: TestDatabase.logger)
            let slug = TestDatabase.uniqueSlug()
            let (tenant, key) = try await store.create(slug: slug, name: "  Acme 销售部 ", timeZone: "Europe/Berlin")
            #expect(tenant.schema == "t_" + slug && tenant.name == "Acme 销售部" && tenant.timeZone == "Europe/Berlin")
            #expect(key.hasPrefix("tsk_") && key.count > 30)
            let caller = try #require(try await sessions.authenticate(key: key))
            #expect(caller.tenant.id == tenant.id && caller.roles == ["admin"] && caller.expiresAt == nil)
            #expect(try await sessions.authenticate(key: key + "x") == nil)
            #expect(try await sessions.authenticate(key: "not a key") == nil)
            // Only the hash is in the database.
            var stored: [String] = []
            for try await hash in try await client.query("SELECT key_hash FROM tessera.api_keys WHERE tenant_id = \(tenant.id)").decode(String.self) {
                stored.append(hash)
            }
            #expect(stored == [APIKey.hashHex(key)] && !stored.contains(key))
            var schemas = 0
            for try await n in try await client.query("SELECT count(*) FROM information_schema.schemata WHERE schema_name = \(tenant.schema)").decode(
                Int.self)
            { schemas = n }
            #expect(schemas == 1)

            await #expect(throws: TesseraError.self) { try await store.create(slug: slug, name: "again") }
            for bad in ["A", "x", "has space", "t;drop", "öö"] {
                await #expect(throws: TesseraError.self) { try await store.create(slug: bad, name: "x") }
            }
            await #expect(throws: TesseraError.self) { try await store.create(slug: TestDatabase.uniqueSlug(), name: "x", timeZone: "Mars/Olympus") }
            await #expect(throws: TesseraError.self) { try await store.create(slug: TestDatabase.uniqueSlug(), name: "   ") }

            try await store.delete(tenant)
            #expect(try await sessions.authenticate(key: key) == nil)
            #expect(try await store.find(slug: slug) == nil)
        }
    }

    @Test("without PostgreSQL binaries the launcher says in one line what to install")
    func missingBinaries() {
        let error = #expect(throws: EmbeddedPostgresError.self) { try EmbeddedPostgres.findBinaries(in: ["/nonexistent/bin"]) }
        #expect(error?.description.contains("apt-get install -y postgresql") == true)
        #expect(error?.description.contains("\n") == false)
    }
}
