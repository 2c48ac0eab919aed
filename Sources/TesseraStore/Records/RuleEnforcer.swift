import Logging
import PostgresNIO
import TesseraCore

/// Checks one write against the entity's active rules, inside the write's transaction: Swift
/// evaluates the expression rules; duplicate and conflict rules ask the table. Every violation is
/// returned (the caller reports them together); duplicate rules may add values to the write.
struct RuleEnforcer {
    let schema: String
    let model: EntityModel
    let prepared: PreparedSQL
    let logger: Logger

    struct Outcome {
        var problems: [TesseraError.Detail] = []
        /// Values a `flag` or `link` duplicate rule sets on the record being written.
        var additions: [RecordWrite.Assignment] = []
        /// The stage move the write makes, recorded with it.
        var stageChange: (from: String?, to: String?)?
    }

    /// `record` holds the values the record will have; `old` those before an update. `forms` are
    /// those offered to the writer (the one applying at the record's stage binds the write) and
    /// `given` the fields the body names.
    func check(
        id: String, record: RecordValues, old: RecordValues?, environment: ExpressionEnvironment,
        skipping broken: Set<String>, forms: [CompiledForm] = [], given: Set<String> = [], hidden: Set<String> = [],
        on connection: PostgresConnection
    ) async throws -> Outcome {
        var env = environment
        var record = record
        var old = old
        try await loadRelated(into: &record, scopes: [.record], on: connection)
        // A form's readonly_when reads the stored record as `record`.
        if old != nil { try await loadRelated(into: &old!, scopes: forms.isEmpty ? [.old] : [.old, .record], on: connection) }
        env.records[.record] = record
        if let old { env.records[.old] = old }

        var outcome = Outcome()
        if let stage = model.stage {
            func key(_ values: RecordValues?) -> String? {
                if case .string(let s)? = values?.fields[stage.field] { s } else { nil }
            }
            let from = key(old), to = key(record)
            if old == nil || from != to, !broken.contains(stage.field) {
                do {
                    outcome.problems += try stage.violations(from: from, to: to, in: env)
                } catch {
                    outcome.problems.append(.init(field: stage.field, rule: "stage_exit", .about(stage.field, .stageUncheckable(error.described))))
                }
                if from != to { outcome.stageChange = (from, to) }
            }
        }
        for rule in model.rules {
            // A rule about a field whose value was already refused would only repeat that problem.
            let reads = Set(rule.references.map(\.column)).union(rule.rule.fields).union(rule.rule.field.map { [$0] } ?? [])
            if !reads.isDisjoint(with: broken) { continue }
            do {
                switch rule.check {
                case .holds, .requiredWhen:
                    outcome.problems += try rule.violations(in: env)
                case .duplicate(let match, let within):
                    // An edit that leaves the matched values as they were was checked when they were
                    // written. Skipping it also keeps background edits of a record (assignment, SLA
                    // marks) from queueing on the lock that new duplicates of it take.
                    if let old, match.allSatisfy({ old.fields[$0.name]?.bindText == record.fields[$0.name]?.bindText }) { continue }
                    try await duplicate(rule, match, within, id: id, record: record, old: old, env: env, outcome: &outcome, on: connection)
                case .noConflict(let condition):
                    try await conflict(rule, condition, id: id, env: env, outcome: &outcome, on: connection)
                }
            } catch let error as ExpressionError {
                // Not a violation of the rule's own message: the rule could not be decided.
                let field = rule.rule.fields.first
                let message = Message.ruleUncheckable(rule.name, error.described)
                outcome.problems.append(
                    .init(field: field, rule: rule.name, field.map { .about($0, message) } ?? message, extra: ["kind": .string("evaluation")]))
            }
        }
        // A field another check already refused (a required_when rule saying the same) is not refused twice.
        if let form = CompiledForm.applying(forms, atStage: CompiledForm.stage(of: old ?? record, field: model.stage?.field)) {
            let refused = broken.union(outcome.problems.compactMap(\.field))
            outcome.problems += form.violations(record: record, old: old, given: given, hidden: hidden, environment: env).filter {
                !refused.contains($0.field ?? "")
            }
        }
        return outcome
    }

    /// Reads the related records the rules, stage gates and forms look through (one hop) from
    /// `values` in `scopes`, as of this transaction.
    func loadRelated(into values: inout RecordValues, scopes: Set<FieldReference.Scope>, on connection: PostgresConnection) async throws {
        var columns: [String: String] = [:]  // relation column → target entity
        let references = model.expressionReferences
        for reference in references where scopes.contains(reference.scope) {
            if let hop = reference.hop { columns[reference.column] = hop.entity }
        }
        for (column, target) in columns.sorted(by: { $0.key < $1.key }) {
            guard case .string(let id)? = values.fields[column], let definition = model.related(target) else { continue }
            var b = SQLBuilder("SELECT row_to_json(h)::text FROM \(SQLIdentifier.qualified(schema, target)) h WHERE h.id = ")
            b.bind(.text(id), cast: "uuid")
            b.append(" AND h.deleted_at IS NULL")
            if let json = try await prepared.rows(b, on: connection, logger: logger).first?.decode(String.self),
                let parsed = try? JSONParser.parse(json)
            {
                values.related[column] = RecordValues(json: parsed, entity: definition).fields
            }
        }
    }

    private func duplicate(
        _ rule: CompiledRule, _ match: [FieldDefinition], _ within: Int64?, id: String, record: RecordValues, old: RecordValues?,
        env: ExpressionEnvironment, outcome: inout Outcome, on connection: PostgresConnection
    ) async throws {
        var texts: [String] = []
        for field in match {
            // Nulls never match: a record without a phone is nobody's duplicate.
            guard let text = record.fields[field.name]?.bindText, !text.isEmpty else { return }
            texts.append(text)
        }
        let table = SQLIdentifier.qualified(schema, model.name)
        // Two writers with the same values wait for each other, so both cannot pass as "new".
        var lock = SQLBuilder("SELECT pg_advisory_xact_lock(hashtextextended(concat_ws('|', ")
        lock.bind(.text("\(schema).\(model.name).\(rule.name)"), cast: "text")
        for (field, text) in zip(match, texts) {
            let value = lock.placeholder(.text(text), cast: ColumnType.cast(field.type))
            lock.append(", (" + DuplicateMatch.normalized(field, normalize: rule.rule.normalize, operand: value) + ")::text")
        }
        lock.append("), 0))")
        _ = try await prepared.rows(lock, on: connection, logger: logger)

        var b = SQLBuilder("SELECT o.id::text, row_to_json(o)::text FROM \(table) o WHERE o.deleted_at IS NULL AND o.id <> ")
        b.bind(.text(id), cast: "uuid")
        for (field, text) in zip(match, texts) {
            b.append(
                " AND " + DuplicateMatch.normalized(field, normalize: rule.rule.normalize, operand: "o." + SQLIdentifier.quote(field.name)) + " = ")
            let value = b.placeholder(.text(text), cast: ColumnType.cast(field.type))
            b.append(DuplicateMatch.normalized(field, normalize: rule.rule.normalize, operand: value))
        }
        if let within {
            b.append(" AND o.created_at >= ")
            b.bind(.text(TimeText.timestamp(env.now - within)), cast: "timestamptz")
        }
        let action = rule.rule.action ?? .block
        if action != .block, case .timestamp(let created)? = old?.fields["created_at"] {
            // A record is linked to (or flagged by) the one that came before it, never to a later one:
            // an edited first lead must not point at its own duplicate.
            b.append(" AND o.created_at < ")
            b.bind(.text(TimeText.timestamp(created)), cast: "timestamptz")
        }
        b.append(" ORDER BY o.created_at DESC LIMIT 1")
        guard let (existing, json) = try await prepared.rows(b, on: connection, logger: logger).first?.decode((String, String).self) else { return }
        switch action {
        case .block:
            outcome.problems.append(rule.violation(field: rule.rule.fields.first ?? match.first?.name, extra: ["duplicate_of": .string(existing)]))
        case .flag, .link:
            for (name, value) in rule.rule.set {
                guard let field = model.definition.field(name) else { continue }
                var ignored: [TesseraError.Detail] = []
                if let stored = ValueCoercer.coerce(value, for: field, problems: &ignored) {
                    outcome.additions.append(.init(field: field, value: stored))
                }
            }
            let members: [(String, JSONValue)] = if case .object(let m)? = try? JSONParser.parse(json) { m } else { [] }
            if !rule.rule.copy.isEmpty {
                for name in rule.rule.copy {
                    guard let field = model.definition.field(name), let value = members.first(where: { $0.0 == name })?.1 else { continue }
                    var ignored: [TesseraError.Detail] = []
                    if let stored = ValueCoercer.coerce(value, for: field, problems: &ignored), ignored.isEmpty {
                        outcome.additions.append(.init(field: field, value: stored))
                    }
                }
            }
            if rule.rule.action == .link, let link = rule.rule.linkField, let field = model.definition.field(link) {
                // Every duplicate points at the original, so "the duplicates of X" is one filter, not a chain.
                let original = members.first(where: { $0.0 == link })?.1.stringValue ?? existing
                outcome.additions.append(.init(field: field, value: .text(original)))
            }
        }
    }

    private func conflict(
        _ rule: CompiledRule, _ condition: CheckedExpression, id: String, env: ExpressionEnvironment,
        outcome: inout Outcome, on connection: PostgresConnection
    ) async throws {
        var b = SQLBuilder("SELECT o.id::text FROM \(SQLIdentifier.qualified(schema, model.name)) o WHERE o.deleted_at IS NULL AND o.id <> ")
        b.bind(.text(id), cast: "uuid")
        b.append(" AND ")
        try ExpressionSQL(schema: schema, rowScope: .other, alias: "o", environment: env).append(condition, to: &b, positive: true)
        b.append(" LIMIT 1")
        guard let other = try await prepared.rows(b, on: connection, logger: logger).first?.decode(String.self) else { return }
        outcome.problems.append(rule.violation(field: rule.rule.fields.first, extra: ["conflicts_with": .string(other)]))
    }
}
