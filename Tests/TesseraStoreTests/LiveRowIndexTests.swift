import Foundation
import PostgresNIO
import TesseraCore
import TesseraTestSupport
import Testing

@testable import TesseraStore

/// Counts of live records answered from indexes alone (issue 12): the indexes hold live rows only.
@Suite("Indexes of live records")
struct LiveRowIndexTests {
    let channel = FieldDefinition(name: "channel", type: .select)

    /// The plan's node types, for `sql` on a connection that may use indexes only.
    func plan(_ sql: String, on connection: PostgresConnection) async throws -> String {
        try await connection.query("SET enable_seqscan = off", logger: TestDatabase.logger)
        try await connection.query("SET enable_bitmapscan = off", logger: TestDatabase.logger)
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN (FORMAT JSON) " + sql), logger: TestDatabase.logger).collect()
        return try rows.map { try $0.decode(String.self) }.joined()
    }

    /// A tenant with one entity table of 2,000 rows, a tenth of them in the recycle bin, made by `ddl`.
    func withTable(
        _ ddl: @Sendable (DDLRenderer) -> [String], _ body: @Sendable (PostgresConnection, Tenant) async throws -> Void
    )
        async throws
    {
        try await TestDatabase.withClient { client in
            let store = TenantStore(client: client, logger: TestDatabase.logger)
            let (tenant, _) = try await store.create(slug: TestDatabase.uniqueSlug(), name: "Indexes")
            let renderer = DDLRenderer(schema: tenant.schema, timeZone: "UTC")
            try await client.withConnection { connection in
                for statement in ddl(renderer) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: TestDatabase.logger)
                }
                let table = SQLIdentifier.qualified(tenant.schema, "deal")
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            INSERT INTO \(table) (id, channel, deleted_at) SELECT gen_random_uuid(), \
                            CASE WHEN n % 4 = 0 THEN 'web' ELSE 'phone' END, CASE WHEN n % 10 = 0 THEN now() END FROM generate_series(1, 2000) n
                            """), logger: TestDatabase.logger)
                try await connection.query(PostgresQuery(unsafeSQL: "VACUUM ANALYZE \(table)"), logger: TestDatabase.logger)
                try await body(connection, tenant)
            }
            try await store.delete(tenant)
        }
    }

    func newTable(_ renderer: DDLRenderer) -> [String] {
        renderer.statements(for: .createTable(EntityDefinition(name: "deal", fields: [channel])))
            + renderer.statements(for: .createIndex(entity: "deal", field: channel))
    }

    @Test("a filtered and an unfiltered count of live records are index-only scans, and count what they should")
    func countsReadIndexesOnly() async throws {
        try await withTable(newTable) { connection, tenant in
            let table = SQLIdentifier.qualified(tenant.schema, "deal")
            let filtered = "SELECT count(*) FROM \(table) q WHERE q.deleted_at IS NULL AND q.channel = 'web'"
            let all = "SELECT count(*) FROM \(table) q WHERE q.deleted_at IS NULL"
            for sql in [filtered, all] {
                let plan = try await plan(sql, on: connection)
                #expect(plan.contains("\"Index Only Scan\""), "\(sql): \(plan)")
            }
            // n % 4 = 0 is web; of those, n % 20 = 0 (every other tenth) are deleted: 500 − 100.
            let counts = try await [filtered, all].asyncMap { sql in
                try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).collect().first?.decode(Int.self)
            }
            #expect(counts == [400, 1800])
            // The recycle bin still reads (by primary key), and finds what is in it.
            let deleted = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) q WHERE q.deleted_at IS NOT NULL AND q.channel = 'web'"),
                logger: TestDatabase.logger
            ).collect().first?.decode(Int.self)
            #expect(deleted == 100)
        }
    }

    @Test("existing tenants' full indexes are rebuilt for live records, once: a second run changes nothing")
    func migrationRebuildsOnce() async throws {
        // The indexes as DDLRenderer made them before: no predicate, no index of live ids.
        let oldTable: @Sendable (DDLRenderer) -> [String] = { renderer in
            self.newTable(renderer).filter { !$0.hasPrefix("CREATE INDEX ON") }.map {
                $0.replacingOccurrences(of: DDLRenderer.liveRows, with: "")
            }
        }
        try await withTable(oldTable) { connection, tenant in
            func indexes() async throws -> [String] {
                try await connection.query(
                    "SELECT indexdef FROM pg_indexes WHERE schemaname = \(tenant.schema) AND tablename = 'deal' ORDER BY indexname",
                    logger: TestDatabase.logger
                ).collect().map { try $0.decode(String.self) }
            }
            let before = try await indexes()
            #expect(before.filter { $0.contains("WHERE") }.isEmpty && before.count == 4, "\(before)")  // pkey, owner, ix, ox
            let filtered = "SELECT count(*) FROM \(SQLIdentifier.qualified(tenant.schema, "deal")) q WHERE q.deleted_at IS NULL AND q.channel = 'web'"
            #expect(try await !plan(filtered, on: connection).contains("\"Index Only Scan\""))

            try await connection.query(PostgresQuery(unsafeSQL: LiveRowIndexes.migrate(schema: tenant.schema)), logger: TestDatabase.logger)
            let after = try await indexes()
            #expect(after.count == 5, "\(after)")
            #expect(after.filter { $0.hasSuffix("WHERE (deleted_at IS NULL)") }.count == 4, "\(after)")
            try await connection.query(
                PostgresQuery(unsafeSQL: "VACUUM ANALYZE \(SQLIdentifier.qualified(tenant.schema, "deal"))"), logger: TestDatabase.logger)
            #expect(try await plan(filtered, on: connection).contains("\"Index Only Scan\""))

            try await connection.query(PostgresQuery(unsafeSQL: LiveRowIndexes.migrate(schema: tenant.schema)), logger: TestDatabase.logger)
            #expect(try await indexes() == after)
        }
    }
}

extension Array where Element: Sendable {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
