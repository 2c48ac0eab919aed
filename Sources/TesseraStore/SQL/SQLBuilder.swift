public import PostgresNIO
public import TesseraCore

/// Accumulates SQL text and its bind values; values only ever enter as `$n` parameters.
public struct SQLBuilder {
    public private(set) var sql = ""
    public private(set) var binds = PostgresBindings()
    /// The declared type of each bind, for statements prepared by name (see `PreparedSQL`).
    public private(set) var types: [PostgresDataType] = []
    private var count = 0

    public init(_ sql: String = "") { self.sql = sql }

    public mutating func append(_ text: String) { sql += text }

    /// Appends a placeholder for `value`, cast to `cast` when given (e.g. "numeric", "uuid[]").
    public mutating func bind(_ value: StoredValue, cast: String? = nil) {
        sql += placeholder(value, cast: cast)
    }

    /// Adds `value` as the next parameter and returns its placeholder (`$n::cast`) for the
    /// caller to place, e.g. inside a function call.
    public mutating func placeholder(_ value: StoredValue, cast: String? = nil) -> String {
        count += 1
        switch value {
        case .null: binds.appendNull(); types.append(.text)
        case .text(let s), .json(let s):
            if let type = TypedText.type(forCast: cast) {
                binds.append(TypedText(text: s, psqlType: type))
                types.append(type)
            } else {
                binds.append(s)
                types.append(.text)
            }
        case .integer(let i): binds.append(i); types.append(.int8)
        case .bool(let b): binds.append(b); types.append(.bool)
        case .textArray(let a): binds.append(a); types.append(.textArray)
        }
        return "$\(count)" + (cast.map { "::" + $0 } ?? "")
    }

    public mutating func bind(_ text: String, cast: String? = nil) { bind(.text(text), cast: cast) }

    public var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}
