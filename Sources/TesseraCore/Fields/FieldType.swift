/// The kinds of field a tenant can define; each maps to one PostgreSQL column type.
public enum FieldType: String, Sendable, CaseIterable, Equatable {
    case text, longText = "long_text", number, decimal, money, percent, boolean, date, datetime
    case select, multiSelect = "multi_select", email, phone, url, user, relation, location, attachment
    case autoNumber = "auto_number"
    /// Computed on read from an expression; has no column.
    case formula

    /// Type-specific properties a field of this type may carry (beyond the common ones).
    public var allowedProperties: Set<String> {
        switch self {
        case .text, .longText: ["max_length"]
        case .number, .decimal, .money, .percent: ["min", "max"]
        case .select: ["options", "stage"]
        case .multiSelect: ["options", "max_selections"]
        case .relation: ["target"]
        case .attachment: ["min_count", "max_count", "accept"]
        case .autoNumber: ["pattern"]
        case .formula: ["expression", "result"]
        case .boolean, .date, .datetime, .email, .phone, .url, .user, .location: []
        }
    }

    /// Whether a `default` makes sense for this type.
    public var acceptsDefault: Bool {
        switch self {
        case .relation, .attachment, .autoNumber, .user, .formula: false
        default: true
        }
    }

    /// Values the server computes; clients cannot write them.
    public var isReadOnly: Bool { self == .autoNumber || self == .formula }

    /// Whether values live in a column of the entity's table (formulas are computed instead).
    public var isStored: Bool { self != .formula }

    /// The types a formula may give.
    public static let formulaResults: [FieldType] = [.number, .decimal, .money, .percent, .text, .boolean, .date, .datetime]

    /// Whether a btree index on the column makes sense (arrays and JSON use GIN or nothing).
    public var isBtreeIndexable: Bool {
        switch self {
        case .multiSelect, .attachment, .location, .formula: false
        default: true
        }
    }

    public var isNumeric: Bool { self == .number || self == .decimal || self == .money || self == .percent }

    /// Default maximum length of text-like values when a field sets none.
    public var defaultMaxLength: Int? {
        switch self {
        case .text: 1000
        case .longText: 100_000
        case .email: 254
        case .phone: 32
        case .url: 2048
        default: nil
        }
    }
}
