import Logging
import PostgresNIO
import TesseraCore

/// The columns of removed fields, kept under another name for the tenant's retention period
/// (`tessera.retained_columns`): removing a field only renames its column, so a revert renames
/// it back with every value; after the period the column is dropped. Renames touch the catalog
/// only, never the rows, whatever the table's size.
struct RetainedColumns {
    let tenant: Tenant
    let connection: PostgresConnection
    let logger: Logger

    private func quoted(_ entity: String) -> String { SQLIdentifier.qualified(tenant.schema, entity) }

    /// Renames the field's column out of the API's reach and registers it under the revision
    /// that removed it. Its default goes (an auto-number's counter would go on filling it).
    func retain(_ field: FieldDefinition, of entity: String, revision: Int64) async throws {
        let column = ObjectName.make("_rm", entity: entity, field: "\(field.name)@\(revision)")
        try await connection.query(
            PostgresQuery(unsafeSQL: "ALTER TABLE \(quoted(entity)) ALTER COLUMN \(SQLIdentifier.quote(field.name)) DROP DEFAULT"), logger: logger)
        try await connection.query(
            PostgresQuery(
                unsafeSQL: "ALTER TABLE \(quoted(entity)) RENAME COLUMN \(SQLIdentifier.quote(field.name)) TO \(SQLIdentifier.quote(column))"),
            logger: logger)
        try await connection.query(
            """
            INSERT INTO tessera.retained_columns (tenant_id, entity, field, column_name, definition, revision)
            VALUES (\(tenant.id), \(entity), \(field.name), \(column), \(JSONWriter.string(field.json))::json, \(revision))
            """, logger: logger)
    }

    /// The column most recently kept for this field with the same column type, if any.
    func kept(_ field: FieldDefinition, of entity: String) async throws -> String? {
        let rows = try await connection.query(
            """
            SELECT column_name, definition::text FROM tessera.retained_columns
            WHERE tenant_id = \(tenant.id) AND entity = \(entity) AND field = \(field.name) ORDER BY revision DESC
            """, logger: logger)
        for try await (column, text) in rows.decode((String, String).self) {
            guard let json = try? JSONParser.parse(text), let type = json["type"]?.stringValue.flatMap(FieldType.init(rawValue:)) else { continue }
            if ColumnType.sql(type) == ColumnType.sql(field.type) { return column }
        }
        return nil
    }

    /// Brings the field's kept column back under its name, or adds a new empty one. True when
    /// values came back.
    @discardableResult
    func restore(_ field: FieldDefinition, of entity: String, renderer: DDLRenderer) async throws -> Bool {
        guard let column = try await kept(field, of: entity) else {
            for statement in renderer.statements(for: .addColumn(entity: entity, field: field)) {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            return false
        }
        try await connection.query(
            PostgresQuery(
                unsafeSQL: "ALTER TABLE \(quoted(entity)) RENAME COLUMN \(SQLIdentifier.quote(column)) TO \(SQLIdentifier.quote(field.name))"),
            logger: logger)
        try await connection.query(
            "DELETE FROM tessera.retained_columns WHERE tenant_id = \(tenant.id) AND entity = \(entity) AND column_name = \(column)",
            logger: logger)
        return true
    }

    /// Forgets the columns of an entity whose table is dropped (they go with it).
    func forget(entity: String) async throws {
        try await connection.query("DELETE FROM tessera.retained_columns WHERE tenant_id = \(tenant.id) AND entity = \(entity)", logger: logger)
    }

    /// Drops the columns kept longer than the tenant's retention period, and the counters of
    /// auto-numbers no field uses any more.
    func purge(entities: [EntityDefinition]) async throws {
        let rows = try await connection.query(
            """
            DELETE FROM tessera.retained_columns r USING tessera.tenants t
            WHERE r.tenant_id = \(tenant.id) AND t.id = r.tenant_id AND r.removed_at < now() - make_interval(days => t.retention_days)
            RETURNING r.entity, r.field, r.column_name, r.definition->>'type'
            """, logger: logger)
        for (entity, field, column, type) in try await rows.collect().map({ try $0.decode((String, String, String, String?).self) }) {
            try await connection.query(
                PostgresQuery(unsafeSQL: "ALTER TABLE \(quoted(entity)) DROP COLUMN IF EXISTS \(SQLIdentifier.quote(column))"), logger: logger)
            let live = entities.first { $0.name == entity }?.field(field)
            if type == FieldType.autoNumber.rawValue, live?.type != .autoNumber {
                let sequence = SQLIdentifier.qualified(tenant.schema, ObjectName.make("sq", entity: entity, field: field))
                try await connection.query(PostgresQuery(unsafeSQL: "DROP SEQUENCE IF EXISTS \(sequence)"), logger: logger)
            }
        }
    }

    /// The entities whose tables hold kept columns.
    func entities() async throws -> Set<String> {
        let rows = try await connection.query(
            "SELECT DISTINCT entity FROM tessera.retained_columns WHERE tenant_id = \(tenant.id)", logger: logger)
        var out: Set<String> = []
        for try await name in rows.decode(String.self) { out.insert(name) }
        return out
    }
}
