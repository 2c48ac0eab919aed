import Foundation
import Logging
import PostgresNIO
import TesseraCore
import TesseraStore
import TesseraTestSupport
import Testing

@Suite("Embedded PostgreSQL", .serialized)
struct EmbeddedPostgresTests {
    @Test("a restart keeps the data; a stale postmaster.pid left by a killed run is recovered")
    func restartKeepsData() async throws {
        let root = NSTemporaryDirectory() + "tessera-launcher-test-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let launcher = EmbeddedPostgres(dataDirectory: root, logger: TestDatabase.logger)
        let first = try launcher.start()
        #expect(first.startedHere)
        #expect(first.endpoint.host == "127.0.0.1")
        let slug = TestDatabase.uniqueSlug()
        try await TestDatabase.withClient(first.endpoint) { client in
            try await ControlSchema.migrate(client, logger: TestDatabase.logger)
            _ = try await TenantStore(client: client, logger: TestDatabase.logger).create(slug: slug, name: "Kept")
        }
        // A second start while it runs adopts the running server instead of failing.
        let adopted = try launcher.start()
        #expect(!adopted.startedHere)
        #expect(adopted.endpoint.port == first.endpoint.port)
        launcher.stop()

        // Simulate a killed run: a postmaster.pid naming a process that is not postgres.
        let pidFile = launcher.clusterDirectory + "/postmaster.pid"
        try "\(getpid())\n\(launcher.clusterDirectory)\n0\n\(first.endpoint.port)\n\n127.0.0.1\n".write(
            toFile: pidFile, atomically: true, encoding: .utf8)
        if geteuid() == 0 { chown(pidFile, getpwnam("postgres").pointee.pw_uid, getpwnam("postgres").pointee.pw_gid) }

        let second = try launcher.start()
        #expect(second.startedHere)
        defer { launcher.stop() }
        let tenants = try await TestDatabase.withClient(second.endpoint) { client in
            try await ControlSchema.migrate(client, logger: TestDatabase.logger)
            return try await TenantStore(client: client, logger: TestDatabase.logger).list().map(\.slug)
        }
        #expect(tenants == [slug])
    }

    @Test("migrations run once even when two servers start together")
    func concurrentMigrations() async throws {
        let endpoint = try await TestDatabase.shared.endpoint()
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<2 {
                group.addTask { try await TestDatabase.withClient(endpoint) { try await ControlSchema.migrate($0, logger: TestDatabase.logger) } }
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(applied.isEmpty, "the shared database was already migrated; nothing may run twice")
        let versions = try await TestDatabase.withClient(endpoint) { client in
            var out: [Int] = []
            for try await v in try await client.query("SELECT version FROM tessera.schema_migrations ORDER BY version").decode(Int.self) {
                out.append(v)
            }
            return out
        }
        #expect(versions == ControlSchema.migrations.map(\.version))
    }

    @Test("DATABASE_URL parsing")
    func urls() throws {
        let e = try DatabaseEndpoint(url: "postgres://app:p%40ss@db.local:6543/tessera?sslmode=require")
        #expect(e.host == "db.local" && e.port == 6543 && e.username == "app" && e.password == "p@ss" && e.database == "tessera" && e.tls)
        #expect(throws: TesseraError.self) { try DatabaseEndpoint(url: "mysql://x") }
    }
}
