import TesseraCore

/// A table every tenant schema has besides its entities (history, stage history, outbox): created
/// with a new tenant's schema, and by a tenant migration step in the schemas of existing tenants
/// (`create` is idempotent).
struct TenantTable: Sendable {
    let name: String
    /// Column definitions, as in CREATE TABLE; constant text of ours, never caller input.
    let columns: String
    let indexColumns: String
    /// A partial index's predicate, if the index only covers some rows.
    var indexWhere: String? = nil

    var indexName: String { ObjectName.make("ix", entity: name, field: "record") }

    func create(schema: String) -> [String] {
        let table = SQLIdentifier.qualified(schema, name)
        return [
            "CREATE TABLE IF NOT EXISTS \(table) (\(columns))",
            "CREATE INDEX IF NOT EXISTS \(SQLIdentifier.quote(indexName)) ON \(table) (\(indexColumns))\(indexPredicate)",
        ]
    }

    private var indexPredicate: String { indexWhere.map { " WHERE " + $0 } ?? "" }
}
