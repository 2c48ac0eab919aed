import TesseraCore

/// The count query behind a `RowCheck`, and the refusal to give when rows fail it.
struct RowCheckQuery {
    let sql: SQLBuilder
    let refusal: (Int) -> TesseraError

    static func make(_ check: RowCheck, entity: String, schema: String) -> RowCheckQuery? {
        var b = SQLBuilder("SELECT count(*) FROM \(SQLIdentifier.qualified(schema, entity)) WHERE ")
        let refusal: (Int) -> TesseraError
        switch check {
        case .noRecords:
            b.append("true")
            refusal = { n in
                .definitionConflict(
                    .entityNotEmpty(entity, count: n), code: "entity_not_empty",
                    details: [.definition(field: nil, rule: "not_empty", .recordCount(n), extra: ["count": .number(n)])])
            }
        case .noDuplicates(let field):
            let c = SQLIdentifier.quote(field.name)
            b = SQLBuilder(
                """
                SELECT coalesce(sum(n), 0)::bigint FROM (SELECT count(*) AS n FROM \(SQLIdentifier.qualified(schema, entity)) WHERE deleted_at \
                IS NULL AND \(c) IS NOT NULL GROUP BY \(c) HAVING count(*) > 1) d WHERE 
                """
            )
            b.append("true")
            refusal = { n in
                .definitionConflict(
                    .duplicateValues(n, field: field.name), code: "duplicate_values",
                    details: [.definition(field: field.name, rule: "unique", .recordsDuplicate(n), extra: ["count": .number(n)])])
            }
        case .optionsUnused(let field, let keys):
            let c = SQLIdentifier.quote(field.name)
            if field.type == .multiSelect {
                b.append("\(c) && ")
                b.bind(.textArray(keys), cast: "text[]")
            } else {
                b.append("\(c) = ANY(")
                b.bind(.textArray(keys), cast: "text[]")
                b.append(")")
            }
            refusal = { n in
                .definitionConflict(
                    .optionsInUse(n, keys: keys, field: field.name), code: "option_in_use",
                    details: [
                        .definition(
                            field: field.name, rule: "option_in_use", .recordsUseOptions(n, keys),
                            extra: ["count": .number(n), "options": .array(keys.map { .string($0) })])
                    ])
            }
        case .convertible(let from, let to):
            guard let condition = unconvertible(from: from, to: to, builder: &b) else { return nil }
            _ = condition
            refusal = { n in
                .definitionConflict(
                    .unconvertible(n, field: from.name, type: to.type.rawValue), code: "incompatible_data",
                    details: [.definition(field: from.name, rule: "type_change", .recordsUnconvertible(n), extra: ["count": .number(n)])])
            }
        case .withinConstraints(let field):
            guard violates(field, builder: &b) else { return nil }
            refusal = { n in
                .definitionConflict(
                    .outsideLimits(n, field: field.name), code: "incompatible_data",
                    details: [.definition(field: field.name, rule: "constraint", .recordsOutsideLimits(n), extra: ["count": .number(n)])])
            }
        }
        return RowCheckQuery(sql: b, refusal: refusal)
    }

    /// Appends a condition true for rows that cannot convert; nil when every row converts.
    private static func unconvertible(from: FieldDefinition, to: FieldDefinition, builder b: inout SQLBuilder) -> Bool? {
        let c = SQLIdentifier.quote(from.name)
        func regex(_ pattern: String, caseInsensitive: Bool = false) {
            b.append("\(c) IS NOT NULL AND trim(\(c)::text) \(caseInsensitive ? "!~*" : "!~") ")
            b.bind(.text(pattern))
        }
        let textual: Set<FieldType> = [.text, .longText, .email, .phone, .url, .select, .autoNumber]
        switch to.type {
        case .text, .longText, .email, .phone, .url:
            let source = from.type == .multiSelect ? "array_to_string(\(c), ',')" : (textual.contains(from.type) ? c : c + "::text")
            var parts: [String] = []
            if let max = to.effectiveMaxLength { parts.append("char_length(\(source)) > \(max)") }
            switch to.type {
            case .email: parts.append("\(source) !~ '^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$'")
            case .phone: parts.append("\(source) !~ '^\\+?[0-9 ()-]{5,}$'")
            case .url: parts.append("\(source) !~* '^https?://[^[:space:]/]+'")
            default: break
            }
            guard !parts.isEmpty else { return nil }
            b.append("\(c) IS NOT NULL AND (" + parts.joined(separator: " OR ") + ")")
        case .number:
            if from.type.isNumeric { b.append("\(c) <> trunc(\(c)) OR abs(\(c)) > 9e18") } else { regex("^[-+]?[0-9]{1,18}$") }
        case .decimal, .percent:
            if from.type.isNumeric { return nil }
            regex("^[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)$")
        case .money:
            if from.type.isNumeric { b.append("\(c) <> round(\(c), 2) OR abs(\(c)) >= 1e16") } else { regex("^[-+]?[0-9]{1,16}(\\.[0-9]{0,2})?$") }
        case .boolean:
            b.append("\(c) IS NOT NULL AND lower(trim(\(c))) NOT IN ('true', 'false')")
        case .date:
            if from.type == .datetime { return nil }
            regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
        case .datetime:
            if from.type == .date { return nil }
            regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$", caseInsensitive: true)
        case .select:
            b.append("\(c) IS NOT NULL AND NOT (\(c)::text = ANY(")
            b.bind(.textArray(to.options.map(\.key)), cast: "text[]")
            b.append("))")
        case .multiSelect:
            b.append("\(c) IS NOT NULL AND NOT (\(c)::text = ANY(")
            b.bind(.textArray(to.options.map(\.key)), cast: "text[]")
            b.append("))")
        default:
            return nil
        }
        return true
    }

    /// Appends a condition true for rows outside the field's limits; false when there are no limits.
    private static func violates(_ field: FieldDefinition, builder b: inout SQLBuilder) -> Bool {
        let c = SQLIdentifier.quote(field.name)
        var parts: [String] = []
        switch field.type {
        case .text, .longText, .email, .phone, .url:
            if let max = field.effectiveMaxLength { parts.append("char_length(\(c)) > \(max)") }
        case .number, .decimal, .money, .percent:
            if let min = field.min { parts.append("\(c) < \(JSONWriter.string(.number(min)))") }
            if let max = field.max { parts.append("\(c) > \(JSONWriter.string(.number(max)))") }
        case .multiSelect:
            if let max = field.maxSelections { parts.append("cardinality(\(c)) > \(max)") }
        case .attachment:
            if let max = field.maxCount { parts.append("cardinality(\(c)) > \(max)") }
        default: break
        }
        guard !parts.isEmpty else { return false }
        b.append(parts.joined(separator: " OR "))
        return true
    }
}
