import Crypto
public import Foundation
public import Logging
public import PostgresNIO
public import TesseraCore

/// The SQL of running approvals. Every change runs on the caller's transaction, after the approval
/// row is locked (`lock`), so two answers to one approval are taken one after the other.
public struct ApprovalStore: Sendable {
    let client: DatabasePool
    public let logger: Logger

    public init(client: DatabasePool, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// An approval's row, as `lock` reads it.
    public struct Approval: Sendable {
        public let id: UUID
        public let process: String
        public let version: Int
        public let entity: String
        public let recordID: String
        public let status: String
        public let step: Int
        public let definition: JSONValue
        public let submittedBy: UUID
    }

    /// One approver's task.
    public struct Task: Sendable {
        public let id: Int64
        public let step: Int
        public let party: Int
        public let approver: UUID
        public let status: String
        public let recordVersion: Int64?
    }

    /// The live record, locked against writes until the transaction ends, with its version and the
    /// SHA-256 of its stored row (what a signature covers).
    public func lockRecord(
        _ tenant: Tenant, entity: String, id: String, on connection: PostgresConnection
    ) async throws -> (json: String, version: Int64, digest: String)? {
        let table = SQLIdentifier.qualified(tenant.schema, entity)
        let rows = try await connection.query(
            """
            SELECT row_to_json(q)::text, q.version, encode(sha256(convert_to(row_to_json(q)::text, 'UTF8')), 'hex') FROM \(unescaped: table) q
            WHERE q.id = \(id)::uuid AND q.deleted_at IS NULL FOR NO KEY UPDATE
            """, logger: logger
        ).collect()
        return try rows.first.map { try $0.decode((String, Int64, String).self) }
    }

    /// A new pending approval; nil when one of the process is already pending on the record (its id is then returned by `pending`).
    public func insert(
        _ tenant: Tenant, id: UUID, process: ApprovalDefinition, recordID: String, submittedBy: UUID, comment: String?, recordVersion: Int64,
        on connection: PostgresConnection
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO \(unescaped: ApprovalTables.approvals(tenant.schema)) (id, process, version, entity, record_id, definition, frozen, \
            submitted_by, comment, record_version)
            VALUES (\(id), \(process.name), \(process.version), \(process.entity), \(recordID)::uuid, \(JSONWriter.string(process.json))::json, \
            \(process.frozen), \(submittedBy), \(comment), \(recordVersion))
            ON CONFLICT (process, entity, record_id) WHERE status = 'pending' DO NOTHING RETURNING 1
            """, logger: logger
        ).collect()
        return !rows.isEmpty
    }

    /// The pending approval of `process` on the record, if any.
    public func pending(_ tenant: Tenant, process: String, entity: String, recordID: String, on connection: PostgresConnection) async throws -> UUID?
    {
        try await connection.query(
            """
            SELECT id FROM \(unescaped: ApprovalTables.approvals(tenant.schema))
            WHERE process = \(process) AND entity = \(entity) AND record_id = \(recordID)::uuid AND status = 'pending'
            """, logger: logger
        ).collect().first?.decode(UUID.self)
    }

    /// The approval, locked until the transaction ends.
    public func lock(_ tenant: Tenant, id: UUID, on connection: PostgresConnection) async throws -> Approval? {
        let rows = try await connection.query(
            """
            SELECT id, process, version, entity, record_id::text, status, step, definition::text, submitted_by
            FROM \(unescaped: ApprovalTables.approvals(tenant.schema)) WHERE id = \(id) FOR UPDATE
            """, logger: logger
        ).collect()
        guard let row = rows.first else { return nil }
        let (id, process, version, entity, record, status, step, definition, by) = try row.decode(
            (UUID, String, Int, String, String, String, Int, String, UUID).self)
        return Approval(
            id: id, process: process, version: version, entity: entity, recordID: record, status: status, step: step,
            definition: try JSONParser.parse(definition), submittedBy: by)
    }

    /// The tasks of one step, or of every step (`step` nil).
    public func tasks(_ tenant: Tenant, approval: UUID, step: Int?, on connection: PostgresConnection) async throws -> [Task] {
        try await connection.query(
            """
            SELECT id, step, party, approver, status, record_version FROM \(unescaped: ApprovalTables.tasks(tenant.schema))
            WHERE approval_id = \(approval) AND (\(step)::int IS NULL OR step = \(step)) ORDER BY id
            """, logger: logger
        ).collect().map { row in
            let (id, step, party, approver, status, version) = try row.decode((Int64, Int, Int, UUID, String, Int64?).self)
            return Task(id: id, step: step, party: party, approver: approver, status: status, recordVersion: version)
        }
    }

    /// One pending task per approver and party of the step.
    public func addTasks(_ tenant: Tenant, approval: UUID, step: Int, parties: [[UUID]], on connection: PostgresConnection) async throws {
        let tasks = parties.enumerated().flatMap { party, people in people.map { (party: party, approver: $0) } }
        try await addTasks(tenant, approval: approval, step: step, tasks: tasks, on: connection)
    }

    /// Pending tasks for the given approvers, each in its party of the step (an escalation adds the
    /// waiting approver's manager to their party).
    public func addTasks(
        _ tenant: Tenant, approval: UUID, step: Int, tasks: [(party: Int, approver: UUID)], on connection: PostgresConnection
    ) async throws {
        guard !tasks.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO \(unescaped: ApprovalTables.tasks(tenant.schema)) (approval_id, step, party, approver)
            SELECT \(approval), \(step), p, a FROM unnest(\(tasks.map(\.party))::int[], \(tasks.map(\.approver))::uuid[]) AS t(p, a)
            """, logger: logger)
    }

    /// Ids of live `entity` records meeting a hold's condition (`other` is each of them; what the
    /// condition reads of the submitted record is bound from `environment`), at most `limit`.
    public func holding(
        _ tenant: Tenant, entity: String, condition: CheckedExpression, environment: ExpressionEnvironment, limit: Int,
        on connection: PostgresConnection
    ) async throws -> [String] {
        var b = SQLBuilder("SELECT o.id::text FROM \(SQLIdentifier.qualified(tenant.schema, entity)) o WHERE o.deleted_at IS NULL AND ")
        try ExpressionSQL(schema: tenant.schema, rows: [.other: "o"], environment: environment).append(condition, to: &b, positive: true)
        b.append(" ORDER BY o.id LIMIT \(limit)")
        return try await connection.query(b.query, logger: logger).collect().map { try $0.decode(String.self) }
    }

    /// Records an answer on a task.
    public func answer(
        _ tenant: Tenant, task: Int64, status: String, comment: String?, recordVersion: Int64, signature: String?,
        on connection: PostgresConnection
    ) async throws {
        try await connection.query(
            """
            UPDATE \(unescaped: ApprovalTables.tasks(tenant.schema)) SET status = \(status), comment = \(comment), answered_at = now(), \
            record_version = \(recordVersion), signature = \(signature) WHERE id = \(task)
            """, logger: logger)
    }

    /// Sets the status of the step's tasks that are in `from` (of one party, or of all).
    public func setTasks(
        _ tenant: Tenant, approval: UUID, step: Int, party: Int? = nil, from: String, to: String, on connection: PostgresConnection
    ) async throws {
        try await connection.query(
            """
            UPDATE \(unescaped: ApprovalTables.tasks(tenant.schema)) SET status = \(to), answered_at = CASE WHEN \(to) = 'pending' THEN NULL \
            ELSE now() END
            WHERE approval_id = \(approval) AND step = \(step) AND status = \(from) AND (\(party)::int IS NULL OR party = \(party))
            """, logger: logger)
    }

    public func setTask(_ tenant: Tenant, task: Int64, status: String, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE \(unescaped: ApprovalTables.tasks(tenant.schema)) SET status = \(status) WHERE id = \(task)", logger: logger)
    }

    /// A new pending task for the same approver and party as `task` (whose answer no longer counts).
    public func reopen(_ tenant: Tenant, task: Task, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO \(unescaped: ApprovalTables.tasks(tenant.schema)) (approval_id, step, party, approver, delegated_from)
            SELECT approval_id, step, party, approver, delegated_from FROM \(unescaped: ApprovalTables.tasks(tenant.schema)) WHERE id = \(task.id)
            """, logger: logger)
    }

    /// Lowercase hex SHA-256 of the text's UTF-8.
    public static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Hands a task to another approver.
    public func delegate(_ tenant: Tenant, task: Int64, from: UUID, to: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE \(unescaped: ApprovalTables.tasks(tenant.schema)) SET approver = \(to), delegated_from = \(from) WHERE id = \(task)
            """, logger: logger)
    }

    /// Moves the approval to `step`, or ends it with `status`.
    public func update(_ tenant: Tenant, approval: UUID, step: Int, status: String, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE \(unescaped: ApprovalTables.approvals(tenant.schema)) SET step = \(step), status = \(status), \
            decided_at = CASE WHEN \(status) = 'pending' THEN NULL ELSE now() END WHERE id = \(approval)
            """, logger: logger)
    }

    /// One line of the approval's log, and the same in the record's history.
    public func log(
        _ tenant: Tenant, approval: Approval, actor: UUID, action: String, step: Int?, detail: JSONValue, via: String,
        on connection: PostgresConnection
    ) async throws {
        let text = JSONWriter.string(detail)
        try await connection.query(
            """
            INSERT INTO \(unescaped: ApprovalTables.log(tenant.schema)) (approval_id, actor, action, step, detail)
            VALUES (\(approval.id), \(actor), \(action), \(step), \(text)::jsonb)
            """, logger: logger)
        var members: [(String, JSONValue)] = [("id", .string(approval.id.uuidString.lowercased())), ("process", .string(approval.process))]
        if case .object(let more) = detail { members += more }
        let entry = JSONWriter.string(.object([("approval", .object(members))]))
        try await connection.query(
            """
            INSERT INTO \(unescaped: HistorySQL.table(tenant.schema)) (entity, record_id, action, old, new, actor, via)
            VALUES (\(approval.entity), \(approval.recordID)::uuid, \("approval." + action), NULL, \(entry)::jsonb, \(actor), \(via))
            """, logger: logger)
    }

    /// Pending approvals on the record that freeze any of `fields`: (id, process, the fields among them).
    public func frozen(
        _ tenant: Tenant, entity: String, recordID: String, fields: [String], on connection: PostgresConnection
    ) async throws -> [(id: UUID, process: String, fields: [String])] {
        try await connection.query(
            """
            SELECT id, process, ARRAY(SELECT f FROM unnest(frozen) f WHERE f = ANY(\(fields)::text[]) ORDER BY f)
            FROM \(unescaped: ApprovalTables.approvals(tenant.schema))
            WHERE entity = \(entity) AND record_id = \(recordID)::uuid AND status = 'pending' AND frozen && \(fields)::text[]
            ORDER BY submitted_at
            """, logger: logger
        ).collect().map { try $0.decode((UUID, String, [String]).self) }
    }

    /// Whether any approval is pending on the record.
    public func anyPending(_ tenant: Tenant, entity: String, recordID: String, on connection: PostgresConnection) async throws -> (UUID, String)? {
        try await connection.query(
            """
            SELECT id, process FROM \(unescaped: ApprovalTables.approvals(tenant.schema))
            WHERE entity = \(entity) AND record_id = \(recordID)::uuid AND status = 'pending' LIMIT 1
            """, logger: logger
        ).collect().first?.decode((UUID, String).self)
    }

    // MARK: Reading

    /// Every saved version of a process, newest first.
    public func versions(_ tenant: Tenant, process: String) async throws -> [JSONValue] {
        let rows = try await client.query(
            """
            SELECT json_build_object('version', version, 'created_at', created_at, 'actor', actor, 'definition', definition)::text
            FROM tessera.approval_versions WHERE tenant_id = \(tenant.id) AND name = \(process) ORDER BY version DESC LIMIT 200
            """, logger: logger
        ).collect()
        return try rows.map { try JSONParser.parse(try $0.decode(String.self)) }
    }

    /// Summary columns of an approval `a`, as JSON.
    static let summary = """
        'id', a.id, 'process', a.process, 'version', a.version, 'entity', a.entity, 'record_id', a.record_id, 'status', a.status, \
        'step', a.definition->'steps'->a.step->>'name', 'submitted_by', a.submitted_by, 'submitted_at', a.submitted_at, \
        'comment', a.comment, 'decided_at', a.decided_at
        """

    /// The approvals in which `user` has a task in `taskStatus` (the inbox: pending), newest first.
    public func inbox(_ tenant: Tenant, user: UUID, taskStatus: String?, limit: Int) async throws -> [JSONValue] {
        let a = ApprovalTables.approvals(tenant.schema), t = ApprovalTables.tasks(tenant.schema)
        let rows = try await client.query(
            """
            SELECT json_build_object(\(unescaped: Self.summary), 'task', json_build_object('id', t.id, 'status', t.status, 'step', t.step, \
            'delegated_from', t.delegated_from))::text
            FROM \(unescaped: t) t JOIN \(unescaped: a) a ON a.id = t.approval_id
            WHERE t.approver = \(user) AND (\(taskStatus)::text IS NULL OR t.status = \(taskStatus)) \
            AND (\(taskStatus)::text IS DISTINCT FROM 'pending' OR (a.status = 'pending' AND t.step = a.step))
            ORDER BY t.id DESC LIMIT \(limit)
            """, logger: logger
        ).collect()
        return try rows.map { try JSONParser.parse(try $0.decode(String.self)) }
    }

    /// Approvals submitted by `user` (optionally in one status), newest first.
    public func submitted(_ tenant: Tenant, user: UUID, status: String?, limit: Int) async throws -> [JSONValue] {
        let rows = try await client.query(
            """
            SELECT json_build_object(\(unescaped: Self.summary))::text FROM \(unescaped: ApprovalTables.approvals(tenant.schema)) a
            WHERE a.submitted_by = \(user) AND (\(status)::text IS NULL OR a.status = \(status)) ORDER BY a.submitted_at DESC LIMIT \(limit)
            """, logger: logger
        ).collect()
        return try rows.map { try JSONParser.parse(try $0.decode(String.self)) }
    }

    /// The record's approvals, newest first.
    public func forRecord(_ tenant: Tenant, entity: String, recordID: String, limit: Int) async throws -> [JSONValue] {
        let rows = try await client.query(
            """
            SELECT json_build_object(\(unescaped: Self.summary))::text FROM \(unescaped: ApprovalTables.approvals(tenant.schema)) a
            WHERE a.entity = \(entity) AND a.record_id = \(recordID)::uuid ORDER BY a.submitted_at DESC LIMIT \(limit)
            """, logger: logger
        ).collect()
        return try rows.map { try JSONParser.parse(try $0.decode(String.self)) }
    }

    /// One approval with its tasks (each signature marked valid while the record is still at the
    /// version it signed) and its log; nil when there is none.
    public func detail(_ tenant: Tenant, id: UUID) async throws -> (json: JSONValue, entity: String, recordID: String, people: Set<UUID>)? {
        let a = ApprovalTables.approvals(tenant.schema), t = ApprovalTables.tasks(tenant.schema), l = ApprovalTables.log(tenant.schema)
        let rows = try await client.query(
            """
            SELECT a.entity, a.record_id::text, json_build_object(\(unescaped: Self.summary), 'definition', a.definition, \
            'record_version', a.record_version, \
            'tasks', coalesce((SELECT json_agg(json_build_object('id', t.id, 'step', t.step, 'step_name', a.definition->'steps'->t.step->>'name', \
            'party', t.party, 'approver', t.approver, 'delegated_from', t.delegated_from, 'status', t.status, 'comment', t.comment, \
            'answered_at', t.answered_at, 'record_version', t.record_version, 'signature', t.signature) ORDER BY t.step, t.party, t.id) \
            FROM \(unescaped: t) t WHERE t.approval_id = a.id), '[]'), \
            'log', coalesce((SELECT json_agg(json_build_object('at', l.at, 'actor', l.actor, 'action', l.action, 'step', l.step, \
            'detail', l.detail) ORDER BY l.id) FROM \(unescaped: l) l WHERE l.approval_id = a.id), '[]'))::text, \
            ARRAY(SELECT t.approver FROM \(unescaped: t) t WHERE t.approval_id = a.id UNION SELECT t.delegated_from FROM \(unescaped: t) t \
            WHERE t.approval_id = a.id AND t.delegated_from IS NOT NULL) || a.submitted_by
            FROM \(unescaped: a) a WHERE a.id = \(id)
            """, logger: logger
        ).collect()
        guard let row = rows.first else { return nil }
        let (entity, record, json, people) = try row.decode((String, String, String, [UUID]).self)
        return (try JSONParser.parse(json), entity, record, Set(people))
    }
}
