import Foundation
public import Logging
public import PostgresNIO
public import TesseraCore

/// Runs record plans against a tenant's entity tables: it decides nothing about access (the plan
/// did), it renders the plan as SQL, runs it and maps the database's errors. Records come back as
/// JSON text built by PostgreSQL, so the server forwards them without decoding each column.
public struct RecordStore: Sendable {
    let client: DatabasePool
    let logger: Logger
    let prepared: PreparedSQL
    /// Told after writes that made automation events.
    let signal: OutboxSignal?

    public init(client: DatabasePool, prepared: PreparedSQL = PreparedSQL(), signal: OutboxSignal? = nil, logger: Logger) {
        self.client = client
        self.prepared = prepared
        self.signal = signal
        self.logger = logger
    }

    /// Wakes the local worker when the write made events (inside an automation's transaction the
    /// event is not visible yet; the worker keeps working that tenant after its commit anyway).
    private func announce(_ plan: RecordPlan, _ event: RecordEvent) {
        if plan.effects.events[event] != nil { signal?.announce(plan.tenant.schema) }
    }

    /// A record's JSON and its version (the ETag).
    public struct Result: Sendable {
        public let json: String
        public let version: Int64
    }

    /// One page of a list: records as JSON texts, the cursor for the next page, and the count if asked.
    public struct Page: Sendable {
        public let records: [String]
        public let nextCursor: String?
        public let count: Int?
        /// The order-key values after which the next page starts (nil on the last page).
        public var nextAfter: [String?]? = nil

        /// No records and nothing after them.
        public static let empty = Page(records: [], nextCursor: nil, count: nil)
    }

    /// Records per INSERT statement in a bulk create (PostgreSQL allows 65,535 binds per statement).
    static let rowsPerInsert = 200

    /// One page of the plan's records (the plan must have been made with `evaluates` for a `where=`).
    public func list(_ plan: RecordPlan, _ query: ListQuery, deletedOnly: Bool = false) async throws -> Page {
        let entity = plan.entity
        let sql = RecordSQL(plan)
        do {
            var records: [String] = []
            var lastKeys: [String?] = []
            for row in try await prepared.rows(try sql.list(query, deletedOnly: deletedOnly), client: client, logger: logger) {
                let cells = row.makeRandomAccess()
                if records.count == query.limit {
                    return Page(
                        records: records, nextCursor: ListQueryParser.encodeCursor(signature: query.orderSignature, values: lastKeys),
                        count: try await count(sql, query, deletedOnly), nextAfter: lastKeys)
                }
                records.append(try cells[0].decode(String.self))
                lastKeys = try (1...query.order.count).map { i in try cells[i].decode(String?.self) }
            }
            return Page(records: records, nextCursor: nil, count: try await count(sql, query, deletedOnly))
        } catch let error as ExpressionError {
            throw TesseraError.validation([error.detail(property: "where")])
        } catch {
            throw DatabaseErrorMapper.map(error, entity: entity) ?? error
        }
    }

    /// One value of a grouping column among a query's rows: its count and its aggregate's figure.
    public struct Group: Sendable, Equatable {
        /// The value as text; nil for the rows without one.
        public let key: String?
        public let count: Int
        public let figure: String?
        /// For a `user` column, the user's name.
        public let name: String?
    }

    /// The query's rows counted per value of `column` (the view's lanes or groups).
    public func groups(
        _ plan: RecordPlan, _ query: ListQuery, by column: Column, aggregate: (function: ViewDefinition.Aggregate.Function, column: Column)?
    ) async throws -> [Group] {
        do {
            let rows = try await prepared.rows(try RecordSQL(plan).groups(query, by: column, aggregate: aggregate), client: client, logger: logger)
            return try rows.map { row in
                let (key, count, figure, name) = try row.decode((String?, Int, String?, String?).self)
                return Group(key: key, count: count, figure: figure, name: name)
            }
        } catch let error as ExpressionError {
            throw TesseraError.validation([error.detail(property: "filter")])
        } catch {
            throw DatabaseErrorMapper.map(error, entity: plan.entity) ?? error
        }
    }

    /// One group of an aggregate: its keys and figures as text (nil for null), or the folded rest.
    public struct AggregateRow: Sendable {
        public let keys: [String?]
        public let figures: [String?]
        public let isOther: Bool
    }

    /// The query's groups in its order (the top `limit`, then the rest folded) and how many groups
    /// there are in all.
    public func aggregate(_ plan: RecordPlan, _ query: AggregateQuery) async throws -> (rows: [AggregateRow], groups: Int) {
        do {
            let rows = try await prepared.rows(try RecordSQL(plan).aggregate(query), client: client, logger: logger)
            let width = query.groups.count + query.metrics.count
            var total = 0
            let out = try rows.map { row -> AggregateRow in
                var texts: [String?] = []
                let cells = row.makeRandomAccess()
                for i in 0..<width { texts.append(try cells[i].decode(String?.self)) }
                let isOther = try cells[width].decode(Bool.self)
                total = try cells[width + 2].decode(Int.self)
                return AggregateRow(
                    keys: Array(texts.prefix(query.groups.count)), figures: Array(texts.dropFirst(query.groups.count)), isOther: isOther)
            }
            return (out, total)
        } catch let error as ExpressionError {
            throw TesseraError.validation([error.detail(property: "where")])
        } catch {
            throw DatabaseErrorMapper.map(error, entity: plan.entity) ?? error
        }
    }

    /// The names of the tenant's users among `ids` (what user keys of an aggregate are labelled with).
    public func userNames(_ tenant: Tenant, _ ids: [String]) async throws -> [String: String] {
        let valid = ids.filter { UUIDText.normalized($0) != nil }
        guard !valid.isEmpty else { return [:] }
        var b = SQLBuilder("SELECT id::text, name FROM \(IdentityTables.users(tenant.schema)) WHERE id = ANY(")
        b.bind(.textArray(valid), cast: "uuid[]")
        b.append(")")
        let rows = try await client.query(b.query, logger: logger)
        var names: [String: String] = [:]
        for try await (id, name) in rows.decode((String, String).self) { names[id] = name }
        return names
    }

    private func count(_ sql: RecordSQL, _ query: ListQuery, _ deletedOnly: Bool) async throws -> Int? {
        guard query.exactCount else { return nil }
        return try await prepared.rows(try sql.count(query, deletedOnly: deletedOnly), client: client, logger: logger)
            .first?.decode(Int.self) ?? 0
    }

    /// 403 unless every owner given falls within the action's scope (a rep cannot hand a record
    /// to someone outside their reach, nor create one for them).
    private func requireOwners(_ sql: RecordSQL, on connection: PostgresConnection) async throws {
        let action = sql.plan.operation.action
        guard let scope = sql.plan.scope(action) else { return }
        for owner in sql.plan.ownerChecks {
            let check = ScopeSQL(schema: sql.schema).ownerCheck(scope, owner: owner)
            let allowed = try await prepared.rows(check, on: connection, logger: logger).first?.decode(Bool?.self) ?? false
            if allowed != true {
                throw TesseraError.forbidden(
                    .ownerOutOfScope(action: action.rawValue, entity: sql.entity.name, owner: owner),
                    details: [.init(field: "owner_id", rule: "scope", .ownerScope(action: action.rawValue))])
            }
        }
    }

    /// A write matched nothing although the record is visible, live and current: it is outside
    /// the action's scope.
    private static func outOfScope(_ action: RecordAction, _ sql: RecordSQL, id: String) -> TesseraError {
        .forbidden(.readButNot(action: action.rawValue, entity: sql.entity.name, id: id))
    }

    /// The id of a live record the caller may `action` (a lock, say, needs the update scope):
    /// 404 when the caller cannot even read it, 403 when it can read but not `action` it.
    public func requireScope(_ plan: RecordPlan, id: String) async throws -> String {
        let action = plan.operation.action
        guard let recordID = UUIDText.normalized(id) else { throw TesseraError.notFound(.noRecord(entity: plan.entity.name, id: id)) }
        let sql = RecordSQL(plan)
        // One query when the caller may; the second only tells 404 from 403.
        if try await prepared.rows(sql.inScope(action, id: recordID), client: client, logger: logger).first != nil { return recordID }
        _ = try await get(plan, id: recordID, select: ["id"])
        throw Self.outOfScope(action, sql, id: recordID)
    }

    /// A live record within the plan's read scope, or a 404.
    public func get(_ plan: RecordPlan, id: String, select: [String]? = nil, transaction: PostgresConnection? = nil) async throws -> Result {
        let entity = plan.entity
        guard let id = UUIDText.normalized(id) else { throw TesseraError.notFound(.noRecord(entity: entity.name, id: id)) }
        let sql = RecordSQL(plan)
        let rows = try await prepared.rows(try sql.get(id: id, select: select), in: SQLSession(client, transaction: transaction), logger: logger)
        if let row = rows.first {
            return try Self.result(row)
        }
        throw TesseraError.notFound(.noRecord(entity: entity.name, id: id))
    }

    /// Creates records all-or-nothing after checking references; the writes' own problems are reported with those.
    /// With `transaction`, the writes run on that connection inside its open transaction (an
    /// automation's event and its effects commit together); otherwise in their own.
    public func create(_ plan: RecordPlan, bulk: Bool = false, transaction: PostgresConnection? = nil) async throws -> [Result] {
        let created = try await createRecords(plan, bulk: bulk, transaction: transaction)
        announce(plan, .create)
        return created
    }

    private func createRecords(_ plan: RecordPlan, bulk: Bool, transaction: PostgresConnection?) async throws -> [Result] {
        let entity = plan.entity, model = plan.model, writes = plan.writes
        let sql = RecordSQL(plan)
        let actor = sql.actor
        let rows = writes.map { write in
            (id: UUIDText.v7().uuidString.lowercased(), owner: write.ownerID ?? actor, write: write)
        }
        do {
            let session = SQLSession(client, transaction: transaction)
            return try await session.withConnection { connection in
                let prefixed = writes.enumerated().map { (prefix: bulk ? "[\($0.offset)]." : "", write: $0.element) }
                let own = prefixed.flatMap { item in
                    item.write.problems.map { $0.prefixed(field: item.prefix, message: item.prefix) }
                }
                try await requireOwners(sql, on: connection)
                var all =
                    try await own + ReferenceCheck(schema: sql.schema, prepared: prepared).problems(for: prefixed, on: connection, logger: logger)
                if model.checksWrites {
                    return try await session.inTransaction(on: connection, logger: logger) { connection in
                        // Rules read other records (duplicates, conflicts) in the transaction that writes.
                        var rows = rows
                        var moves: [(id: String, from: String?, to: String?)] = []
                        let env = sql.environment
                        let enforcer = RuleEnforcer(schema: sql.schema, model: model, prepared: prepared, logger: logger)
                        // Duplicate and conflict rules must also see the earlier records of the same
                        // bulk request: those are written one by one, each after its check (the
                        // transaction still makes the request all-or-nothing).
                        let oneByOne = rows.count > 1 && model.rules.contains(where: \.readsOtherRecords)
                        var out: [Result] = []
                        for (i, row) in rows.enumerated() {
                            let values = Self.values(of: row.write, id: row.id, owner: row.owner, actor: actor, now: env.now)
                            let broken = Set(row.write.problems.compactMap(\.field))
                            let outcome = try await enforcer.check(
                                id: row.id, record: values, old: nil, environment: env, skipping: broken, forms: plan.forms, given: row.write.given,
                                hidden: plan.hidden, on: connection)
                            all +=
                                bulk
                                ? outcome.problems.map { $0.prefixed(field: "[\(i)].", message: "[\(i)].", whenNoField: "[\(i)].") }
                                : outcome.problems
                            rows[i].write.apply(outcome.additions)
                            if let change = outcome.stageChange { moves.append((row.id, change.from, change.to)) }
                            if oneByOne, outcome.problems.isEmpty, row.write.problems.isEmpty {
                                out += try await insert(sql, [rows[i]], on: connection)
                            }
                        }
                        guard all.isEmpty else { throw TesseraError.validation(all) }
                        for start in stride(from: 0, to: oneByOne ? 0 : rows.count, by: Self.rowsPerInsert) {
                            out += try await insert(sql, Array(rows[start..<min(start + Self.rowsPerInsert, rows.count)]), on: connection)
                        }
                        for move in moves {
                            try await recordStageChange(sql, model, id: move.id, from: move.from, to: move.to, on: connection)
                        }
                        return out
                    }
                }
                guard all.isEmpty else { throw TesseraError.validation(all) }
                if rows.count <= Self.rowsPerInsert {
                    return try await insert(sql, Array(rows[...]), on: connection)
                }
                return try await session.inTransaction(on: connection, logger: logger) { connection in
                    var out: [Result] = []
                    for start in stride(from: 0, to: rows.count, by: Self.rowsPerInsert) {
                        out += try await insert(sql, Array(rows[start..<min(start + Self.rowsPerInsert, rows.count)]), on: connection)
                    }
                    return out
                }
            }
        } catch {
            throw DatabaseErrorMapper.map(error, entity: entity) ?? error
        }
    }

    private func insert(
        _ sql: RecordSQL, _ rows: [(id: String, owner: String, write: RecordWrite)], on connection: PostgresConnection
    ) async throws -> [Result] {
        let statement = try sql.insert(rows)
        // Single-record inserts repeat a few shapes and are worth preparing; bulk ones vary by size.
        let result =
            rows.count == 1
            ? try await prepared.rows(statement, on: connection, logger: logger)
            : try await connection.query(statement.query, logger: logger).collect()
        return try result.map(Self.result)
    }

    /// A row of `(json, version)`, as writes and gets return them.
    private static func result(_ row: PostgresRow) throws -> Result {
        let (json, version) = try row.decode((String, Int64).self)
        return Result(json: json, version: version)
    }

    /// Applies the plan's one write to a record.
    public func update(_ plan: RecordPlan, id: String, transaction: PostgresConnection? = nil) async throws -> Result {
        let updated = try await updateRecord(plan, id: id, transaction: transaction)
        announce(plan, .update)
        return updated
    }

    private func updateRecord(_ plan: RecordPlan, id: String, transaction: PostgresConnection?) async throws -> Result {
        let entity = plan.entity, model = plan.model
        guard let write = plan.writes.first else { throw TesseraError.internal("An update plan without a write.") }
        guard let id = UUIDText.normalized(id) else { throw TesseraError.notFound(.noRecord(entity: entity.name, id: id)) }
        let sql = RecordSQL(plan)
        do {
            let session = SQLSession(client, transaction: transaction)
            return try await session.withConnection { connection in
                try await requireOwners(sql, on: connection)
                let all =
                    try await write.problems
                    + ReferenceCheck(schema: sql.schema, prepared: prepared).problems(for: [("", write)], on: connection, logger: logger)
                let changes = !write.assignments.isEmpty || write.ownerID != nil
                if changes, model.checksWrites {
                    return try await session.inTransaction(on: connection, logger: logger) { connection in
                        try await updateWithRules(model, sql, id: id, write, problems: all, on: connection)
                    }
                }
                guard all.isEmpty else { throw TesseraError.validation(all) }
                if !changes {
                    // Nothing to change: answer with the record, still honouring the version check.
                    try await requireState(sql, id: id, expectedVersion: write.expectedVersion, on: connection)
                    if let row = try await prepared.rows(try sql.get(id: id, select: nil), on: connection, logger: logger).first {
                        return try Self.result(row)
                    }
                    throw TesseraError.notFound(.noRecord(entity: entity.name, id: id))
                }
                if let row = try await prepared.rows(try sql.update(id: id, write: write), on: connection, logger: logger).first {
                    return try Self.result(row)
                }
                try await requireState(sql, id: id, expectedVersion: write.expectedVersion, on: connection)
                try await requireUnlocked(sql, id: id, on: connection)
                throw Self.outOfScope(.update, sql, id: id)
            }
        } catch {
            throw DatabaseErrorMapper.map(error, entity: entity) ?? error
        }
    }

    /// How many live records a rule would refuse if it were switched on, and a sample of their ids.
    public func preview(_ plan: RecordPlan, rule: ValidationRule) async throws -> (count: Int, sample: [String]) {
        let model = plan.model
        let compiled = try CompiledRule.compile(rule, entity: model.definition, related: model.related)
        let preview = RulePreview(schema: plan.tenant.schema, model: model, environment: plan.environment)
        do {
            let count = try await client.query(try preview.query(compiled, count: true).query, logger: logger).collect().first?.decode(Int.self) ?? 0
            let ids = try await client.query(try preview.query(compiled, count: false).query, logger: logger).collect().map {
                try $0.decode(String.self)
            }
            return (count, ids)
        } catch {
            throw DatabaseErrorMapper.map(error, entity: model.definition) ?? error
        }
    }

    /// An update checked against the entity's rules: the current row is locked and read, the
    /// rules see it as `old` and the merged values as `record`.
    private func updateWithRules(
        _ model: EntityModel, _ sql: RecordSQL, id: String, _ write: RecordWrite,
        problems: [TesseraError.Detail], on connection: PostgresConnection
    ) async throws -> Result {
        var current = SQLBuilder("SELECT row_to_json(q)::text FROM \(sql.table) q WHERE q.id = ")
        current.bind(.text(id), cast: "uuid")
        current.append(" AND q.deleted_at IS NULL")
        sql.appendScope(.update, to: &current)
        sql.appendUnlocked(to: &current)
        // NO KEY UPDATE, as the UPDATE itself takes: a plain FOR UPDATE would also block inserts whose
        // foreign keys point here (a new duplicate lead linking to this one) and deadlock with them.
        current.append(" FOR NO KEY UPDATE")
        guard let json = try await prepared.rows(current, on: connection, logger: logger).first?.decode(String.self) else {
            try await requireState(sql, id: id, expectedVersion: write.expectedVersion, on: connection)
            try await requireUnlocked(sql, id: id, on: connection)
            throw Self.outOfScope(.update, sql, id: id)
        }
        let old = RecordValues(json: try JSONParser.parse(json), entity: model.definition)
        if let expected = write.expectedVersion, case .int(let version)? = old.fields["version"], version != expected {
            try await requireState(sql, id: id, expectedVersion: expected, on: connection)
        }
        try await requireNotFrozen(sql, id: id, write, on: connection)
        var record = old
        for assignment in write.assignments { record.fields[assignment.field.name] = .from(stored: assignment.value, type: assignment.field.type) }
        if let owner = write.ownerID { record.fields["owner_id"] = .string(owner) }
        let env = sql.environment
        record.fields["updated_at"] = .timestamp(env.now)
        record.fields["updated_by"] = .string(sql.actor)
        let outcome = try await RuleEnforcer(schema: sql.schema, model: model, prepared: prepared, logger: logger)
            .check(
                id: id, record: record, old: old, environment: env, skipping: Set(write.problems.compactMap(\.field)), forms: sql.plan.forms,
                given: write.given, hidden: sql.plan.hidden, on: connection)
        let all = problems + outcome.problems
        guard all.isEmpty else { throw TesseraError.validation(all) }
        var write = write
        write.apply(outcome.additions)
        guard let row = try await prepared.rows(try sql.update(id: id, write: write), on: connection, logger: logger).first else {
            throw TesseraError.notFound(.noRecord(entity: model.name, id: id))
        }
        let updated = try Self.result(row)
        if let change = outcome.stageChange {
            try await recordStageChange(sql, model, id: id, from: change.from, to: change.to, on: connection)
        }
        return updated
    }

    private func recordStageChange(
        _ sql: RecordSQL, _ model: EntityModel, id: String, from: String?, to: String?,
        on connection: PostgresConnection
    ) async throws {
        guard let field = model.stage?.field else { return }
        let statement = StageHistorySQL.insert(schema: sql.schema, entity: model.name, id: id, field: field, from: from, to: to, actor: sql.actor)
        _ = try await prepared.rows(statement, on: connection, logger: logger)
    }

    /// One write in a record's history: what the changed fields were before and after.
    public struct HistoryEntry: Sendable {
        public let action: String
        /// Field → (old, new); a create has no old values, a delete or restore no fields.
        public let changes: [(field: String, old: JSONValue, new: JSONValue)]
        public let at: Int64
        public let actor: String?
        public let via: String?
    }

    /// A record's history, newest first (404 for a record this tenant does not have).
    public func history(_ plan: RecordPlan, id: String, limit: Int = 500) async throws -> [HistoryEntry] {
        let id = try await requireRecord(plan, id: id)
        let hidden = plan.hidden
        let rows = try await prepared.rows(
            HistorySQL.list(schema: plan.tenant.schema, entity: plan.entity.name, id: id, limit: limit),
            client: client, logger: logger)
        return try rows.map { row in
            let (action, old, new, at, actor, via) = try row.decode((String, String?, String?, Int64, String?, String?).self)
            func members(_ text: String?) -> [(String, JSONValue)] {
                guard let text, case .object(let m)? = try? JSONParser.parse(text) else { return [] }
                return m.filter { !hidden.contains($0.0) }
            }
            let before = members(old), after = members(new)
            var changes: [(field: String, old: JSONValue, new: JSONValue)] = after.map { key, value in
                (key, before.first { $0.0 == key }?.1 ?? .null, value)
            }
            for (key, value) in before where !after.contains(where: { $0.0 == key }) { changes.append((key, value, .null)) }
            return HistoryEntry(action: action, changes: changes, at: at, actor: actor, via: via)
        }
    }

    /// One stage change of a record and how long the record then stayed in the stage it entered.
    public struct StageVisit: Sendable {
        public let from: String?
        public let to: String?
        public let at: Int64
        public let by: String?
        /// Until the next change, or until now for the current stage (microseconds).
        public let duration: Int64
    }

    /// The record's stage history, oldest first (404 for a record this tenant does not have).
    public func stageHistory(_ plan: RecordPlan, id: String) async throws -> [StageVisit] {
        let id = try await requireRecord(plan, id: id)
        guard plan.effects.stageField != nil else { return [] }
        let rows = try await prepared.rows(
            StageHistorySQL.list(schema: plan.tenant.schema, entity: plan.entity.name, id: id), client: client, logger: logger)
        let changes = try rows.map { try $0.decode((String?, String?, Int64, String?).self) }
        let now = Timestamp.nowMicroseconds()
        return changes.enumerated().map { i, change in
            let end = i + 1 < changes.count ? changes[i + 1].2 : now
            return StageVisit(from: change.0, to: change.1, at: change.2, by: change.3, duration: max(0, end - change.2))
        }
    }

    /// The normalized id of a record the tenant has (live or in the recycle bin), else a 404.
    private func requireRecord(_ plan: RecordPlan, id text: String) async throws -> String {
        let sql = RecordSQL(plan, formulas: false)
        guard let id = UUIDText.normalized(text), try await prepared.rows(sql.state(id: id), client: client, logger: logger).first != nil else {
            throw TesseraError.notFound(.noRecord(entity: plan.entity.name, id: text))
        }
        return id
    }

    /// The values a record will have once created, as rules read them.
    /// A new record's values as rules see them before it is written.
    public static func values(of write: RecordWrite, id: String, owner: String, actor: String, now: Int64) -> RecordValues {
        var fields: [String: ExpressionValue] = [
            "id": .string(id), "owner_id": .string(owner), "created_by": .string(actor), "updated_by": .string(actor),
            "version": .int(1), "created_at": .timestamp(now), "updated_at": .timestamp(now),
        ]
        for assignment in write.assignments { fields[assignment.field.name] = .from(stored: assignment.value, type: assignment.field.type) }
        return RecordValues(fields: fields)
    }

    /// Moves a record to the recycle bin.
    public func delete(_ plan: RecordPlan, id: String, expectedVersion: Int64?) async throws {
        _ = try await setDeleted(true, plan, id: id, expectedVersion: expectedVersion)
        announce(plan, .delete)
    }

    /// Brings a record back from the recycle bin.
    public func restore(_ plan: RecordPlan, id: String) async throws -> Result {
        try await setDeleted(false, plan, id: id, expectedVersion: nil)
    }

    private func setDeleted(_ delete: Bool, _ plan: RecordPlan, id: String, expectedVersion: Int64?) async throws -> Result {
        let entity = plan.entity
        guard let id = UUIDText.normalized(id) else { throw TesseraError.notFound(.noRecord(entity: entity.name, id: id)) }
        let sql = RecordSQL(plan)
        do {
            return try await client.withConnection { connection in
                // A record under approval stays until the approval ends (it would be decided on nothing).
                if delete, plan.actor.locksApply, !plan.model.approvals.isEmpty,
                    let (approval, process) = try await ApprovalStore(client: client, logger: logger).anyPending(
                        plan.tenant, entity: entity.name, recordID: id, on: connection)
                {
                    let text = approval.uuidString.lowercased()
                    throw TesseraError(
                        status: 423, code: "approval_pending",
                        localized: ApprovalMessage.deleteWhilePending(process: process, approval: text),
                        details: [.init(field: nil, rule: "frozen", message: "approval \(text)", extra: ["approval_id": .string(text)])])
                }
                let query = try sql.setDeleted(delete, id: id, expectedVersion: expectedVersion)
                if let row = try await prepared.rows(query, on: connection, logger: logger).first { return try Self.result(row) }
                // Visible and in the expected state, yet not written: outside the delete scope.
                if let (_, deleted) = try await prepared.rows(sql.state(id: id), on: connection, logger: logger).first?.decode((Int64, Bool).self),
                    deleted != delete
                {
                    if delete { try await requireState(sql, id: id, expectedVersion: expectedVersion, on: connection) }
                    try await requireUnlocked(sql, id: id, on: connection)
                    throw Self.outOfScope(.delete, sql, id: id)
                }
                throw TesseraError.notFound(delete ? .noRecord(entity: entity.name, id: id) : .noRecordInBin(entity: entity.name, id: id))
            }
        } catch {
            throw DatabaseErrorMapper.map(error, entity: entity) ?? error
        }
    }

    /// 423 when a pending approval freezes a field the write changes (people only: automations and
    /// the approval's own outcome act for the tenant). The row is locked, so no approval can start
    /// between this check and the write.
    private func requireNotFrozen(_ sql: RecordSQL, id: String, _ write: RecordWrite, on connection: PostgresConnection) async throws {
        guard sql.plan.actor.locksApply, sql.plan.model.approvals.contains(where: { !$0.frozen.isEmpty }) else { return }
        var fields = write.assignments.map(\.field.name)
        if write.ownerID != nil { fields.append("owner_id") }
        guard !fields.isEmpty,
            let held = try await ApprovalStore(client: client, logger: logger).frozen(
                sql.plan.tenant, entity: sql.entity.name, recordID: id, fields: fields, on: connection
            ).first
        else { return }
        let approval = held.id.uuidString.lowercased()
        throw TesseraError(
            status: 423, code: "approval_pending",
            localized: ApprovalMessage.frozenWhilePending(fields: held.fields, process: held.process, approval: approval),
            details: held.fields.map {
                .init(
                    field: $0, rule: "frozen", localized: ApprovalMessage.frozenWhilePending(fields: [$0], process: held.process, approval: approval),
                    extra: ["approval_id": .string(approval), "process": .string(held.process)])
            })
    }

    /// Throws 404 for a missing or recycled record, 409 for a stale version; returns when the record is live and current.
    /// 423 when someone else holds a lock on the record (see `RecordSQL.appendUnlocked`).
    private func requireUnlocked(_ sql: RecordSQL, id: String, on connection: PostgresConnection) async throws {
        guard sql.plan.actor.locksApply,
            let (holder, until) = try await prepared.rows(sql.lockHolder(id: id), on: connection, logger: logger).first?.decode((String, String).self)
        else { return }
        throw TesseraError(
            status: 423, code: "record_locked", .locked(entity: sql.entity.name, id: id, holder: holder, until: until),
            details: [.init(field: nil, rule: "locked", .lockedUntil(until), extra: ["locked_until": .string(until)])])
    }

    private func requireState(_ sql: RecordSQL, id: String, expectedVersion: Int64?, on connection: PostgresConnection) async throws {
        if let (version, deleted) = try await prepared.rows(sql.state(id: id), on: connection, logger: logger).first?.decode((Int64, Bool).self) {
            if deleted { throw TesseraError.notFound(.inRecycleBin(entity: sql.entity.name, id: id)) }
            if let expectedVersion, expectedVersion != version {
                throw TesseraError.conflict(
                    .versionConflict(entity: sql.entity.name, sent: expectedVersion, current: version), code: "version_conflict",
                    details: [.init(field: "version", rule: "version", .currentVersion(version), extra: ["current_version": .number(Int(version))])])
            }
            return
        }
        throw TesseraError.notFound(.noRecord(entity: sql.entity.name, id: id))
    }
}
