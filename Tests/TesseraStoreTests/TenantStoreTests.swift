import Foundation
import TesseraCore
@testable import TesseraStore
import TesseraTestSupport
import Testing

@Suite("Tenants and keys")
struct TenantStoreTests {
    @Test("a tenant gets its own schema and a key stored only as a hash; bad slugs and zones are refused")
    func create() async throws {
        try await TestDatabase.withClient { client in
            let store = TenantStore(client: client, logger: TestDatabase.logger)
            let slug = TestDatabase.uniqueSlug()
            let (tenant, key) = try await store.create(slug: slug, name: "  Acme 销售部 ", timeZone: "Europe/Berlin")
            #expect(tenant.schema == "t_" + slug && tenant.name == "Acme 销售部" && tenant.timeZone == "Europe/Berlin")
            #expect(key.hasPrefix("tsk_") && key.count > 30)
            let caller = try #require(try await store.authenticate(key: key))
            #expect(caller.tenant.id == tenant.id)
            #expect(try await store.authenticate(key: key + "x") == nil)
            #expect(try await store.authenticate(key: "not a key") == nil)
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
            #expect(try await store.authenticate(key: key) == nil)
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
