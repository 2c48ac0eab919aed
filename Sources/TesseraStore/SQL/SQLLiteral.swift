/// String literals for DDL only (PostgreSQL cannot bind parameters in DDL). Inputs are
/// server-checked patterns and time-zone names; quotes are doubled regardless.
enum SQLLiteral {
    static func string(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
