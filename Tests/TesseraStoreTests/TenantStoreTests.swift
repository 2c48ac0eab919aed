import Foundation
import PostgresNIO
import TesseraCore
@testable import TesseraStore
import TesseraTestSupport
import Testing

// Serialized: the migration test walks every tenant schema while the other test drops one.
@Suite("Tenants and keys", .serialized)
struct TenantStoreTests {
    @Test("tenants made before a tenant table existed get it from the migration, with its index")
    func tenantTablesMigrate() async throws {
        try await TestDatabase.withClient { client in
            let store = TenantStore(client: client, logger: TestDatabase.logger)
            let (tenant, _) = try await store.create(slug: TestDatabase.uniqueSlug(), name: "Old")
            // A tenant row whose schema is gone (a failed set-up) must not stop the migration.
            let orphan = TestDatabase.uniqueSlug()
            try await client.query("INSERT INTO tessera.tenants (id, slug, name, schema_name, time_zone) VALUES (\(UUID()), \(orphan), 'Orphan', \("t_" + orphan), 'UTC')")
            func count(_ table: String) async throws -> Int {
                var n = 0
                for try await c in try await client.query("SELECT count(*) FROM pg_indexes WHERE schemaname = \(tenant.schema) AND tablename = \(table)").decode(Int.self) { n = c }
                return n
            }
            for table in [HistorySQL.tenantTable, StageHistorySQL.tenantTable] {
                #expect(try await count(table.name) == 2)  // primary key and the record index, from tenant creation
                try await client.query(PostgresQuery(unsafeSQL: "DROP TABLE \(SQLIdentifier.qualified(tenant.schema, table.name))"))
                #expect(try await count(table.name) == 0)
                try await client.query(PostgresQuery(unsafeSQL: table.migration))
                #expect(try await count(table.name) == 2)
                try await client.query(PostgresQuery(unsafeSQL: table.migration))  // idempotent
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
            for try await hash in try await client.query("SELECT key_hash FROM tessera.api_keys WHERE tenant_id = \(tenant.id)").decode(String.self) { stored.append(hash) }
            #expect(stored == [APIKey.hashHex(key)] && !stored.contains(key))
            var schemas = 0
            for try await n in try await client.query("SELECT count(*) FROM information_schema.schemata WHERE schema_name = \(tenant.schema)").decode(Int.self) { schemas = n }
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
