import TesseraCore

/// Field-level record history: one row per write (create, update, delete, restore) with the
/// changed fields' old and new values, who made it and through which key or automation. It is
/// written by the same statement as the record, so it cannot be lost or invented.
enum HistorySQL {
    static func table(_ schema: String) -> String { SQLIdentifier.qualified(schema, TenantTableName.history) }

    static let tenantTable = TenantTable(
        name: TenantTableName.history,
        columns: """
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, entity text NOT NULL, record_id uuid NOT NULL, action text NOT NULL, \
            old jsonb, new jsonb, at timestamptz NOT NULL DEFAULT now(), actor uuid, via text
            """, indexColumns: "entity, record_id, id")

    /// Columns history does not report: bookkeeping every write changes (owner changes are kept).
    static let untracked = "ARRAY[" + SystemColumn.allCases.filter { !$0.isTracked }.map { "'\($0.rawValue)'" }.joined(separator: ",") + "]"

    /// `, h AS (INSERT INTO _history …)` after a write CTE `w` (and, for updates, `o`: the row before).
    /// With `returning`, `h` yields `(record_id, old)` for the outbox insert that follows.
    static func append(action: String, schema: String, entity: String, actor: String, via: String, returning: Bool = false, to b: inout SQLBuilder) {
        b.append(", h AS (INSERT INTO \(table(schema)) (entity, record_id, action, old, new, actor, via) SELECT ")
        b.bind(.text(entity), cast: "text")
        b.append(", w.id, '\(action)', ")
        switch action {
        case "create":
            b.append("NULL, jsonb_strip_nulls(to_jsonb(w) - \(untracked)), ")
        case "update":
            b.append("d.old, d.new, ")
        default:
            b.append("NULL, NULL, ")
        }
        b.bind(.text(actor), cast: "uuid")
        b.append(", ")
        b.bind(.text(via), cast: "text")
        if action == "update" {
            b.append(
                """
                 FROM w JOIN o ON o.id = w.id CROSS JOIN LATERAL (SELECT jsonb_object_agg(n.key, p.value) AS old, jsonb_object_agg(n.key, \
                 n.value) AS new \
                FROM jsonb_each(to_jsonb(w) - \(untracked)) n JOIN jsonb_each(to_jsonb(o) - \(untracked)) p ON p.key = n.key \
                WHERE n.value IS DISTINCT FROM p.value) d
                """)
        } else {
            b.append(" FROM w")
        }
        b.append(returning ? " RETURNING record_id, old)" : ")")
    }

    /// A record's history, newest first.
    static func list(schema: String, entity: String, id: String, limit: Int) -> SQLBuilder {
        var b = SQLBuilder(
            "SELECT action, old::text, new::text, (extract(epoch FROM at) * 1000000)::bigint, actor::text, via FROM \(table(schema)) WHERE entity = ")
        b.bind(.text(entity), cast: "text")
        b.append(" AND record_id = ")
        b.bind(.text(id), cast: "uuid")
        b.append(" ORDER BY id DESC LIMIT \(limit)")
        return b
    }
}
