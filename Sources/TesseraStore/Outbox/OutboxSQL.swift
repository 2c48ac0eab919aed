import TesseraCore

/// The outbox rows of a write: one per listening automation, made by the write's own statement
/// (after the write CTE `w` and the history CTE `h`), so an event exists exactly when its change does.
enum OutboxSQL {
    static func append(event: String, automations: [String], schema: String, entity: String, depth: Int, to b: inout SQLBuilder) {
        b.append(", e AS (INSERT INTO \(OutboxTables.outbox(schema)) (automation, entity, record_id, event, old, new, depth) SELECT a.name, ")
        b.bind(.text(entity), cast: "text")
        b.append(", w.id, '\(event)', h.old, to_jsonb(w), \(depth) FROM w JOIN h ON h.record_id = w.id CROSS JOIN unnest(")
        b.bind(.textArray(automations), cast: "text[]")
        b.append(") AS a(name))")
    }
}
