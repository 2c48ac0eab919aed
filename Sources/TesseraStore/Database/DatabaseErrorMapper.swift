import PostgresNIO
public import TesseraCore

/// Maps PostgreSQL errors to `TesseraError`s: the one place SQLSTATEs get a meaning for callers.
public enum DatabaseErrorMapper {
    /// Unwraps transaction wrappers; returns the TesseraError for anything a caller caused, else nil.
    public static func map(_ error: any Error, entity: EntityDefinition? = nil) -> TesseraError? {
        if let error = error as? TesseraError { return error }
        if let error = error as? ExpressionError { return .validation([error.detail(property: "expression")]) }
        if let error = error as? PostgresTransactionError {
            if let inner = error.closureError { return map(inner, entity: entity) }
            if let inner = error.commitError { return map(inner, entity: entity) }
            return nil
        }
        guard let psql = error as? PSQLError, let state = psql.serverInfo?[.sqlState] else { return nil }
        let constraint = psql.serverInfo?[.constraintName]
        switch state {
        case "23505":
            let field = entity?.fields.first { ObjectName.make("ux", entity: entity!.name, field: $0.name) == constraint }?.name
            if let field {
                return .conflict(
                    .duplicateValue(field), code: "duplicate", details: [.init(field: field, rule: "unique", .about(field, .mustBeUnique))])
            }
            if constraint == "tenants_slug_key" { return .conflict("A tenant with this slug already exists.", code: "duplicate") }
            return .conflict(.duplicateRecord(psql.serverInfo?[.detail] ?? "a unique value already exists."), code: "duplicate")
        case "23503":
            let field = entity?.fields.first { ObjectName.make("fk", entity: entity!.name, field: $0.name) == constraint }?.name
            return .validation([.init(field: field, rule: "reference", .referenceMissing(field ?? "A reference"))])
        case "22P02", "22007", "22008", "22003", "22023", "22001":
            return .validation([
                .init(field: nil, rule: "value", .valueNotStored(psql.serverInfo?[.message] ?? "invalid value"))
            ])
        case "22012", "2201B", "2201E", "2201F", "22015", "22009":
            // Arithmetic and function errors of a where= expression or rule evaluated by PostgreSQL.
            return .validation([
                .init(field: "where", rule: "expression", .expressionFailed(psql.serverInfo?[.message] ?? "invalid value"))
            ])
        case "42703", "42P01":
            return .conflict(.metadataChanged, code: "metadata_changed")
        case "40001", "40P01", "55P03":
            return .conflict(.busy, code: "busy")
        case "57014":
            return TesseraError(status: 503, code: "unavailable", .queryTimeout)
        case "54000", "54001":
            return .badRequest(.tooComplex, code: "too_complex")
        default:
            return nil
        }
    }
}
