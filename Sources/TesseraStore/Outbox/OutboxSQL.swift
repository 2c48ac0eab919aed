import TesseraCore

/// The outbox rows of a write: one per listening automation, made by the write's own statement
/// (after the write CTE `w` and the history CTE `h`), so an event exists exactly when its change does.
enum OutboxSQL {
    static func append(event: String, automations: [String], schema: String, entity: String, depth: Int, to b: inout SQLBuilder) {
        b.append(", e AS (INSERT INTO \(OutboxTables.outbox(schema)) (automation, entity, record_id, event, old, new, depth) SELECT a.name, ")
        b.bind(.text(entity), cast: "text")
        b.append(", w.id, ")
        b.bind(.text(event), cast: "text")
        b.append(", h.old, to_jsonb(w), ")
        b.bind(.integer(Int64(depth)), cast: "int")
        b.append(" FROM w JOIN h ON h.record_id = w.id CROSS JOIN unnest(")
        b.bind(.textArray(automations), cast: "text[]")
        b.append(") AS a(name))")
    }

    /// Replaces the written records' pending timers (`tc`) and schedules new ones at
    /// `field + offset` for records whose field is set (`ts`). On an update only the timers whose
    /// field changed are replaced (compared with `o`, the row before): a write that leaves the field
    /// alone — an automation's own `set`, say — must not make a fired timer due again. A delete
    /// cancels them all; a create or restore schedules them all. A date field counts from midnight
    /// in the tenant's time zone.
    static func appendTimers(_ timers: [(automation: String, field: FieldDefinition, offset: Int64)], action: String,
                             schema: String, entity: String, timeZone: String, to b: inout SQLBuilder) {
        let update = action == "update"
        func changed(_ field: FieldDefinition) -> String {
            let column = SQLIdentifier.quote(field.name)
            return "w.\(column) IS DISTINCT FROM o.\(column)"
        }
        b.append(", tc AS (DELETE FROM \(OutboxTables.outbox(schema)) x USING w")
        if update { b.append(" JOIN o ON o.id = w.id") }
        b.append(" WHERE x.record_id = w.id AND x.event = 'timer' AND x.status = 'pending' AND (")
        for (i, timer) in timers.enumerated() {
            if i > 0 { b.append(" OR ") }
            b.append("(x.automation = ")
            b.bind(.text(timer.automation), cast: "text")
            if update { b.append(" AND " + changed(timer.field)) }
            b.append(")")
        }
        b.append("))")
        guard action != "delete" else { return }
        b.append(", ts AS (INSERT INTO \(OutboxTables.outbox(schema)) (automation, entity, record_id, event, due_at) ")
        for (i, timer) in timers.enumerated() {
            if i > 0 { b.append(" UNION ALL ") }
            let column = "w." + SQLIdentifier.quote(timer.field.name)
            b.append("SELECT ")
            b.bind(.text(timer.automation), cast: "text")
            b.append(", ")
            b.bind(.text(entity), cast: "text")
            b.append(", w.id, 'timer', ")
            if timer.field.type == .date {
                b.append("(\(column)::timestamp AT TIME ZONE ")
                b.bind(.text(timeZone), cast: "text")
                b.append(")")
            } else {
                b.append(column)
            }
            b.append(" + make_interval(secs => ")
            b.bind(.integer(timer.offset / 1_000_000))
            b.append(") FROM w")
            if update { b.append(" JOIN o ON o.id = w.id") }
            b.append(" WHERE \(column) IS NOT NULL")
            if update { b.append(" AND " + changed(timer.field)) }
        }
        b.append(")")
    }
}
