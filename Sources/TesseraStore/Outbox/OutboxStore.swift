public import Foundation
public import Logging
public import PostgresNIO
public import TesseraCore

/// The outbox of a tenant: claiming due events, finishing or retrying them, the run log and the inbox.
public struct OutboxStore: Sendable {
    let client: DatabasePool
    let logger: Logger

    public init(client: DatabasePool, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Tenants that have automations or approval processes (whose deadlines are outbox events):
    /// the only outboxes a worker needs to look at.
    public func tenantsWithAutomations() async throws -> [Tenant] {
        try await TenantRow.tenants(
            try await client.query(
                """
                SELECT \(unescaped: TenantRow.columns("t")) FROM tessera.tenants t
                WHERE EXISTS (SELECT 1 FROM tessera.automations a WHERE a.tenant_id = t.id)
                   OR EXISTS (SELECT 1 FROM tessera.approvals p WHERE p.tenant_id = t.id) ORDER BY t.created_at
                """, logger: logger))
    }

    /// An event due at `due` (microseconds, the automation clock) that no record write caused: an
    /// approval step's deadline mark. In the caller's transaction, so it exists exactly when the
    /// step it watches does.
    public func schedule(
        _ tenant: Tenant, automation: String, entity: String, recordID: String, event: RecordEvent, new: JSONValue, step: Int, due: Int64,
        on connection: PostgresConnection
    ) async throws {
        try await connection.query(
            """
            INSERT INTO \(unescaped: OutboxTables.outbox(tenant.schema)) (automation, entity, record_id, event, new, step, due_at)
            VALUES (\(automation), \(entity), \(recordID)::uuid, \(event.rawValue), \(JSONWriter.string(new))::jsonb, \(step), \
            to_timestamp(\(Double(due) / 1_000_000)))
            """, logger: logger)
    }

    /// A record's timer again at `due`, unless a write has meanwhile scheduled a newer one for the
    /// same automation and step (the timer that fired early must not fire twice). `replacing` is
    /// the early event, still pending while it runs.
    public func rescheduleTimer(
        _ tenant: Tenant, replacing id: Int64, automation: String, entity: String, recordID: String, step: Int?, due: Int64,
        on connection: PostgresConnection
    ) async throws {
        let outbox = OutboxTables.outbox(tenant.schema)
        try await connection.query(
            """
            INSERT INTO \(unescaped: outbox) (automation, entity, record_id, event, step, due_at)
            SELECT \(automation), \(entity), \(recordID)::uuid, 'timer', \(step), to_timestamp(\(Double(due) / 1_000_000))
            WHERE NOT EXISTS (
                SELECT FROM \(unescaped: outbox) x WHERE x.automation = \(automation) AND x.record_id = \(recordID)::uuid
                AND x.event = 'timer' AND x.status = 'pending' AND x.step IS NOT DISTINCT FROM \(step) AND x.id <> \(id))
            """, logger: logger)
    }

    /// One record event for one automation, as written by the record's statement.
    public struct Event: Sendable {
        public let id: Int64
        public let automation: String
        public let entity: String
        public let recordID: String
        public let event: RecordEvent
        /// The changed fields' values before the write (updates only).
        public let old: JSONValue?
        /// The whole row after the write.
        public let new: JSONValue
        public let depth: Int
        /// Attempts before this one.
        public let attempts: Int
        /// The SLA step a timer is for.
        public let step: Int?
    }

    /// Attempts before an event is dead-lettered.
    public static let maxAttempts = 5

    /// Locks the oldest due event of the tenant for the caller's open transaction (other workers
    /// skip it), or returns nil when none is due.
    public func claim(_ tenant: Tenant, now: Int64, on connection: PostgresConnection) async throws -> Event? {
        try await claim(tenant, limit: 1, now: now, on: connection).first
    }

    /// Whether the tenant has an event due at `now`: one index probe, no transaction, so a sweep
    /// over many quiet tenants stays cheap.
    public func hasDue(_ tenant: Tenant, now: Int64) async throws -> Bool {
        try await !client.query(
            """
            SELECT 1 FROM \(unescaped: OutboxTables.outbox(tenant.schema)) WHERE status = 'pending' AND due_at <= \
            to_timestamp(\(Double(now) / 1_000_000)) LIMIT 1
            """, logger: logger
        ).collect().isEmpty
    }

    /// Up to `limit` events due at `now` (microseconds, the automation clock), oldest first, locked the same way.
    public func claim(_ tenant: Tenant, limit: Int, now: Int64, on connection: PostgresConnection) async throws -> [Event] {
        let rows = try await connection.query(
            """
            SELECT id, automation, entity, record_id::text, event, old::text, new::text, depth, attempts, step
            FROM \(unescaped: OutboxTables.outbox(tenant.schema))
            WHERE status = 'pending' AND due_at <= to_timestamp(\(Double(now) / 1_000_000)) ORDER BY due_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """, logger: logger
        ).collect()
        var events: [Event] = []
        for row in rows {
            let (id, automation, entity, record, event, old, new, depth, attempts, step) = try row.decode(
                (Int64, String, String, String, String, String?, String?, Int, Int, Int?).self)
            do {
                events.append(
                    Event(
                        id: id, automation: automation, entity: entity, recordID: record, event: RecordEvent(rawValue: event) ?? .update,
                        old: try old.map { try JSONParser.parse($0) }, new: try new.map { try JSONParser.parse($0) } ?? .null, depth: depth,
                        attempts: attempts, step: step))
            } catch {
                // One event the worker cannot read must not stop the tenant's queue: it goes to the
                // dead letters (GET /api/v1/automation-events/dead) with the reason.
                logger.error("Unreadable outbox event", metadata: ["event": "\(id)", "schema": "\(tenant.schema)", "error": "\(error)"])
                try await connection.query(
                    """
                    UPDATE \(unescaped: OutboxTables.outbox(tenant.schema)) SET status = 'dead', last_error = \("unreadable event: \(error)")
                    WHERE id = \(id)
                    """, logger: logger)
            }
        }
        return events
    }

    /// A schedule's tick: one `timer` event per live record of the entity meeting the automation's
    /// condition (evaluated in SQL at `now`), at most `limit`. Returns how many.
    public func fanOut(
        _ tenant: Tenant, _ automation: AutomationDefinition, _ model: EntityModel, condition: CompiledExpression?, now: Int64,
        timeZone: TimeZoneRules,
        limit: Int, on connection: PostgresConnection
    ) async throws -> Int {
        var b = SQLBuilder("WITH e AS (INSERT INTO \(OutboxTables.outbox(tenant.schema)) (automation, entity, record_id, event) SELECT ")
        b.bind(.text(automation.name), cast: "text")
        b.append(", ")
        b.bind(.text(model.name), cast: "text")
        b.append(", q.id, 'timer' FROM \(SQLIdentifier.qualified(tenant.schema, model.name)) q WHERE q.deleted_at IS NULL")
        if let condition {
            b.append(" AND (")
            try ExpressionSQL(schema: tenant.schema, environment: ExpressionEnvironment(now: now, timeZone: timeZone, calendar: tenant.calendar))
                .append(
                    condition.checked, to: &b, positive: true)
            b.append(")")
        }
        b.append(" ORDER BY q.id LIMIT \(limit) RETURNING 1) SELECT count(*) FROM e")
        return try await connection.query(b.query, logger: logger).collect().first?.decode(Int.self) ?? 0
    }

    /// How a run ended, for the run log.
    public enum Outcome: String, Sendable {
        /// The actions ran.
        case ok
        /// The trigger's filter or the condition did not hold.
        case skipped
        /// An attempt failed; it will be retried.
        case error
        /// The last attempt failed (or the failure cannot heal): in the dead-letter list.
        case dead
    }

    /// Marks the claimed event done and logs the run, in the caller's transaction.
    public func finish(
        _ tenant: Tenant, _ event: Event, outcome: Outcome, startedAt: Date, detail: JSONValue?, on connection: PostgresConnection
    ) async throws {
        try await connection.query(
            """
            UPDATE \(unescaped: OutboxTables.outbox(tenant.schema)) SET status = 'done', done_at = now(), attempts = attempts + 1 WHERE id \
            = \(event.id)
            """, logger: logger)
        try await log(tenant, event, outcome: outcome, error: nil, startedAt: startedAt, detail: detail, on: connection)
    }

    /// Marks several claimed events done and logs their runs with two statements (`results`:
    /// outcome and detail per event, in order).
    public func finish(
        _ tenant: Tenant, _ events: [Event], results: [(outcome: Outcome, detail: JSONValue?)], startedAt: Date,
        on connection: PostgresConnection
    ) async throws {
        guard !events.isEmpty else { return }
        let micros = Int64(Date().timeIntervalSince(startedAt) * 1_000_000) / Int64(events.count)
        try await connection.query(
            """
            UPDATE \(unescaped: OutboxTables.outbox(tenant.schema)) SET status = 'done', done_at = now(), attempts = attempts + 1
            WHERE id = ANY(\(events.map(\.id)))
            """, logger: logger)
        try await connection.query(
            """
            INSERT INTO \(unescaped: OutboxTables.runs(tenant.schema)) (automation, event_id, entity, record_id, started_at, duration_us, \
            result, attempt, detail)
            SELECT a, e, n, r::uuid, \(startedAt), \(micros), o, t, nullif(d, '')::jsonb
            FROM unnest(\(events.map(\.automation)), \(events.map(\.id)), \(events.map(\.entity)), \(events.map(\.recordID)),
                        \(results.map(\.outcome.rawValue)), \(events.map { $0.attempts + 1 }),
                        \(results.map { $0.detail.map(JSONWriter.string) ?? "" }))
              AS x(a, e, n, r, o, t, d)
            """, logger: logger)
    }

    /// The email addresses of users (those that have one).
    public func emails(_ tenant: Tenant, users: [UUID], on connection: PostgresConnection) async throws -> [String] {
        guard !users.isEmpty else { return [] }
        return try await connection.query(
            """
            SELECT email FROM \(unescaped: IdentityTables.users(tenant.schema)) WHERE id = ANY(\(users)) AND email IS NOT NULL ORDER BY email
            """, logger: logger
        ).collect().map { try $0.decode(String.self) }
    }

    /// Records a failed attempt, in the transaction that still holds the event (its effects were
    /// rolled back to a savepoint): retried after an exponential backoff, or dead after the last
    /// attempt or when `permanent`.
    /// The wait after attempt n is `retryBase × 2^n` (10 s, 20 s, 40 s, 80 s … with the default 5 s).
    public func fail(
        _ tenant: Tenant, _ event: Event, error: String, permanent: Bool, startedAt: Date, retryBase: Double = 5,
        on connection: PostgresConnection
    ) async throws -> Outcome {
        let attempt = event.attempts + 1
        let outcome: Outcome = permanent || attempt >= Self.maxAttempts ? .dead : .error
        let backoff = min(3600, pow(2.0, Double(attempt)) * retryBase)
        try await connection.query(
            """
            UPDATE \(unescaped: OutboxTables.outbox(tenant.schema)) SET attempts = \(attempt), last_error = \(error),
              status = \(outcome == .dead ? "dead" : "pending"), due_at = now() + make_interval(secs => \(backoff))
            WHERE id = \(event.id)
            """, logger: logger)
        try await log(tenant, event, outcome: outcome, error: error, startedAt: startedAt, detail: nil, on: connection)
        return outcome
    }

    private func log(
        _ tenant: Tenant, _ event: Event, outcome: Outcome, error: String?, startedAt: Date, detail: JSONValue?, on connection: PostgresConnection
    ) async throws {
        let micros = Int64(Date().timeIntervalSince(startedAt) * 1_000_000)
        try await connection.query(
            """
            INSERT INTO \(unescaped: OutboxTables.runs(tenant.schema)) (automation, event_id, entity, record_id, started_at, duration_us, \
            result, error, attempt, detail)
            VALUES (\(event.automation), \(event.id), \(event.entity), \(event.recordID)::uuid, \(startedAt), \(micros), \
            \(outcome.rawValue), \(error),
                    \(event.attempts + 1), \(detail.map(JSONWriter.string))::jsonb)
            """, logger: logger)
    }

    /// Puts a dead event back in the queue with fresh attempts (404 unless it is dead).
    public func replay(_ tenant: Tenant, eventID: Int64) async throws {
        let rows = try await client.query(
            """
            UPDATE \(unescaped: OutboxTables.outbox(tenant.schema)) SET status = 'pending', attempts = 0, due_at = now(), last_error = NULL
            WHERE id = \(eventID) AND status = 'dead' RETURNING id
            """, logger: logger
        ).collect()
        if rows.isEmpty { throw TesseraError.notFound(AccountMessage.noDeadEventID(eventID)) }
    }

    /// Runs, newest first, optionally of one automation, one record or one result.
    public func runs(_ tenant: Tenant, automation: String?, record: String?, result: String?, limit: Int) async throws -> [JSONValue] {
        var b = SQLBuilder(
            """
            SELECT json_build_object('id', id, 'automation', automation, 'event_id', event_id, 'entity', entity, 'record_id', record_id,
              'started_at', started_at, 'duration_us', duration_us, 'result', result, 'error', error, 'attempt', attempt, 'detail', detail)::text
            FROM \(OutboxTables.runs(tenant.schema)) WHERE true
            """)
        if let automation { b.append(" AND automation = "); b.bind(automation, cast: "text") }
        if let record { b.append(" AND record_id = "); b.bind(record, cast: "uuid") }
        if let result { b.append(" AND result = "); b.bind(result, cast: "text") }
        b.append(" ORDER BY id DESC LIMIT \(limit)")
        return try await client.query(b.query, logger: logger).collect().map { try JSONParser.parse(try $0.decode(String.self)) }
    }

    /// Dead events (the dead-letter list), newest first.
    public func dead(_ tenant: Tenant, limit: Int) async throws -> [JSONValue] {
        let rows = try await client.query(
            """
            SELECT json_build_object('id', id, 'automation', automation, 'entity', entity, 'record_id', record_id, 'event', event,
              'attempts', attempts, 'last_error', last_error, 'created_at', created_at)::text
            FROM \(unescaped: OutboxTables.outbox(tenant.schema)) WHERE status = 'dead' ORDER BY id DESC LIMIT \(limit)
            """, logger: logger
        ).collect()
        return try rows.map { try JSONParser.parse(try $0.decode(String.self)) }
    }

    // MARK: Inbox

    /// Adds a message to each user's inbox, in the caller's transaction.
    public func notify(
        _ tenant: Tenant, users: [UUID], automation: String, entity: String, recordID: String, message: JSONValue,
        on connection: PostgresConnection
    ) async throws {
        guard !users.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO \(unescaped: OutboxTables.inbox(tenant.schema)) (user_id, automation, entity, record_id, message)
            SELECT u, \(automation), \(entity), \(recordID)::uuid, \(JSONWriter.string(message))::jsonb FROM unnest(\(users)::uuid[]) AS u
            """, logger: logger)
    }

    /// The user's messages, newest first (`unread`: only those not read yet).
    public func inbox(_ tenant: Tenant, user: UUID, unread: Bool, limit: Int) async throws -> [JSONValue] {
        let rows = try await client.query(
            """
            SELECT json_build_object('id', id, 'automation', automation, 'entity', entity, 'record_id', record_id, 'message', message,
              'created_at', created_at, 'read_at', read_at)::text
            FROM \(unescaped: OutboxTables.inbox(tenant.schema)) WHERE user_id = \(user) AND (NOT \(unread) OR read_at IS NULL)
            ORDER BY id DESC LIMIT \(limit)
            """, logger: logger
        ).collect()
        return try rows.map { try JSONParser.parse(try $0.decode(String.self)) }
    }

    /// Marks one message (or, with nil, all) of the user read; 404 for another user's message.
    public func markRead(_ tenant: Tenant, user: UUID, id: Int64?) async throws {
        let rows = try await client.query(
            """
            UPDATE \(unescaped: OutboxTables.inbox(tenant.schema)) SET read_at = coalesce(read_at, now())
            WHERE user_id = \(user) AND (\(id)::bigint IS NULL OR id = \(id)) RETURNING id
            """, logger: logger
        ).collect()
        if id != nil, rows.isEmpty { throw TesseraError.notFound(AccountMessage.noInboxMessageID(id!)) }
    }
}
