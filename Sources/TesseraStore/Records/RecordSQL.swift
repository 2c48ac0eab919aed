import TesseraCore

/// Renders a record plan as SQL: identifiers through `SQLIdentifier`, values as binds. It decides
/// nothing: scopes, hidden fields, the actor and the side effects all come from the plan.
struct RecordSQL {
    let plan: RecordPlan
    /// Formulas computed in the row source (none for the bare state probes).
    var formulas: [CompiledFormula]

    init(_ plan: RecordPlan, formulas: Bool = true) {
        self.plan = plan
        self.formulas = formulas ? plan.model.formulas : []
    }

    var schema: String { plan.tenant.schema }
    var entity: EntityDefinition { plan.entity }
    var timeZone: String { plan.tenant.timeZone }
    /// What formulas and where= read besides the row: the caller, the request's clock, the zone.
    var environment: ExpressionEnvironment { plan.environment }
    var table: String { SQLIdentifier.qualified(schema, entity.name) }
    var actor: String { plan.actor.userID }

    /// The row source `q`: the table, or with formulas a subquery adding one computed column per
    /// formula (PostgreSQL pulls it up, so filters on stored columns still use their indexes).
    func appendSource(_ from: String, to b: inout SQLBuilder) throws(ExpressionError) {
        guard !formulas.isEmpty else {
            b.append(from + " q")
            return
        }
        b.append("(SELECT t.*")
        let compiler = ExpressionSQL(schema: schema, rowScope: .record, alias: "t", environment: environment)
        for formula in formulas {
            b.append(", (")
            try compiler.append(formula.expression, to: &b)
            b.append(")::\(ColumnType.sql(formula.field.readType)) AS \(SQLIdentifier.quote(formula.name))")
        }
        b.append(" FROM \(from) t) q")
    }

    /// ` AND (<scope predicate>)` over the row `q` when `action` does not reach every row.
    func appendScope(_ action: RecordAction, to b: inout SQLBuilder) {
        guard let scope = plan.scope(action) else { return }
        b.append(" AND ")
        ScopeSQL(schema: schema).append(
            scope, owner: "q.owner_id", assignedFields: scope.assignedFields.map { "q." + SQLIdentifier.quote($0) }, to: &b)
    }

    /// Locked records (`_record_locks`) are read-only for everyone but the lock's holder: the
    /// write's row `q` must not be locked by someone else.
    func appendUnlocked(to b: inout SQLBuilder) {
        guard plan.actor.locksApply else { return }
        b.append(" AND NOT EXISTS (SELECT 1 FROM \(AutomationStateTables.locks(schema)) l WHERE l.entity = ")
        b.bind(.text(entity.name), cast: "text")
        b.append(" AND l.record_id = q.id AND l.until > now() AND l.holder IS DISTINCT FROM ")
        b.bind(.text(actor), cast: "uuid")
        b.append(")")
    }

    /// Who holds a lock on the record against this caller, and until when.
    func lockHolder(id: String) -> SQLBuilder {
        var b = SQLBuilder(
            """
            SELECT coalesce(u.name, ''), to_char(l.until AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM \
            \(AutomationStateTables.locks(schema)) l LEFT JOIN \(IdentityTables.users(schema)) u ON u.id = l.holder WHERE l.entity = 
            """
        )
        b.bind(.text(entity.name), cast: "text")
        b.append(" AND l.record_id = ")
        b.bind(.text(id), cast: "uuid")
        b.append(" AND l.until > now() AND l.holder IS DISTINCT FROM ")
        b.bind(.text(actor), cast: "uuid")
        return b
    }

    /// Ends a write CTE `w`: its history row, then the written row's JSON (formulas computed) and version.
    func appendReturning(_ action: String, to b: inout SQLBuilder) throws(ExpressionError) {
        b.append(" RETURNING q.*)")
        let effects = plan.effects
        let names = RecordEvent(rawValue: action).flatMap { effects.events[$0] } ?? []
        HistorySQL.append(action: action, schema: schema, entity: entity.name, actor: actor, via: plan.actor.via, returning: !names.isEmpty, to: &b)
        if !names.isEmpty {
            // The events, in the statement that writes the record: committed with it or not at all.
            OutboxSQL.append(event: action, automations: names, schema: schema, entity: entity.name, depth: plan.actor.automationDepth, to: &b)
        }
        if !effects.timers.isEmpty {
            OutboxSQL.appendTimers(effects.timers, action: action, schema: schema, entity: entity.name, tenant: plan.tenant, to: &b)
        }
        b.append(" SELECT ")
        appendProjection(nil, to: &b)
        b.append(", q.version FROM ")
        try appendSource("w", to: &b)
    }

    /// The record's JSON, built by PostgreSQL: the whole row (system columns, then fields in
    /// definition order) or, with `select=`, just the chosen columns. Appends binds for the keys.
    func appendProjection(_ chosen: [String]?, to b: inout SQLBuilder) {
        guard let select = chosen ?? plan.visibleColumns, !select.isEmpty else {
            b.append("row_to_json(q)::text")
            return
        }
        // json_build_object takes at most 100 arguments; wider selections merge jsonb chunks.
        let chunks = stride(from: 0, to: select.count, by: 50).map { Array(select[$0..<min($0 + 50, select.count)]) }
        let function = chunks.count == 1 ? "json_build_object" : "jsonb_build_object"
        for (i, chunk) in chunks.enumerated() {
            if i > 0 { b.append(" || ") }
            b.append(function + "(")
            for (j, name) in chunk.enumerated() {
                if j > 0 { b.append(", ") }
                b.bind(.text(name), cast: "text")
                b.append(", q." + SQLIdentifier.quote(name))
            }
            b.append(")")
        }
        b.append("::text")
    }

    func appendFilter(_ filter: Filter, to b: inout SQLBuilder) {
        let c = "q." + SQLIdentifier.quote(filter.column.name)
        let cast = ColumnType.cast(filter.column.type)
        if filter.negated { b.append("NOT (") }
        switch filter.operand {
        case .null: b.append("\(c) IS NULL")
        case .notNull: b.append("\(c) IS NOT NULL")
        case .isTrue: b.append("\(c) IS TRUE")
        case .isFalse: b.append("\(c) IS FALSE")
        case .list(let values):
            b.append("\(c) = ANY(")
            b.bind(.textArray(values.map(Self.text)), cast: cast + "[]")
            b.append(")")
        case .value(let value):
            switch filter.op {
            case .cs, .ov:
                b.append(c + (filter.op == .cs ? " @> " : " && "))
                b.bind(value, cast: cast)
            case .like, .ilike:
                b.append(c + (filter.op == .like ? " LIKE " : " ILIKE "))
                b.bind(value, cast: "text")
            default:
                let op =
                    switch filter.op {
                    case .eq: " = "
                    case .neq: " <> "
                    case .gt: " > "
                    case .gte: " >= "
                    case .lt: " < "
                    default: " <= "
                    }
                b.append(c + op)
                if filter.column.type == .datetime, case .text(let s) = value, DateTimeText.isValidDate(s) {
                    // A bare date means midnight in the tenant's time zone.
                    b.append("(")
                    b.bind(value, cast: "timestamp")
                    b.append(" AT TIME ZONE ")
                    b.bind(.text(timeZone))
                    b.append(")")
                } else {
                    b.bind(value, cast: cast)
                }
            }
        }
        if filter.negated { b.append(")") }
    }

    static func text(_ value: StoredValue) -> String {
        switch value {
        case .text(let s), .json(let s): s
        case .integer(let i): String(i)
        case .bool(let b): b ? "true" : "false"
        case .textArray(let a): a.joined(separator: ",")
        case .null: ""
        }
    }

    /// `FROM <source> WHERE <live or recycled> AND <filters> AND <where= expression>`, shared by
    /// pages and counts so both always select the same rows.
    func appendFromWhere(_ query: ListQuery, deletedOnly: Bool, to b: inout SQLBuilder) throws(ExpressionError) {
        b.append(" FROM ")
        try appendSource(table, to: &b)
        b.append(deletedOnly ? " WHERE q.deleted_at IS NOT NULL" : " WHERE q.deleted_at IS NULL")
        try appendRowConditions(query, to: &b)
    }

    /// ` AND <read scope> AND <filters> AND <where= expressions> AND <overlap>` over the row `q`:
    /// which of the source's rows the caller asked for and may read.
    func appendRowConditions(_ query: ListQuery, to b: inout SQLBuilder) throws(ExpressionError) {
        appendScope(.read, to: &b)
        for filter in query.filters {
            b.append(" AND ")
            appendFilter(filter, to: &b)
        }
        for condition in query.conditions {
            b.append(" AND ")
            try ExpressionSQL(schema: schema, rowScope: .record, environment: environment).append(condition.checked, to: &b, positive: true)
        }
        if let overlap = query.overlap {
            b.append(" AND ")
            appendOverlap(overlap, to: &b)
        }
    }

    /// `start < to AND (end >= from OR (end IS NULL AND start >= from))`: each bound compared
    /// as a filter would compare it (a bare date is midnight in the tenant's zone).
    func appendOverlap(_ overlap: ListQuery.Overlap, to b: inout SQLBuilder) {
        appendFilter(Filter(column: overlap.start, op: .lt, operand: .value(.text(overlap.to))), to: &b)
        b.append(" AND (")
        let startAfter = Filter(column: overlap.start, op: .gte, operand: .value(.text(overlap.from)))
        if let end = overlap.end {
            appendFilter(Filter(column: end, op: .gte, operand: .value(.text(overlap.from))), to: &b)
            b.append(" OR (")
            appendFilter(Filter(column: end, op: .is, operand: .null), to: &b)
            b.append(" AND ")
            appendFilter(startAfter, to: &b)
            b.append(")")
        } else {
            appendFilter(startAfter, to: &b)
        }
        b.append(")")
    }

    /// Per value of `column` among the query's rows: the value as text, the count, and the
    /// aggregate's figure as text. For a `user` column, the user's name comes along.
    func groups(
        _ query: ListQuery, by column: Column, aggregate: (function: ViewDefinition.Aggregate.Function, column: Column)?
    ) throws(ExpressionError) -> SQLBuilder {
        let c = "q." + SQLIdentifier.quote(column.name)
        var b = SQLBuilder("SELECT g.k, g.n, g.a")
        b.append(column.type == .user ? ", (SELECT u.name FROM \(IdentityTables.users(schema)) u WHERE u.id = g.u)" : ", NULL::text")
        b.append(" FROM (SELECT \(c)::text AS k, \(column.type == .user ? c : "NULL::uuid") AS u, count(*) AS n, ")
        if let aggregate {
            let a = "q." + SQLIdentifier.quote(aggregate.column.name)
            switch aggregate.function {
            case .avg: b.append("round(avg(\(a))::numeric, 2)::text")
            case .min: b.append("min(\(a))::text")
            case .max: b.append("max(\(a))::text")
            case .sum: b.append("sum(\(a))::text")
            }
        } else {
            b.append("NULL::text")
        }
        b.append(" AS a")
        try appendFromWhere(query, deletedOnly: false, to: &b)
        b.append(" GROUP BY 1, 2) g")
        return b
    }

    /// `SELECT json, key texts… FROM (SELECT q.* FROM table WHERE … ORDER BY … LIMIT n+1) q
    /// ORDER BY …`: the page is chosen first and only its rows are made JSON. PostgreSQL builds a
    /// target list before a sort, so a flat query would build the JSON of every matching row
    /// (a customer's 100,000 opportunities: 560 ms against 41 ms, measured by bench/views.sh).
    func list(_ query: ListQuery, deletedOnly: Bool) throws(ExpressionError) -> SQLBuilder {
        let order = query.order.map { key in
            "q.\(SQLIdentifier.quote(key.column.name)) \(key.descending ? "DESC" : "ASC") NULLS \(key.nullsFirst ? "FIRST" : "LAST")"
        }.joined(separator: ", ")
        var b = SQLBuilder("SELECT ")
        appendProjection(query.select, to: &b)
        for key in query.order { b.append(", q.\(SQLIdentifier.quote(key.column.name))::text") }
        b.append(" FROM (SELECT q.*")
        try appendFromWhere(query, deletedOnly: deletedOnly, to: &b)
        if let after = query.after {
            b.append(" AND ")
            appendKeyset(query.order, after, to: &b)
        }
        b.append(" ORDER BY \(order) LIMIT \(query.limit + 1)) q ORDER BY \(order)")
        return b
    }

    func count(_ query: ListQuery, deletedOnly: Bool) throws(ExpressionError) -> SQLBuilder {
        var b = SQLBuilder("SELECT count(*)")
        try appendFromWhere(query, deletedOnly: deletedOnly, to: &b)
        return b
    }

    /// Rows strictly after the cursor position in the query's order.
    func appendKeyset(_ order: [ListQuery.OrderKey], _ after: [String?], to b: inout SQLBuilder) {
        let sameDirection = Set(order.map(\.descending)).count == 1
        if sameDirection, order.allSatisfy(\.column.isNotNull), after.allSatisfy({ $0 != nil }) {
            // Row comparison: one index range scan.
            b.append("(" + order.map { "q." + SQLIdentifier.quote($0.column.name) }.joined(separator: ", ") + ")")
            b.append(order[0].descending ? " < (" : " > (")
            for (i, key) in order.enumerated() {
                if i > 0 { b.append(", ") }
                b.bind(.text(after[i]!), cast: ColumnType.cast(key.column.type))
            }
            b.append(")")
            return
        }
        // General form: (k1 after v1) OR (k1 = v1 AND (k2 after v2 OR …)), with NULLs placed as ordered.
        b.append("(")
        for (i, key) in order.enumerated() {
            if i > 0 { b.append(" OR ") }
            b.append("(")
            for j in 0..<i {
                appendEquals(order[j], after[j], to: &b)
                b.append(" AND ")
            }
            appendAfter(key, after[i], to: &b)
            b.append(")")
        }
        b.append(")")
    }

    private func appendEquals(_ key: ListQuery.OrderKey, _ value: String?, to b: inout SQLBuilder) {
        let c = "q." + SQLIdentifier.quote(key.column.name)
        guard let value else { b.append("\(c) IS NULL"); return }
        b.append("\(c) = ")
        b.bind(.text(value), cast: ColumnType.cast(key.column.type))
    }

    private func appendAfter(_ key: ListQuery.OrderKey, _ value: String?, to b: inout SQLBuilder) {
        let c = "q." + SQLIdentifier.quote(key.column.name)
        guard let value else {
            // After a NULL: only non-NULLs if NULLs come first, else nothing at this level.
            b.append(key.nullsFirst ? "\(c) IS NOT NULL" : "false")
            return
        }
        b.append("(\(c) \(key.descending ? "<" : ">") ")
        b.bind(.text(value), cast: ColumnType.cast(key.column.type))
        b.append(key.nullsFirst ? ")" : " OR \(c) IS NULL)")
    }

    /// The record's JSON and version.
    func get(id: String, select: [String]?, deleted: Bool = false) throws(ExpressionError) -> SQLBuilder {
        var b = SQLBuilder("SELECT ")
        appendProjection(select, to: &b)
        b.append(", q.version FROM ")
        try appendSource(table, to: &b)
        b.append(" WHERE q.id = ")
        b.bind(.text(id), cast: "uuid")
        b.append(deleted ? " AND q.deleted_at IS NOT NULL" : " AND q.deleted_at IS NULL")
        appendScope(.read, to: &b)
        return b
    }

    /// One INSERT for several records; columns a record does not give take their DEFAULT.
    func insert(_ rows: [(id: String, owner: String, write: RecordWrite)]) throws(ExpressionError) -> SQLBuilder {
        var columns: [FieldDefinition] = []
        for row in rows {
            for assignment in row.write.assignments where !columns.contains(where: { $0.name == assignment.field.name }) {
                columns.append(assignment.field)
            }
        }
        var b = SQLBuilder("WITH w AS (INSERT INTO \(table) AS q (id, owner_id, created_by, updated_by")
        for column in columns { b.append(", " + SQLIdentifier.quote(column.name)) }
        b.append(") VALUES ")
        for (i, row) in rows.enumerated() {
            b.append(i == 0 ? "(" : ", (")
            b.bind(.text(row.id), cast: "uuid")
            b.append(", ")
            b.bind(.text(row.owner), cast: "uuid")
            b.append(", ")
            b.bind(.text(actor), cast: "uuid")
            b.append(", ")
            b.bind(.text(actor), cast: "uuid")
            for column in columns {
                b.append(", ")
                if let assignment = row.write.assignments.first(where: { $0.field.name == column.name }) {
                    b.bind(assignment.value, cast: ColumnType.cast(column.type))
                } else {
                    b.append("DEFAULT")
                }
            }
            b.append(")")
        }
        try appendReturning("create", to: &b)
        return b
    }

    func update(id: String, write: RecordWrite) throws(ExpressionError) -> SQLBuilder {
        // `o` is the row as the statement's snapshot sees it: the history's old values. (Not FOR
        // UPDATE: a row the same statement updates is invisible to a locking read.)
        var b = SQLBuilder("WITH o AS (SELECT * FROM \(table) WHERE id = ")
        b.bind(.text(id), cast: "uuid")
        b.append(" AND deleted_at IS NULL), w AS (UPDATE \(table) AS q SET version = version + 1, updated_at = now(), updated_by = ")
        b.bind(.text(actor), cast: "uuid")
        if let owner = write.ownerID {
            b.append(", owner_id = ")
            b.bind(.text(owner), cast: "uuid")
        }
        for assignment in write.assignments {
            b.append(", \(SQLIdentifier.quote(assignment.field.name)) = ")
            b.bind(assignment.value, cast: ColumnType.cast(assignment.field.type))
        }
        b.append(" WHERE id = ")
        b.bind(.text(id), cast: "uuid")
        b.append(" AND deleted_at IS NULL")
        appendScope(.update, to: &b)
        appendUnlocked(to: &b)
        if let version = write.expectedVersion {
            b.append(" AND version = ")
            b.bind(.integer(version))
        }
        try appendReturning("update", to: &b)
        return b
    }

    /// Moves a record to the recycle bin (`delete: true`) or back out of it.
    func setDeleted(_ delete: Bool, id: String, expectedVersion: Int64?) throws(ExpressionError) -> SQLBuilder {
        var b = SQLBuilder(
            "WITH w AS (UPDATE \(table) AS q SET deleted_at = \(delete ? "now()" : "NULL"), version = version + 1, updated_at = now(), updated_by = ")
        b.bind(.text(actor), cast: "uuid")
        b.append(" WHERE id = ")
        b.bind(.text(id), cast: "uuid")
        b.append(delete ? " AND deleted_at IS NULL" : " AND deleted_at IS NOT NULL")
        appendScope(.delete, to: &b)
        if delete { appendUnlocked(to: &b) }
        if let expectedVersion {
            b.append(" AND version = ")
            b.bind(.integer(expectedVersion))
        }
        try appendReturning(delete ? "delete" : "restore", to: &b)
        return b
    }

    /// The live record's id if the caller's scope for `action` covers it (no row otherwise).
    func inScope(_ action: RecordAction, id: String) -> SQLBuilder {
        var b = SQLBuilder("SELECT q.id::text FROM \(table) q WHERE q.id = ")
        b.bind(.text(id), cast: "uuid")
        b.append(" AND q.deleted_at IS NULL")
        appendScope(action, to: &b)
        return b
    }

    /// The state of a record a write did not find, if the caller may read it: (version, in the recycle bin).
    func state(id: String) -> SQLBuilder {
        var b = SQLBuilder("SELECT q.version, q.deleted_at IS NOT NULL FROM \(table) q WHERE q.id = ")
        b.bind(.text(id), cast: "uuid")
        appendScope(.read, to: &b)
        return b
    }
}
