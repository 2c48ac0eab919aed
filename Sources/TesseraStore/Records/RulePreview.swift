import TesseraCore

/// The SQL that finds existing records violating a rule, for its impact preview: the same
/// meaning as the check on writes, over the stored records (`old` reads the record as it is).
struct RulePreview {
    let schema: String
    let model: EntityModel
    let environment: ExpressionEnvironment

    var table: String { SQLIdentifier.qualified(schema, model.name) }

    /// `… WHERE <live> AND <violates>` for count or for a sample of ids.
    func query(_ rule: CompiledRule, count: Bool, sample: Int = 10) throws(ExpressionError) -> SQLBuilder {
        var b = SQLBuilder(
            count
                ? "SELECT count(*) FROM \(table) q WHERE q.deleted_at IS NULL AND "
                : "SELECT q.id::text FROM \(table) q WHERE q.deleted_at IS NULL AND ")
        try appendViolation(rule, to: &b)
        if !count { b.append(" ORDER BY q.id DESC LIMIT \(sample)") }
        return b
    }

    private func appendViolation(_ rule: CompiledRule, to b: inout SQLBuilder) throws(ExpressionError) {
        let rows = ExpressionSQL(schema: schema, rows: [.record: "q", .old: "q"], environment: environment)
        switch rule.check {
        case .holds(let e):
            b.append("(")
            try rows.append(e, to: &b)
            b.append(") IS FALSE")
        case .requiredWhen(let when, let fields):
            b.append("(")
            try rows.append(when, to: &b)
            b.append(") IS TRUE AND (")
            for (i, name) in fields.enumerated() {
                if i > 0 { b.append(" OR ") }
                guard let column = Column.resolve(name, in: model.definition) else { continue }
                let reference = FieldReference(scope: .record, column: name, columnType: column.type)
                let value = CheckedExpression(.field(reference), .of(column.type), at: .init(line: 1, column: 1))
                b.append("NOT ")
                try rows.append(CheckedExpression(.has(value), .bool, at: value.position), to: &b)
            }
            b.append(")")
        case .duplicate(let match, let within):
            // The later of two matching records is the duplicate; records written by one request
            // share created_at, and their time-ordered ids break the tie.
            b.append("EXISTS (SELECT 1 FROM \(table) o WHERE o.deleted_at IS NULL AND (o.created_at, o.id) < (q.created_at, q.id)")
            for field in match {
                let mine = DuplicateMatch.normalized(field, normalize: rule.rule.normalize, operand: "q." + SQLIdentifier.quote(field.name))
                let theirs = DuplicateMatch.normalized(field, normalize: rule.rule.normalize, operand: "o." + SQLIdentifier.quote(field.name))
                b.append(" AND \(theirs) = \(mine)")
            }
            if let within {
                b.append(" AND o.created_at >= q.created_at - (")
                b.bind(.integer(within), cast: "bigint")
                b.append(" * interval '1 microsecond')")
            }
            b.append(")")
        case .noConflict(let e):
            b.append("EXISTS (SELECT 1 FROM \(table) o WHERE o.deleted_at IS NULL AND o.id <> q.id AND ")
            try ExpressionSQL(schema: schema, rows: [.record: "q", .other: "o"], environment: environment).append(e, to: &b, positive: true)
            b.append(")")
        }
    }
}
