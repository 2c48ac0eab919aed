/// A JSON document as a value. Numbers keep their source text so decimals and money stay exact.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number as written (already checked to be valid JSON number syntax).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Object members in document order; lookups take the last duplicate like most parsers.
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b || (Double(a) != nil && Double(a) == Double(b))
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            return zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.0 == key })?.1
    }

    /// The object with `key` set to `value` (replaced where it was, else added at the end).
    public func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        if let i = members.firstIndex(where: { $0.0 == key }) { members[i].1 = value } else { members.append((key, value)) }
        return .object(members)
    }

    public static func number(_ value: Int) -> JSONValue { .number(String(value)) }
    public static func number(_ value: Int64) -> JSONValue { .number(String(value)) }
    public static func number(_ value: Double) -> JSONValue {
        if value.rounded() == value, abs(value) < 1e15 { return .number(String(Int64(value))) }
        return .number(String(value))
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: [(String, JSONValue)]? { if case .object(let o) = self { return o } else { return nil } }
    public var numberText: String? { if case .number(let n) = self { return n } else { return nil } }
    public var doubleValue: Double? { numberText.flatMap(Double.init) }
    public var intValue: Int? {
        guard let text = numberText else { return nil }
        if let i = Int(text) { return i }
        if let d = Double(text), d.rounded() == d, abs(d) < 9e15 { return Int(d) }
        return nil
    }

    /// The JSON type name, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// A named definition (role, automation) with a PATCH body's top-level members replacing its
    /// own; the body must be an object and may not rename it (`what` names it in the refusal).
    public func patched(with body: JSONValue, name: String, what: DefinitionMessage.Definition) throws(TesseraError) -> JSONValue {
        guard case .object(let patch) = body else {
            throw .invalidMetadata([.definition(field: nil, rule: "type", .notAnObject(""))])
        }
        if let newName = body["name"]?.stringValue, newName != name {
            throw .invalidMetadata([.definition(field: "name", rule: "immutable", .nameImmutable(what))])
        }
        guard case .object(var merged) = self else { throw .internal() }
        for (key, value) in patch {
            // null removes a member (a condition, a weight), as in JSON merge patch.
            if value.isNull { merged.removeAll { $0.0 == key }; continue }
            if let i = merged.firstIndex(where: { $0.0 == key }) { merged[i].1 = value } else { merged.append((key, value)) }
        }
        return .object(merged)
    }
}
