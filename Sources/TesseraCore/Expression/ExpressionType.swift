/// The static type of an expression or of a field as expressions see it.
public indirect enum ExpressionType: Sendable, Equatable, Hashable, CustomStringConvertible {
    case bool, int, double, string, timestamp, duration, date, location
    /// A count of the tenant's working days, `duration("2wd")`: only added to or subtracted from a
    /// timestamp or a date (its length depends on where it starts, so it is no duration).
    case workingDays
    /// Only the literal `null` has this type; it fits wherever a value may be absent.
    case null
    case list(ExpressionType)

    public var description: String {
        switch self {
        case .bool: "bool"
        case .int: "int"
        case .double: "double"
        case .string: "string"
        case .timestamp: "timestamp"
        case .duration: "duration"
        case .date: "date"
        case .location: "location"
        case .workingDays: "working days"
        case .null: "null"
        case .list(let element): "list(\(element))"
        }
    }

    public var isNumber: Bool { self == .int || self == .double }

    /// Types whose values have an order (`<`, `>`…).
    public var isOrdered: Bool {
        switch self {
        case .int, .double, .string, .timestamp, .duration, .date: true
        default: false
        }
    }

    /// How a field of this type reads in an expression. Ids (relation, user) read as strings.
    public static func of(_ type: FieldType) -> ExpressionType {
        switch type {
        case .text, .longText, .email, .phone, .url, .select, .autoNumber, .user, .relation: .string
        case .number: .int
        case .decimal, .money, .percent: .double
        case .boolean: .bool
        case .date: .date
        case .datetime: .timestamp
        case .multiSelect, .attachment: .list(.string)
        case .location: .location
        case .formula: .string  // callers read a formula through its result type (FieldDefinition.readType)
        }
    }

    /// The wider of two types when both may meet (int widens to double, null to anything).
    static func common(_ a: ExpressionType, _ b: ExpressionType) -> ExpressionType? {
        if a == b { return a }
        if a == .null { return b }
        if b == .null { return a }
        if a.isNumber, b.isNumber { return .double }
        if case .list(let x) = a, case .list(let y) = b, let element = common(x, y) { return .list(element) }
        return nil
    }
}
