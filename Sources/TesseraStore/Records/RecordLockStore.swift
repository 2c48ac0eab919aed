public import Foundation
public import Logging
public import PostgresNIO
public import TesseraCore

/// Record locks: while one holds, the record is read-only for everyone but its holder (writes
/// check it in their own statement, see `RecordSQL.appendUnlocked`). Set by the `lock` action
/// and by users through `/data/{entity}/{id}/lock`.
public struct RecordLockStore: Sendable {
    let client: DatabasePool
    let logger: Logger

    public init(client: DatabasePool, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Locks (or re-locks) the record for `holder` until `now + duration` seconds; a live lock of
    /// someone else is left alone and its holder returned.
    @discardableResult
    public func lock(
        _ tenant: Tenant, entity: String, recordID: String, holder: UUID?, seconds: Int64, automation: String?,
        on connection: PostgresConnection? = nil
    ) async throws -> (holder: UUID?, until: String)? {
        let query: PostgresQuery = """
            INSERT INTO \(unescaped: AutomationStateTables.locks(tenant.schema)) AS l (entity, record_id, holder, until, automation)
            VALUES (\(entity), \(recordID)::uuid, \(holder), now() + make_interval(secs => \(seconds)), \(automation))
            ON CONFLICT (entity, record_id) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until, automation = \
            EXCLUDED.automation, created_at = now()
              WHERE l.until <= now() OR l.holder IS NOT DISTINCT FROM EXCLUDED.holder
            RETURNING holder, to_char(until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            """
        let rows = try await SQLSession(client, transaction: connection).query(query, logger: logger)
        return try rows.first.map { try $0.decode((UUID?, String).self) }
    }

    /// The live lock on a record, if any.
    public func current(_ tenant: Tenant, entity: String, recordID: String) async throws -> (holder: UUID?, until: String)? {
        try await client.query(
            """
            SELECT holder, to_char(until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') \
            FROM \(unescaped: AutomationStateTables.locks(tenant.schema))
            WHERE entity = \(entity) AND record_id = \(recordID)::uuid AND until > now()
            """, logger: logger
        ).collect().first.map { try $0.decode((UUID?, String).self) }
    }

    /// Removes the lock; `holder` nil removes anyone's (an admin's unlock). True if one was removed.
    public func unlock(_ tenant: Tenant, entity: String, recordID: String, holder: UUID?) async throws -> Bool {
        try await !client.query(
            """
            DELETE FROM \(unescaped: AutomationStateTables.locks(tenant.schema)) WHERE entity = \(entity) AND record_id = \(recordID)::uuid
              AND (\(holder)::uuid IS NULL OR holder = \(holder) OR until <= now()) RETURNING 1
            """, logger: logger
        ).collect().isEmpty
    }
}
