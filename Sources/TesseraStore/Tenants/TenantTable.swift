import Foundation
import TesseraCore

/// A table every tenant schema has besides its entities (history, stage history): created with
/// a new tenant's schema, and by a control-schema migration in the schemas of existing tenants.
struct TenantTable: Sendable {
    let name: String
    /// Column definitions, as in CREATE TABLE; constant text of ours, never caller input.
    let columns: String
    let indexColumns: String

    var indexName: String { ObjectName.make("ix", entity: name, field: "record") }

    func create(schema: String) -> [String] {
        let table = SQLIdentifier.qualified(schema, name)
        return ["CREATE TABLE IF NOT EXISTS \(table) (\(columns))",
                "CREATE INDEX IF NOT EXISTS \(SQLIdentifier.quote(indexName)) ON \(table) (\(indexColumns))"]
    }

    /// The same statements for every tenant schema, as one migration step.
    var migration: String {
        Self.forEachTenantSchema([
            "CREATE TABLE IF NOT EXISTS %I.\(SQLIdentifier.quote(name)) (\(columns))",
            "CREATE INDEX IF NOT EXISTS \(SQLIdentifier.quote(indexName)) ON %I.\(SQLIdentifier.quote(name)) (\(indexColumns))",
        ])
    }

    /// One DO block running statements in every tenant schema; `%I` in a statement stands for the
    /// schema (quoted by `format`). Only schemas that exist: a tenant row left without its schema
    /// must not stop every start-up. Statements are constant text of ours, never caller input.
    static func forEachTenantSchema(_ statements: [String]) -> String {
        let body = statements.map { statement in
            let schemaArguments = Array(repeating: "s", count: statement.components(separatedBy: "%I").count - 1).joined(separator: ", ")
            let literal = statement.replacingOccurrences(of: "'", with: "''")
            return "    EXECUTE format('\(literal)'\(schemaArguments.isEmpty ? "" : ", " + schemaArguments));"
        }.joined(separator: "\n")
        return """
            DO $$
            DECLARE s text;
            BEGIN
              FOR s IN SELECT t.schema_name FROM tessera.tenants t JOIN pg_namespace n ON n.nspname = t.schema_name LOOP
            \(body)
              END LOOP;
            END $$
            """
    }
}
