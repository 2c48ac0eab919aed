/// Checks a JSON value against a field's type and constraints and turns it into a `StoredValue`.
/// Problems name the field and the rule; checks that need the database (relation targets,
/// users, files, uniqueness) happen in the store.
public enum ValueCoercer {
    public static func coerce(_ value: JSONValue, for field: FieldDefinition, problems: inout [TesseraError.Detail]) -> StoredValue? {
        func fail(_ rule: String, _ message: Message, _ extra: [String: JSONValue] = [:]) -> StoredValue? {
            problems.append(.init(field: field.name, rule: rule, .about(field.name, message), extra: extra))
            return nil
        }
        if value.isNull { return .null }
        switch field.type {
        case .text, .longText, .email, .phone, .url:
            guard case .string(let s) = value else { return fail("type", .expected(.string, got: value.typeName)) }
            if let max = field.effectiveMaxLength, s.count > max {
                return fail("max_length", .maxLength(max, got: s.count), ["max": .number(max)])
            }
            switch field.type {
            case .email where !isEmail(s): return fail("email", .notEmail(s))
            case .phone where !isPhone(s):
                return fail("phone", .notPhone(s))
            case .url where !isURL(s): return fail("url", .notURL(s))
            default: return .text(s)
            }
        case .number:
            guard case .number(let text) = value else { return fail("type", .expected(.wholeNumber, got: value.typeName)) }
            guard let i = Int64(text) ?? exactInteger(text) else { return fail("type", .expected(.wholeNumber, got: text)) }
            if let problem = rangeProblem(Double(i), field) { return fail("range", problem) }
            return .integer(i)
        case .decimal, .money, .percent:
            let text: String
            switch value {
            case .number(let n): text = n
            case .string(let s) where isDecimalText(s): text = s
            default: return fail("type", .expected(.number, got: value.typeName))
            }
            if field.type == .money {
                if text.contains(where: { $0 == "e" || $0 == "E" }) { return fail("type", .moneyExponent) }
                if let dot = text.firstIndex(of: "."), text[text.index(after: dot)...].count > 2 {
                    return fail("scale", .moneyScale(got: text))
                }
                let integerDigits = text.prefix(while: { $0 != "." }).filter(\.isNumber).count
                if integerDigits > 16 { return fail("range", .moneyTooLarge) }
            } else if text.filter(\.isNumber).count > 30 {
                return fail("range", .tooManyDigits)
            } else if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), !(-30...30).contains(Int(text[text.index(after: e)...]) ?? 99) {
                // 1e200 has few digits but is stored with 201: the value as written back must stay readable.
                return fail("range", .exponentRange)
            }
            guard let d = Double(text), d.isFinite else { return fail("type", .expected(.number, got: text)) }
            if let problem = rangeProblem(d, field) { return fail("range", problem) }
            return .text(text)
        case .boolean:
            guard case .bool(let b) = value else { return fail("type", .expected(.boolean, got: value.typeName)) }
            return .bool(b)
        case .date:
            guard case .string(let s) = value, DateTimeText.isValidDate(s) else { return fail("date", .expectedDate) }
            return .text(s)
        case .datetime:
            guard case .string(let s) = value, DateTimeText.isValidDateTime(s) else {
                return fail("datetime", .expectedDateTime)
            }
            return .text(s)
        case .select:
            guard case .string(let key) = value else { return fail("type", .expected(.optionKey, got: value.typeName)) }
            guard field.option(key) != nil else {
                return fail("option", .notAnOption(key, options: field.options.map(\.key)))
            }
            return .text(key)
        case .multiSelect:
            guard case .array(let elements) = value else { return fail("type", .expected(.optionKeys, got: value.typeName)) }
            var keys: [String] = []
            for element in elements {
                guard case .string(let key) = element else { return fail("type", .expected(.optionKeys, got: "[" + element.typeName + "]")) }
                guard field.option(key) != nil else {
                    return fail("option", .notAnOption(key, options: field.options.map(\.key)))
                }
                guard !keys.contains(key) else { return fail("duplicate", .selectedTwice(key)) }
                keys.append(key)
            }
            if let max = field.maxSelections, keys.count > max {
                return fail("max_selections", .tooManySelected(max: max, got: keys.count), ["max": .number(max)])
            }
            return .textArray(keys)
        case .user, .relation:
            guard case .string(let s) = value, let id = UUIDText.normalized(s) else {
                return fail("type", .expectedRecordID)
            }
            return .text(id)
        case .attachment:
            guard case .array(let elements) = value else { return fail("type", .expected(.fileIDs, got: value.typeName)) }
            var ids: [String] = []
            for element in elements {
                guard case .string(let s) = element, let id = UUIDText.normalized(s) else {
                    return fail("type", .expectedFileIDs)
                }
                guard !ids.contains(id) else { return fail("duplicate", .attachedTwice(id)) }
                ids.append(id)
            }
            if let min = field.minCount, ids.count < min {
                return fail("min_count", .tooFewFiles(min: min, got: ids.count), ["min": .number(min)])
            }
            if let max = field.maxCount, ids.count > max {
                return fail("max_count", .tooManyFiles(max: max, got: ids.count), ["max": .number(max)])
            }
            return .textArray(ids)
        case .location:
            guard case .object = value else { return fail("type", .expectedLocation) }
            var problems2: [TesseraError.Detail] = []
            guard var reader = ObjectReader(value, path: field.name, problems: &problems2) else { return nil }
            reader.rejectUnknown(allowed: ["lat", "lng", "address"])
            let lat = reader.double("lat"), lng = reader.double("lng")
            let address = reader.string("address")
            problems2 += reader.problems
            guard problems2.isEmpty, let lat, let lng else {
                return fail("location", .expectedLocation)
            }
            guard (-90...90).contains(lat), (-180...180).contains(lng) else { return fail("location", .locationRange) }
            if let address, address.count > 500 { return fail("max_length", .addressTooLong) }
            // Kept to 7 decimals (about 1 cm): 1e-300 would come back from jsonb as 302 characters.
            var members: [(String, JSONValue)] = [("lat", .number(Self.coordinate(lat))), ("lng", .number(Self.coordinate(lng)))]
            if let address { members.append(("address", .string(address))) }
            return .json(JSONWriter.string(.object(members)))
        case .autoNumber:
            return fail("read_only", .autoNumbered)
        case .formula:
            return fail("read_only", .computed)
        }
    }

    static func rangeProblem(_ value: Double, _ field: FieldDefinition) -> Message? {
        if let min = field.min, value < min { return .atLeast(JSONWriter.string(.number(min))) }
        if let max = field.max, value > max { return .atMost(JSONWriter.string(.number(max))) }
        return nil
    }

    static func exactInteger(_ text: String) -> Int64? {
        guard let d = Double(text), d.rounded() == d, abs(d) < 9.2e18 else { return nil }
        return Int64(d)
    }

    /// A coordinate in plain decimal notation with at most 7 decimals, trailing zeros dropped.
    static func coordinate(_ value: Double) -> String {
        let units = Int64((value * 10_000_000).rounded())
        let whole = String(units.magnitude / 10_000_000)
        var fraction = String(units.magnitude % 10_000_000)
        fraction = String(repeating: "0", count: 7 - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        return (units < 0 ? "-" : "") + whole + (fraction.isEmpty ? "" : "." + fraction)
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
