import PostgresNIO
import TesseraCore

/// Accumulates SQL text and its bind values; values only ever enter as `$n` parameters.
public struct SQLBuilder {
    public private(set) var sql = ""
    public private(set) var binds = PostgresBindings()
    private var count = 0

    public init(_ sql: String = "") { self.sql = sql }

    public mutating func append(_ text: String) { sql += text }

    /// Appends a placeholder for `value`, cast to `cast` when given (e.g. "numeric", "uuid[]").
    public mutating func bind(_ value: StoredValue, cast: String? = nil) {
        count += 1
        switch value {
        case .null: binds.appendNull()
        case .text(let s): binds.append(s)
        case .integer(let i): binds.append(i)
        case .bool(let b): binds.append(b)
        case .textArray(let a): binds.append(a)
        case .json(let s): binds.append(s)
        }
        sql += "$\(count)"
        if let cast { sql += "::" + cast }
    }

    public mutating func bind(_ text: String, cast: String? = nil) { bind(.text(text), cast: cast) }

    public var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}
