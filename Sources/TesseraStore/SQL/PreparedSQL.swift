import Logging
import PostgresNIO
import Synchronization

/// Runs generated SQL as named prepared statements, so PostgreSQL parses and plans each statement
/// shape once per connection instead of on every request (the data API's hot path).
///
/// PostgresNIO prepares statements per connection by name, but takes name and SQL from static
/// members; `DynamicStatement` reads them from a task-local set just around the call. The number of
/// distinct shapes is capped: past the cap, statements run unnamed as before.
public final class PreparedSQL: Sendable {
    private let known = Mutex<Set<String>>([])
    private let capacity: Int

    public init(capacity: Int = 2000) { self.capacity = capacity }

    /// Whether `builder` may run prepared (a shape seen before, or room for a new one).
    func admit(_ name: String) -> Bool {
        known.withLock { names in
            if names.contains(name) { return true }
            guard names.count < capacity else { return false }
            names.insert(name)
            return true
        }
    }

    static func name(for builder: SQLBuilder) -> String {
        let sqlHash = StableHash.fnv1a(builder.sql.utf8)
        let hash = StableHash.fnv1a(
            builder.types.flatMap { [UInt8(truncatingIfNeeded: $0.rawValue), UInt8(truncatingIfNeeded: $0.rawValue >> 8)] }, seed: sqlHash)
        return "tsr_" + String(hash, radix: 36)
    }

    /// Runs the statement in `session`, prepared by name when the shape cache has room.
    func rows(_ builder: SQLBuilder, in session: SQLSession, logger: Logger) async throws -> [PostgresRow] {
        let name = Self.name(for: builder)
        guard admit(name) else { return try await session.query(builder.query, logger: logger) }
        return try await DynamicStatement.$current.withValue(.init(name: name, sql: builder.sql, types: builder.types)) {
            try await session.execute(DynamicStatement(bindings: builder.binds), logger: logger)
        }
    }

    /// On a pooled connection.
    func rows(_ builder: SQLBuilder, client: DatabasePool, logger: Logger) async throws -> [PostgresRow] {
        try await rows(builder, in: .pool(client), logger: logger)
    }

    /// On the given connection (inside its transaction, if one is open).
    func rows(_ builder: SQLBuilder, on connection: PostgresConnection, logger: Logger) async throws -> [PostgresRow] {
        try await rows(builder, in: .transaction(connection), logger: logger)
    }
}

/// A prepared statement whose name, SQL and parameter types come from the task running it.
struct DynamicStatement: PostgresPreparedStatement {
    struct Shape: Sendable {
        let name: String
        let sql: String
        let types: [PostgresDataType]
    }

    @TaskLocal static var current = Shape(name: "", sql: "", types: [])

    static var name: String { current.name }
    static var sql: String { current.sql }
    static var bindingDataTypes: [PostgresDataType] { current.types }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}
