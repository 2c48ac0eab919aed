/// Checks a JSON value against a field's type and constraints and turns it into a `StoredValue`.
/// Problems name the field and the rule; checks that need the database (relation targets,
/// users, files, uniqueness) happen in the store.
public enum ValueCoercer {
    public static func coerce(_ value: JSONValue, for field: FieldDefinition, problems: inout [TesseraError.Detail]) -> StoredValue? {
        func fail(_ rule: String, _ message: String, _ extra: [String: JSONValue] = [:]) -> StoredValue? {
            problems.append(.init(field: field.name, rule: rule, message: "\(field.name): \(message)", extra: extra))
            return nil
        }
        if value.isNull { return .null }
        switch field.type {
        case .text, .longText, .email, .phone, .url:
            guard case .string(let s) = value else { return fail("type", "expected a string, got \(value.typeName)") }
            if let max = field.effectiveMaxLength, s.count > max {
                return fail("max_length", "must be at most \(max) characters (got \(s.count))", ["max": .number(max)])
            }
            switch field.type {
            case .email where !isEmail(s): return fail("email", "'\(s)' is not an email address")
            case .phone where !isPhone(s):
                return fail("phone", "'\(s)' is not a phone number (digits, optional leading +, spaces, - and parentheses)")
            case .url where !isURL(s): return fail("url", "'\(s)' is not an http(s) URL")
            default: return .text(s)
            }
        case .number:
            guard case .number(let text) = value else { return fail("type", "expected a whole number, got \(value.typeName)") }
            guard let i = Int64(text) ?? exactInteger(text) else { return fail("type", "expected a whole number, got \(text)") }
            if let problem = rangeProblem(Double(i), field) { return fail("range", problem) }
            return .integer(i)
        case .decimal, .money, .percent:
            let text: String
            switch value {
            case .number(let n): text = n
            case .string(let s) where isDecimalText(s): text = s
            default: return fail("type", "expected a number, got \(value.typeName)")
            }
            if field.type == .money {
                if text.contains(where: { $0 == "e" || $0 == "E" }) { return fail("type", "write money without an exponent") }
                if let dot = text.firstIndex(of: "."), text[text.index(after: dot)...].count > 2 {
                    return fail("scale", "money has at most 2 decimal places (got \(text))")
                }
                let integerDigits = text.prefix(while: { $0 != "." }).filter(\.isNumber).count
                if integerDigits > 16 { return fail("range", "is too large for a money amount") }
            } else if text.filter(\.isNumber).count > 30 {
                return fail("range", "has more than 30 digits")
            }
            guard let d = Double(text), d.isFinite else { return fail("type", "expected a number, got \(text)") }
            if let problem = rangeProblem(d, field) { return fail("range", problem) }
            return .text(text)
        case .boolean:
            guard case .bool(let b) = value else { return fail("type", "expected true or false, got \(value.typeName)") }
            return .bool(b)
        case .date:
            guard case .string(let s) = value, DateTimeText.isValidDate(s) else { return fail("date", "expected a date like 2026-11-23") }
            return .text(s)
        case .datetime:
            guard case .string(let s) = value, DateTimeText.isValidDateTime(s) else {
                return fail("datetime", "expected an RFC 3339 date-time with a time zone, like 2026-11-23T09:30:00+08:00")
            }
            return .text(s)
        case .select:
            guard case .string(let key) = value else { return fail("type", "expected an option key (string), got \(value.typeName)") }
            guard field.option(key) != nil else {
                return fail("option", "'\(key)' is not an option; use one of: \(field.options.map(\.key).joined(separator: ", "))")
            }
            return .text(key)
        case .multiSelect:
            guard case .array(let elements) = value else { return fail("type", "expected an array of option keys, got \(value.typeName)") }
            var keys: [String] = []
            for element in elements {
                guard case .string(let key) = element else { return fail("type", "expected an array of option keys") }
                guard field.option(key) != nil else {
                    return fail("option", "'\(key)' is not an option; use one of: \(field.options.map(\.key).joined(separator: ", "))")
                }
                guard !keys.contains(key) else { return fail("duplicate", "'\(key)' is selected twice") }
                keys.append(key)
            }
            if let max = field.maxSelections, keys.count > max {
                return fail("max_selections", "at most \(max) may be selected (got \(keys.count))", ["max": .number(max)])
            }
            return .textArray(keys)
        case .user, .relation:
            guard case .string(let s) = value, let id = UUIDText.normalized(s) else {
                return fail("type", "expected a record id (UUID)")
            }
            return .text(id)
        case .attachment:
            guard case .array(let elements) = value else { return fail("type", "expected an array of file ids") }
            var ids: [String] = []
            for element in elements {
                guard case .string(let s) = element, let id = UUIDText.normalized(s) else {
                    return fail("type", "expected an array of file ids (UUIDs)")
                }
                guard !ids.contains(id) else { return fail("duplicate", "file \(id) is attached twice") }
                ids.append(id)
            }
            if let min = field.minCount, ids.count < min {
                return fail("min_count", "needs at least \(min) file(s) (got \(ids.count))", ["min": .number(min)])
            }
            if let max = field.maxCount, ids.count > max {
                return fail("max_count", "allows at most \(max) file(s) (got \(ids.count))", ["max": .number(max)])
            }
            return .textArray(ids)
        case .location:
            guard case .object = value else { return fail("type", "expected {\"lat\":…,\"lng\":…,\"address\":…}") }
            var problems2: [TesseraError.Detail] = []
            guard var reader = ObjectReader(value, path: field.name, problems: &problems2) else { return nil }
            reader.rejectUnknown(allowed: ["lat", "lng", "address"])
            let lat = reader.double("lat"), lng = reader.double("lng")
            let address = reader.string("address")
            problems2 += reader.problems
            guard problems2.isEmpty, let lat, let lng else {
                return fail("location", "expected {\"lat\":…,\"lng\":…,\"address\":…} with numeric lat and lng")
            }
            guard (-90...90).contains(lat), (-180...180).contains(lng) else { return fail("location", "lat must be within ±90 and lng within ±180") }
            if let address, address.count > 500 { return fail("max_length", "address must be at most 500 characters") }
            var members: [(String, JSONValue)] = [("lat", value["lat"]!), ("lng", value["lng"]!)]
            if let address { members.append(("address", .string(address))) }
            return .json(JSONWriter.string(.object(members)))
        case .autoNumber:
            return fail("read_only", "is numbered by the server and cannot be written")
        case .formula:
            return fail("read_only", "is computed from its expression and cannot be written")
        }
    }

    static func rangeProblem(_ value: Double, _ field: FieldDefinition) -> String? {
        if let min = field.min, value < min { return "must be at least \(JSONWriter.string(.number(min)))" }
        if let max = field.max, value > max { return "must be at most \(JSONWriter.string(.number(max)))" }
        return nil
    }

    static func exactInteger(_ text: String) -> Int64? {
        guard let d = Double(text), d.rounded() == d, abs(d) < 9.2e18 else { return nil }
        return Int64(d)
    }

    static func isDecimalText(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 40 else { return false }
        var rest = s[...]
        if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            parts.contains(where: { !$0.isEmpty })
        else { return false }
        return true
    }

    public static func isEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64, !s.contains(where: { $0.isWhitespace }) else { return false }
        let domain = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return domain.count >= 2 && domain.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }
    }

    public static func isPhone(_ s: String) -> Bool {
        var rest = s[...]
        if rest.first == "+" { rest = rest.dropFirst() }
        guard rest.allSatisfy({ ($0.isASCII && $0.isNumber) || " -()".contains($0) }) else { return false }
        let digits = rest.filter(\.isNumber).count
        return (5...20).contains(digits)
    }

    public static func isURL(_ s: String) -> Bool {
        let lower = s.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return false }
        let host = lower.drop(while: { $0 != "/" }).dropFirst(2).prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" })
        return !host.isEmpty && !s.contains(where: { $0.isWhitespace })
    }
}
