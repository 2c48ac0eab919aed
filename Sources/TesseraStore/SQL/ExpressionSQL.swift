import TesseraCore

/// Compiles checked expressions to SQL over table rows (each scope read from a row has an alias,
/// usually `record` → `q`). Whatever does not depend on those rows (constants, `now()`, `user.*`, the other records in scope) is evaluated in Swift
/// and bound as a parameter, so SQL and Swift evaluation read the same values; identifiers go
/// through `SQLIdentifier`. `positive` marks places where unknown and false both reject the row
/// (a WHERE conjunct), where index-friendly forms are equivalent.
struct ExpressionSQL {
    let schema: String
    /// The scopes read from table rows, with the alias of each row in the surrounding SQL.
    let rows: [FieldReference.Scope: String]
    let environment: ExpressionEnvironment

    init(schema: String, rowScope: FieldReference.Scope = .record, alias: String = "q", environment: ExpressionEnvironment) {
        self.init(schema: schema, rows: [rowScope: alias], environment: environment)
    }

    init(schema: String, rows: [FieldReference.Scope: String], environment: ExpressionEnvironment) {
        self.schema = schema
        self.rows = rows
        self.environment = environment
        rowScopes = Set(rows.keys)
    }

    private let rowScopes: Set<FieldReference.Scope>

    func append(_ e: CheckedExpression, to b: inout SQLBuilder, positive: Bool = false) throws(ExpressionError) {
        if e.isInvariant(over: rowScopes) {
            bindValue(try ExpressionEvaluator.evaluate(e, in: environment), type: e.type, to: &b)
            return
        }
        switch e.kind {
        case .constant, .user, .now:
            bindValue(try ExpressionEvaluator.evaluate(e, in: environment), type: e.type, to: &b)
        case .field(let reference):
            appendColumn(reference, to: &b)
        case .not(let a):
            b.append("(NOT ")
            try append(a, to: &b)
            b.append(")")
        case .negate(let a):
            b.append("(- ")
            try append(a, to: &b)
            b.append(")")
        case .and(let l, let r), .or(let l, let r):
            let isAnd = if case .and = e.kind { true } else { false }
            b.append("(")
            try append(l, to: &b, positive: positive)
            b.append(isAnd ? " AND " : " OR ")
            try append(r, to: &b, positive: positive)
            b.append(")")
        case .equal(let l, let r, let negated):
            try appendEquality(l, r, negated: negated, positive: positive, to: &b)
        case .compare(let op, let l, let r):
            if try appendNativeComparison(op.rawValue, l, r, to: &b) { return }
            b.append("(")
            try append(l, to: &b)
            b.append(" \(op.rawValue) ")
            try append(r, to: &b)
            if l.type == .string { b.append(" COLLATE \"C\"") }
            b.append(")")
        case .arithmetic(let op, let l, let r):
            try appendArithmetic(op, l, r, type: e.type, to: &b)
        case .conditional(let c, let l, let r):
            b.append("(CASE WHEN ")
            try append(c, to: &b)
            b.append(" THEN ")
            try append(l, to: &b)
            b.append(" ELSE ")
            try append(r, to: &b)
            b.append(" END)")
        case .list(let items):
            b.append("ARRAY[")
            for (i, item) in items.enumerated() {
                if i > 0 { b.append(", ") }
                try append(item, to: &b)
            }
            b.append("]::\(Self.sqlType(e.type))")
        case .contains(let list, let element):
            try appendContains(list, element, positive: positive, to: &b)
        case .toDouble(let a):
            b.append("(")
            try append(a, to: &b)
            b.append(")::float8")
        case .has(let a):
            // has() is never unknown: a null field is simply absent.
            switch a.type {
            case .string:
                b.append("coalesce(")
                try append(a, to: &b)
                b.append(" <> '', false)")
            case .list:
                b.append("(coalesce(cardinality(")
                try append(a, to: &b)
                b.append("), 0) > 0)")
            default:
                b.append("(")
                try append(a, to: &b)
                b.append(" IS NOT NULL)")
            }
        case .size(let a):
            b.append(a.type == .string ? "coalesce(char_length(" : "coalesce(cardinality(")
            try append(a, to: &b)
            b.append("), 0)::bigint")
        case .text(let test, let l, let r):
            switch test {
            case .contains:
                b.append("(")
                try appendCall("strpos", [l, r], to: &b)
                b.append(" > 0)")
            case .startsWith:
                try appendCall("starts_with", [l, r], to: &b)
            case .endsWith:
                b.append("(right(")
                try append(l, to: &b)
                b.append(", char_length(")
                try append(r, to: &b)
                b.append(")) = ")
                try append(r, to: &b)
                b.append(")")
            }
        case .matches(let a, let regex):
            b.append("(")
            try append(a, to: &b)
            b.append(" ~ ")
            b.bind(.text(regex.postgresPattern), cast: "text")
            b.append(")")
        case .localDate(let a):
            try appendInTimeZone(a, cast: "", to: &b)
            b.append("::date")
        case .midnight(let a):
            try appendInTimeZone(a, cast: "::timestamp", to: &b)
        case .truncate(let a):
            try appendCall("trunc", [a], to: &b)
            b.append("::bigint")
        case .toText(let a):
            b.append("(")
            try append(a, to: &b)
            b.append(")::text")
        case .distance(let l, let r):
            try appendDistance(l, r, to: &b)
        case .locationPart(let a, let part):
            b.append("((")
            try append(a, to: &b)
            b.append(part == .address ? ")->>'address')" : ")->>'\(part.rawValue)')::float8")
        case .workingDays(let a, let days, let backward):
            try WorkingDaysSQL.append(
                date: e.type == .date, calendar: environment.calendar, zone: environment.timeZone.identifier, to: &b,
                value: { (b: inout SQLBuilder) throws(ExpressionError) in try append(a, to: &b) },
                days: { (b: inout SQLBuilder) throws(ExpressionError) in
                    if backward { b.append("- ") }
                    try append(days, to: &b)
                })
        }
    }

    /// `((value)cast AT TIME ZONE <tenant zone>)`: a timestamp's local time, or a local time's instant.
    private func appendInTimeZone(_ value: CheckedExpression, cast: String, to b: inout SQLBuilder) throws(ExpressionError) {
        b.append("((")
        try append(value, to: &b)
        b.append(")\(cast) AT TIME ZONE ")
        b.bind(.text(environment.timeZone.identifier), cast: "text")
        b.append(")")
    }

    /// `name(arg, arg…)` with each argument compiled.
    private func appendCall(_ name: String, _ arguments: [CheckedExpression], to b: inout SQLBuilder) throws(ExpressionError) {
        b.append(name + "(")
        for (i, argument) in arguments.enumerated() {
            if i > 0 { b.append(", ") }
            try append(argument, to: &b)
        }
        b.append(")")
    }

    // MARK: columns and values

    /// The row's column (or the related row's, through a scalar subquery), read as the expression type.
    private func appendColumn(_ reference: FieldReference, to b: inout SQLBuilder) {
        var column = (rows[reference.scope] ?? "q") + "." + SQLIdentifier.quote(reference.column)
        if let hop = reference.hop {
            column =
                "(SELECT h.\(SQLIdentifier.quote(hop.column)) FROM \(SQLIdentifier.qualified(schema, hop.entity)) h"
                + " WHERE h.id = \(column) AND h.deleted_at IS NULL)"
        }
        b.append(column + Self.conversion(reference.type))
    }

    /// How a column's PostgreSQL type becomes the expression type (numeric reads as double, ids as text).
    static func conversion(_ type: FieldType) -> String {
        switch type {
        case .decimal, .money, .percent: "::float8"
        case .user, .relation: "::text"
        case .attachment: "::text[]"
        default: ""
        }
    }

    static func sqlType(_ type: ExpressionType) -> String {
        switch type {
        case .bool: "boolean"
        case .int: "bigint"
        case .double: "float8"
        case .string, .null: "text"
        case .timestamp: "timestamptz"
        case .duration: "interval"
        case .date: "date"
        case .location: "jsonb"
        case .workingDays: "int"
        case .list(let element): sqlType(element) + "[]"
        }
    }

    private func bindValue(_ value: ExpressionValue, type: ExpressionType, to b: inout SQLBuilder) {
        switch value {
        case .null: b.append("NULL::" + Self.sqlType(type))
        case .bool(let v): b.bind(.bool(v), cast: "boolean")
        case .int(let v): b.bind(.integer(v), cast: "bigint")
        case .double(let v): b.bind(.text(String(v)), cast: "float8")
        case .string(let v): b.bind(.text(v), cast: "text")
        case .timestamp(let v): b.bind(.text(TimeText.timestamp(v)), cast: "timestamptz")
        case .duration(let v):
            b.append("(")
            b.bind(.integer(v), cast: "bigint")
            b.append(" * interval '1 microsecond')")
        case .date(let v): b.bind(.text(TimeText.date(v)), cast: "date")
        case .location(let lat, let lng, let address):
            var members: [(String, JSONValue)] = [("lat", .number(String(lat))), ("lng", .number(String(lng)))]
            if let address { members.append(("address", .string(address))) }
            var json = ""
            JSONWriter.write(.object(members), into: &json)
            b.bind(.json(json), cast: "jsonb")
        case .list(let items):
            guard case .list(let element) = type else { b.append("NULL::text[]"); return }
            if let texts = Self.texts(items) {
                b.bind(.textArray(texts), cast: Self.sqlType(type))
            } else {
                b.append("ARRAY[")
                for (i, item) in items.enumerated() {
                    if i > 0 { b.append(", ") }
                    bindValue(item, type: element, to: &b)
                }
                b.append("]::" + Self.sqlType(type))
            }
        }
    }

    /// A list's elements as the text PostgreSQL reads them, when none is null or a duration.
    private static func texts(_ items: [ExpressionValue]) -> [String]? {
        var texts: [String] = []
        for item in items {
            switch item {
            case .string(let s): texts.append(s)
            case .int(let i): texts.append(String(i))
            case .double(let d): texts.append(String(d))
            case .bool(let v): texts.append(v ? "true" : "false")
            case .timestamp(let t): texts.append(TimeText.timestamp(t))
            case .date(let d): texts.append(TimeText.date(d))
            default: return nil
            }
        }
        return texts
    }

    /// A plain column of a row (no hop), whose native type can be compared with a bound value.
    private func plainColumn(_ e: CheckedExpression) -> FieldReference? {
        guard case .field(let reference) = e.kind, rows[reference.scope] != nil, reference.hop == nil else { return nil }
        return reference
    }

    private func alias(_ reference: FieldReference) -> String { rows[reference.scope] ?? "q" }

    /// The value bound in the column's own type, so the comparison can use the column's index.
    /// Nil when the value has no exact form in that type (an id that is not a canonical UUID).
    private static func native(_ value: ExpressionValue, for type: FieldType) -> (StoredValue, String)? {
        switch (value, type) {
        case (.string(let s), .user), (.string(let s), .relation):
            guard UUIDText.normalized(s) == s else { return nil }
            return (.text(s), "uuid")
        case (.double(let d), .decimal), (.double(let d), .money), (.double(let d), .percent):
            return (.text(String(d)), "numeric")
        case (.int(let i), .decimal), (.int(let i), .money), (.int(let i), .percent):
            return (.text(String(i)), "numeric")
        default: return nil
        }
    }

    /// `column op value` in the column's type when one side is a plain column and the other
    /// does not depend on the row. Returns false when that form does not apply.
    private func appendNativeComparison(
        _ op: String, _ l: CheckedExpression, _ r: CheckedExpression, to b: inout SQLBuilder
    ) throws(ExpressionError) -> Bool {
        var (column, other, symbol) = (plainColumn(l), r, op)
        if column == nil {
            column = plainColumn(r)
            other = l
            symbol =
                switch op {
                case "<": ">";
                case "<=": ">=";
                case ">": "<";
                case ">=": "<=";
                default: op
                }
        }
        guard let column, other.isInvariant(over: rowScopes) else { return false }
        let value = try ExpressionEvaluator.evaluate(other, in: environment)
        guard !value.isNull, let (stored, cast) = Self.native(value, for: column.type), !(cast == "uuid" && op != "=") else { return false }
        b.append("(\(alias(column)).\(SQLIdentifier.quote(column.column)) \(symbol) ")
        b.bind(stored, cast: cast)
        b.append(")")
        return true
    }

    private func appendEquality(
        _ l: CheckedExpression, _ r: CheckedExpression, negated: Bool, positive: Bool, to b: inout SQLBuilder
    ) throws(ExpressionError) {
        let (varying, fixed) = r.isInvariant(over: rowScopes) ? (l, r) : (l.isInvariant(over: rowScopes) ? (r, l) : (l, nil))
        if let fixed {
            let value = try ExpressionEvaluator.evaluate(fixed, in: environment)
            if value.isNull {
                b.append("(")
                try append(varying, to: &b)
                b.append(negated ? " IS NOT NULL)" : " IS NULL)")
                return
            }
            if positive, !negated {
                // Unknown and false both reject the row here, so plain `=` (indexable) is exact.
                if try appendNativeComparison("=", varying, fixed, to: &b) { return }
                b.append("(")
                try append(varying, to: &b)
                b.append(" = ")
                bindValue(value, type: fixed.type, to: &b)
                b.append(")")
                return
            }
        }
        b.append("(")
        try append(l, to: &b)
        b.append(negated ? " IS DISTINCT FROM " : " IS NOT DISTINCT FROM ")
        try append(r, to: &b)
        b.append(")")
    }

    private func appendContains(
        _ list: CheckedExpression, _ element: CheckedExpression, positive: Bool, to b: inout SQLBuilder
    ) throws(ExpressionError) {
        // Swift: a null element is never found, null items never match; `= ANY` gives unknown there.
        b.append(positive ? "(" : "coalesce(")
        if let column = plainColumn(element), list.isInvariant(over: rowScopes),
            case .list(let items) = try ExpressionEvaluator.evaluate(list, in: environment),
            let natives = Optional(items.compactMap { Self.native($0, for: column.type) }), natives.count == items.count, !items.isEmpty
        {
            b.append("\(alias(column)).\(SQLIdentifier.quote(column.column)) = ANY(")
            b.bind(.textArray(natives.map { RecordSQL.text($0.0) }), cast: natives[0].1 + "[]")
            b.append(")")
        } else {
            try append(element, to: &b)
            b.append(" = ANY(")
            try append(list, to: &b)
            b.append(")")
        }
        b.append(positive ? ")" : ", false)")
    }

    private func appendArithmetic(
        _ op: BinaryOperator, _ l: CheckedExpression, _ r: CheckedExpression, type: ExpressionType, to b: inout SQLBuilder
    ) throws(ExpressionError) {
        b.append("(")
        switch (l.type, r.type) {
        case (.date, .int), (.int, .date):
            // date ± integer needs int4 in PostgreSQL.
            try append(l, to: &b)
            if l.type == .int { b.append("::int4") }
            b.append(" \(op.rawValue) ")
            try append(r, to: &b)
            if r.type == .int { b.append("::int4") }
        case (.date, .date):
            try append(l, to: &b)
            b.append(" - ")
            try append(r, to: &b)
            b.append(")::bigint")
            return
        case _ where op == .divide || op == .remainder:
            // x / 0 is null, as in Swift evaluation.
            try append(l, to: &b)
            b.append(" \(op.rawValue) NULLIF(")
            try append(r, to: &b)
            b.append(r.type == .double ? ", 0::float8)" : ", 0::bigint)")
        default:
            try append(l, to: &b)
            b.append(type == .string ? " || " : " \(op.rawValue) ")
            try append(r, to: &b)
        }
        b.append(")")
    }

    /// Haversine, operation for operation as `ExpressionEvaluator.distance` computes it.
    private func appendDistance(_ l: CheckedExpression, _ r: CheckedExpression, to b: inout SQLBuilder) throws(ExpressionError) {
        func part(_ e: CheckedExpression, _ key: String, _ b: inout SQLBuilder) throws(ExpressionError) {
            b.append("((")
            try append(e, to: &b)
            b.append(")->>'\(key)')::float8")
        }
        let radians = "0.0174532925199432957692::float8"
        func halfSine(_ key: String, _ b: inout SQLBuilder) throws(ExpressionError) {
            b.append("sin(((")
            try part(r, key, &b)
            b.append(" - ")
            try part(l, key, &b)
            b.append(") * \(radians)) / 2::float8)")
        }
        // No clamp: LEAST would turn a null distance into asin(1).
        b.append("(2::float8 * 6371008.8::float8 * asin(sqrt(")
        try halfSine("lat", &b); b.append(" * "); try halfSine("lat", &b)
        b.append(" + cos("); try part(l, "lat", &b); b.append(" * \(radians)) * cos("); try part(r, "lat", &b); b.append(" * \(radians))")
        b.append(" * ("); try halfSine("lng", &b); b.append(" * "); try halfSine("lng", &b); b.append(")")
        b.append(")))")
    }
}
