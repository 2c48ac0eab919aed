import Foundation

/// Parses a data-API query string (`?stage=in.(lead,won)&order=amount.desc&limit=20`) against an entity.
public enum ListQueryParser {
    /// `related` resolves relation targets for `where=` expressions that follow a relation.
    public static func parse(
        _ pairs: [(String, String)], entity: EntityDefinition,
        related: @escaping @Sendable (String) -> EntityDefinition? = { _ in nil }
    ) throws(TesseraError) -> ListQuery {
        var query = ListQuery()
        var problems: [TesseraError.Detail] = []
        var orderText: String?
        var cursorText: String?
        for (name, value) in pairs {
            switch name {
            case "limit":
                guard let n = Int(value), n >= 1 else {
                    problems.append(.init(field: "limit", rule: "limit", .limitRange(max: ListQuery.maxLimit)))
                    continue
                }
                query.limit = min(n, ListQuery.maxLimit)
            case "order": orderText = value
            case "cursor": cursorText = value
            case "select":
                var columns: [String] = []
                for part in value.split(separator: ",") {
                    let name = part.trimmingCharacters(in: .whitespaces)
                    if Column.resolve(name, in: entity) == nil {
                        problems.append(.init(field: name, rule: "unknown_field", .selectNotAField(name, entity: entity.name)))
                    } else if !columns.contains(name) {
                        columns.append(name)
                    }
                }
                query.select = columns
            case "where":
                do {
                    query.conditions.append(
                        try CompiledExpression(value, in: ExpressionContext(entity: entity, relatedEntity: related), expecting: .bool))
                } catch {
                    problems.append(error.detail(property: "where"))
                }
            case "deleted":
                query.includeDeleted = value == "true" || value == "only"
            case "count":
                guard value == "exact" else {
                    problems.append(.init(field: "count", rule: "count", .countExact))
                    continue
                }
                query.exactCount = true
            default:
                guard let column = Column.resolve(name, in: entity) else {
                    problems.append(.init(field: name, rule: "unknown_field", .notAFieldNorParameter(name, entity: entity.name)))
                    continue
                }
                do {
                    query.filters.append(try filter(column, value))
                } catch {
                    problems += error.details
                }
            }
        }
        do { query.order = try order(orderText, entity: entity) } catch { problems += error.details }
        if let cursorText, problems.isEmpty {
            query.after = try decodeCursor(cursorText, signature: query.orderSignature, keys: query.order.count)
        }
        guard problems.isEmpty else {
            throw invalid(problems)
        }
        return query
    }

    static func order(_ text: String?, entity: EntityDefinition) throws(TesseraError) -> [ListQuery.OrderKey] {
        var keys: [ListQuery.OrderKey] = []
        var problems: [TesseraError.Detail] = []
        if let text, !text.isEmpty {
            for part in text.split(separator: ",") {
                let pieces = part.split(separator: ".").map(String.init)
                guard let name = pieces.first, let column = Column.resolve(name, in: entity) else {
                    problems.append(.init(field: "order", rule: "unknown_field", .orderNotAField(pieces.first ?? "", entity: entity.name)))
                    continue
                }
                guard column.type.isBtreeIndexable else {
                    problems.append(.init(field: "order", rule: "order", .orderType(type: column.type.rawValue, field: name)))
                    continue
                }
                var descending = false
                var nullsFirst: Bool?
                for modifier in pieces.dropFirst() {
                    switch modifier {
                    case "asc": descending = false
                    case "desc": descending = true
                    case "nullsfirst": nullsFirst = true
                    case "nullslast": nullsFirst = false
                    default:
                        problems.append(.init(field: "order", rule: "order", .orderModifier(modifier)))
                    }
                }
                if keys.contains(where: { $0.column.name == name }) { continue }
                keys.append(.init(column: column, descending: descending, nullsFirst: nullsFirst ?? descending))
            }
        }
        guard problems.isEmpty else { throw invalid(problems) }
        // The newest first by default; id (UUIDv7, time-ordered) breaks ties and makes the order total.
        let idDescending = keys.last?.descending ?? true
        if !keys.contains(where: { $0.column.name == "id" }) {
            // id is never null; NULLS FIRST is PostgreSQL's default for DESC, so the primary-key
            // (or (field, id)) index serves the order without a sort.
            keys.append(.init(column: Column.resolve("id", in: entity)!, descending: idDescending, nullsFirst: idDescending))
        }
        return keys
    }

    static func filter(_ column: Column, _ text: String) throws(TesseraError) -> Filter {
        var rest = Substring(text)
        var negated = false
        if rest.hasPrefix("not.") { negated = true; rest = rest.dropFirst(4) }
        guard let dot = rest.firstIndex(of: "."), let op = FilterOperator(rawValue: String(rest[..<dot])) else {
            throw problem(column, "filter", .expectedOperator(column.name, operators: FilterOperator.allCases.map(\.rawValue)))
        }
        let valueText = String(rest[rest.index(after: dot)...])
        let isArray = column.type == .multiSelect || column.type == .attachment
        switch op {
        case .is:
            let operand: Filter.Operand
            switch valueText {
            case "null": operand = .null
            case "not_null": operand = .notNull
            case "true" where column.type == .boolean: operand = .isTrue
            case "false" where column.type == .boolean: operand = .isFalse
            default: throw problem(column, "filter", .isTakes)
            }
            return Filter(column: column, op: op, negated: negated, operand: operand)
        case .in:
            guard !isArray else { throw problem(column, "filter", .useContains(type: column.type.rawValue)) }
            let items = try list(valueText, open: "(", close: ")", column: column)
            guard items.count <= 1000 else { throw problem(column, "filter", .inLimit) }
            return Filter(column: column, op: op, negated: negated, operand: .list(try items.map { v throws(TesseraError) in try scalar(column, v) }))
        case .cs, .ov:
            guard isArray else { throw problem(column, "filter", .containsOnArrays) }
            let items = try list(valueText, open: "{", close: "}", column: column)
            if column.type == .multiSelect, let field = column.field {
                for item in items where field.option(item) == nil {
                    throw problem(column, "option", .filterNotOption(item))
                }
            }
            return Filter(column: column, op: op, negated: negated, operand: .value(.textArray(items)))
        case .like, .ilike:
            guard [.text, .longText, .email, .phone, .url, .autoNumber, .select].contains(column.type) else {
                throw problem(column, "filter", .likeOnText)
            }
            return Filter(column: column, op: op, negated: negated, operand: .value(.text(valueText.replacingOccurrences(of: "*", with: "%"))))
        default:
            guard !isArray, column.type != .location else {
                throw problem(column, "filter", .operatorOnArray(op.rawValue, type: column.type.rawValue))
            }
            return Filter(column: column, op: op, negated: negated, operand: .value(try scalar(column, valueText)))
        }
    }

    /// Coerces a filter value from text by column type (no range or length checks: filters may ask anything).
    static func scalar(_ column: Column, _ text: String) throws(TesseraError) -> StoredValue {
        switch column.type {
        case .number:
            guard let i = Int64(text) else { throw problem(column, "type", .notWhole(text)) }
            return .integer(i)
        case .decimal, .money, .percent:
            guard ValueCoercer.isDecimalText(text) else { throw problem(column, "type", .notNumber(text)) }
            return .text(text)
        case .boolean:
            guard text == "true" || text == "false" else { throw problem(column, "type", .expectedTrueFalse) }
            return .bool(text == "true")
        case .date:
            guard DateTimeText.isValidDate(text) else { throw problem(column, "type", .notDate(text)) }
            return .text(text)
        case .datetime:
            guard DateTimeText.isValidDateTime(text) || DateTimeText.isValidDate(text) else {
                throw problem(column, "type", .notDateTime(text))
            }
            return .text(text)
        case .user, .relation:
            guard let id = UUIDText.normalized(text) else { throw problem(column, "type", .notID(text)) }
            return .text(id)
        case .select:
            guard column.field?.option(text) != nil else { throw problem(column, "option", .filterNotOption(text)) }
            return .text(text)
        default:
            return .text(text)
        }
    }

    /// Splits `(a,b,"c,d")` or `{a,b}`; double quotes protect commas, backslash escapes.
    static func list(_ text: String, open: Character, close: Character, column: Column) throws(TesseraError) -> [String] {
        guard text.first == open, text.last == close, text.count >= 2 else {
            throw problem(column, "filter", .expectedList(open: String(open), close: String(close)))
        }
        var items: [String] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        var escaping = false
        for c in text.dropFirst().dropLast() {
            if escaping { current.append(c); escaping = false; continue }
            switch c {
            case "\\": escaping = true
            case "\"": quoted.toggle(); wasQuoted = true
            case "," where !quoted:
                items.append(current); current = ""; wasQuoted = false
            default: current.append(c)
            }
        }
        guard !quoted else { throw problem(column, "filter", .unterminatedQuote) }
        if !current.isEmpty || wasQuoted || !items.isEmpty { items.append(current) }
        return items
    }

    static func problem(_ column: Column, _ rule: String, _ message: Message) -> TesseraError {
        invalid([.init(field: column.name, rule: rule, .about(column.name, message))])
    }

    /// 400 `invalid_query`: the one problem's message, or how many there are.
    static func invalid(_ problems: [TesseraError.Detail]) -> TesseraError {
        guard problems.count != 1 else {
            var error = TesseraError.badRequest(problems[0].message, code: "invalid_query", details: problems)
            error.texts = problems[0].texts
            return error
        }
        return .badRequest(.queryProblems(problems.count), code: "invalid_query", details: problems)
    }

    // MARK: Cursor

    /// An opaque cursor: base64url of `{"o": order signature, "v": [last row's key values]}`.
    public static func encodeCursor(signature: String, values: [String?]) -> String {
        let json = JSONValue.object([("o", .string(signature)), ("v", .array(values.map { $0.map(JSONValue.string) ?? .null }))])
        return Data(JSONWriter.string(json).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decodeCursor(_ text: String, signature: String, keys: Int) throws(TesseraError) -> [String?] {
        let invalid = TesseraError.badRequest(.invalidCursor, code: "invalid_cursor")
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard text.count <= 4096, let data = Data(base64Encoded: base64), let json = try? JSONParser.parse(Array(data)),
            json["o"] == .string(signature), case .array(let values)? = json["v"], values.count == keys
        else { throw invalid }
        var out: [String?] = []
        for value in values {
            switch value {
            case .null: out.append(nil)
            case .string(let s): out.append(s)
            default: throw invalid
            }
        }
        return out
    }
}
