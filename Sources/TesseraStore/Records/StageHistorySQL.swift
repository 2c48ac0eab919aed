import TesseraCore

/// The per-tenant stage history: one row per stage change, written in the record's transaction.
enum StageHistorySQL {
    static func table(_ schema: String) -> String { SQLIdentifier.qualified(schema, TenantTableName.stageHistory) }

    static let tenantTable = TenantTable(
        name: TenantTableName.stageHistory,
        columns: """
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, entity text NOT NULL, record_id uuid NOT NULL, field text NOT NULL, \
            from_stage text, to_stage text, at timestamptz NOT NULL DEFAULT now(), by_user uuid
            """, indexColumns: "entity, record_id, id")

    static func insert(schema: String, entity: String, id: String, field: String, from: String?, to: String?, actor: String) -> SQLBuilder {
        var b = SQLBuilder("INSERT INTO \(table(schema)) (entity, record_id, field, from_stage, to_stage, by_user) VALUES (")
        b.bind(.text(entity), cast: "text")
        b.append(", ")
        b.bind(.text(id), cast: "uuid")
        b.append(", ")
        b.bind(.text(field), cast: "text")
        b.append(", ")
        b.bind(from.map(StoredValue.text) ?? .null, cast: "text")
        b.append(", ")
        b.bind(to.map(StoredValue.text) ?? .null, cast: "text")
        b.append(", ")
        b.bind(.text(actor), cast: "uuid")
        b.append(")")
        return b
    }

    /// The changes of one record, oldest first, with the time of each.
    static func list(schema: String, entity: String, id: String) -> SQLBuilder {
        var b = SQLBuilder(
            "SELECT from_stage, to_stage, (extract(epoch FROM at) * 1000000)::bigint, by_user::text FROM \(table(schema)) WHERE entity = ")
        b.bind(.text(entity), cast: "text")
        b.append(" AND record_id = ")
        b.bind(.text(id), cast: "uuid")
        b.append(" ORDER BY id")
        return b
    }
}
