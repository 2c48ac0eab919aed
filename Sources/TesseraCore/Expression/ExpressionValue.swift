import Foundation

/// A value during evaluation. Text compares by UTF-8 bytes (as PostgreSQL's "C" collation does),
/// so Swift evaluation and SQL agree.
public enum ExpressionValue: Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    /// Microseconds since 1970-01-01T00:00:00Z (PostgreSQL's precision).
    case timestamp(Int64)
    /// Microseconds.
    case duration(Int64)
    /// Days since 1970-01-01.
    case date(Int64)
    case location(latitude: Double, longitude: Double, address: String?)
    case list([ExpressionValue])

    public var isNull: Bool { if case .null = self { true } else { false } }

    /// What `has()` and "required" mean: set, and not an empty text or list.
    public var hasValue: Bool {
        switch self {
        case .null: false
        case .string(let s): !s.isEmpty
        case .list(let l): !l.isEmpty
        default: true
        }
    }

    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .string(let s): "\"\(s)\""
        case .timestamp(let t): TimeText.timestamp(t)
        case .duration(let d): DurationText.format(d)
        case .date(let d): TimeText.date(d)
        case .location(let lat, let lng, _): "location(\(lat), \(lng))"
        case .list(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }

    /// CEL equality, total: null equals only null; int and double compare as numbers.
    public func equals(_ other: ExpressionValue) -> Bool {
        switch (self, other) {
        case (.null, .null): true
        case (.null, _), (_, .null): false
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.int(let a), .double(let b)): Double(a) == b
        case (.double(let a), .int(let b)): a == Double(b)
        case (.string(let a), .string(let b)): a.utf8.elementsEqual(b.utf8)
        case (.timestamp(let a), .timestamp(let b)), (.duration(let a), .duration(let b)), (.date(let a), .date(let b)): a == b
        case (.location(let a, let b, let c), .location(let x, let y, let z)): a == x && b == y && c == z
        case (.list(let a), .list(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.equals($1) }
        default: false
        }
    }

    /// The order of two values of one ordered type; nil when either is null (unknown).
    public func compare(_ other: ExpressionValue) -> Int? {
        func sign<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
        switch (self, other) {
        case (.int(let a), .int(let b)): return sign(a, b)
        case (.double(let a), .double(let b)): return sign(a, b)
        case (.int(let a), .double(let b)): return sign(Double(a), b)
        case (.double(let a), .int(let b)): return sign(a, Double(b))
        case (.string(let a), .string(let b)):
            if a.utf8.elementsEqual(b.utf8) { return 0 }
            return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
        case (.timestamp(let a), .timestamp(let b)), (.duration(let a), .duration(let b)), (.date(let a), .date(let b)):
            return sign(a, b)
        default: return nil
        }
    }

    /// A stored field value as it appears in a record's JSON (as PostgreSQL's `row_to_json` writes it).
    public static func from(json: JSONValue, type: FieldType) -> ExpressionValue {
        switch (json, type) {
        case (.null, _): return .null
        case (.string(let s), .datetime): return TimeText.parseTimestamp(s).map(ExpressionValue.timestamp) ?? .null
        case (.string(let s), .date): return TimeText.parseDate(s).map(ExpressionValue.date) ?? .null
        case (.string(let s), _): return .string(s)
        case (.number(let n), .number): return Int64(n).map(ExpressionValue.int) ?? Double(n).map(ExpressionValue.double) ?? .null
        case (.number(let n), _): return Double(n).map(ExpressionValue.double) ?? .null
        case (.bool(let b), _): return .bool(b)
        case (.array(let items), _): return .list(items.map { from(json: $0, type: .text) })
        case (.object(let members), .location):
            func number(_ key: String) -> Double? {
                guard let value = members.first(where: { $0.0 == key })?.1, case .number(let n) = value else { return nil }
                return Double(n)
            }
            guard let lat = number("lat"), let lng = number("lng") else { return .null }
            var address: String?
            if case .string(let a)? = members.first(where: { $0.0 == "address" })?.1 { address = a }
            return .location(latitude: lat, longitude: lng, address: address)
        default: return .null
        }
    }
}

extension ExpressionValue {
    /// A coerced value about to be written, as expressions read it.
    public static func from(stored: StoredValue, type: FieldType) -> ExpressionValue {
        switch stored {
        case .null: return .null
        case .integer(let i): return .int(i)
        case .bool(let b): return .bool(b)
        case .textArray(let items): return .list(items.map { .string($0) })
        case .json(let text): return (try? JSONParser.parse(text)).map { from(json: $0, type: type) } ?? .null
        case .text(let text):
            switch type {
            case .decimal, .money, .percent: return Double(text).map(ExpressionValue.double) ?? .null
            case .number: return Int64(text).map(ExpressionValue.int) ?? .null
            default: return from(json: .string(text), type: type)
            }
        }
    }

    /// The text PostgreSQL reads back as this value (for binds with a cast); nil for null and
    /// values with no single text form.
    public var bindText: String? {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .bool(let b): b ? "true" : "false"
        case .timestamp(let t): TimeText.timestamp(t)
        case .date(let d): TimeText.date(d)
        default: nil
        }
    }
}

extension ExpressionValue {
    /// The value as a record body gives it (automations write computed values through the same checks).
    public var json: JSONValue {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .number(String(i))
        case .double(let d): d.isFinite ? .number(String(d)) : .null
        case .string(let s): .string(s)
        case .timestamp(let t): .string(TimeText.timestamp(t))
        case .duration(let d): .string(DurationText.format(d))
        case .date(let d): .string(TimeText.date(d))
        case .location(let lat, let lng, let address):
            .object([("lat", .number(String(lat))), ("lng", .number(String(lng)))] + (address.map { [("address", JSONValue.string($0))] } ?? []))
        case .list(let items): .array(items.map(\.json))
        }
    }
}
