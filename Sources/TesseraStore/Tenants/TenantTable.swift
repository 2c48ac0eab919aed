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

    /// The same statements for every tenant schema, as one migration step (`%I` quotes the schema).
    /// Only schemas that exist: a tenant row left without its schema must not stop every start-up.
    var migration: String {
        """
        DO $$
        DECLARE s text;
        BEGIN
          FOR s IN SELECT t.schema_name FROM tessera.tenants t JOIN pg_namespace n ON n.nspname = t.schema_name LOOP
            EXECUTE format('CREATE TABLE IF NOT EXISTS %I.\(SQLIdentifier.quote(name)) (\(columns))', s);
            EXECUTE format('CREATE INDEX IF NOT EXISTS \(SQLIdentifier.quote(indexName)) ON %I.\(SQLIdentifier.quote(name)) (\(indexColumns))', s);
          END LOOP;
        END $$
        """
    }
}
