import Logging
public import PostgresNIO

/// Where a repository's SQL runs: on the pool, or on one connection inside the caller's open
/// transaction (an automation's event and its effects commit together). The one way the stores
/// run statements, so the round trip has one place to be made fast.
public enum SQLSession: Sendable {
    case pool(DatabasePool)
    case transaction(PostgresConnection)

    /// The caller's open transaction if there is one, else the pool.
    public init(_ client: DatabasePool, transaction: PostgresConnection?) {
        self = transaction.map(Self.transaction) ?? .pool(client)
    }

    /// Runs a statement and collects its rows.
    func query(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        switch self {
        case .pool(let client): try await client.query(query, logger: logger).collect()
        case .transaction(let connection): try await connection.query(query, logger: logger).collect()
        }
    }

    /// Runs a named prepared statement and collects its rows.
    func execute<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws -> [PostgresRow]
    where Statement.Row == PostgresRow {
        switch self {
        case .pool(let client): return try await client.execute(statement, logger: logger)
        case .transaction(let connection):
            var out: [PostgresRow] = []
            for try await row in try await connection.execute(statement, logger: logger) { out.append(row) }
            return out
        }
    }

    /// One connection for several statements: a pooled one, or the transaction's.
    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        switch self {
        case .pool(let client): try await client.withConnection { try await body($0) }
        case .transaction(let connection): try await body(connection)
        }
    }

    /// `body` in a transaction: a new one, or (nested) the caller's open one, since a second BEGIN
    /// would not nest and its COMMIT would end the caller's transaction early.
    func inTransaction<T: Sendable>(
        on connection: PostgresConnection, logger: Logger,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        if case .transaction = self { return try await body(connection) }
        return try await connection.withTransaction(logger: logger) { try await body($0) }
    }
}
