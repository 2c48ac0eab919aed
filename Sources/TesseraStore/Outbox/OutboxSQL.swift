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
    /// cancels them all; a create or restore schedules them all. An SLA's timers are cancelled
    /// once its stop field is set, and not scheduled while it is. A date field counts from
    /// midnight in the tenant's time zone; working days count by the tenant's calendar.
    static func appendTimers(_ timers: [ScheduledTimer], action: String, schema: String, entity: String, tenant: Tenant, to b: inout SQLBuilder) {
        let update = action == "update"
        func changed(_ column: Column) -> String {
            let name = SQLIdentifier.quote(column.name)
            return "w.\(name) IS DISTINCT FROM o.\(name)"
        }
        func stopped(_ timer: AutomationTimer) -> String? {
            timer.stop.map { "w.\(SQLIdentifier.quote($0)) IS NOT NULL" }
        }
        // One cancel condition per automation (an SLA's steps share their start and stop fields).
        var seen = Set<String>()
        let distinct = timers.filter { seen.insert($0.automation).inserted }
        b.append(", tc AS (DELETE FROM \(OutboxTables.outbox(schema)) x USING w")
        if update { b.append(" JOIN o ON o.id = w.id") }
        b.append(" WHERE x.record_id = w.id AND x.event = 'timer' AND x.status = 'pending' AND (")
        for (i, timer) in distinct.enumerated() {
            if i > 0 { b.append(" OR ") }
            b.append("(x.automation = ")
            b.bind(.text(timer.automation), cast: "text")
            var reasons: [String] = []
            if update { reasons.append(changed(timer.column)) }
            if let stop = stopped(timer.timer) { reasons.append(stop) }
            if !reasons.isEmpty, action != "delete" { b.append(" AND (" + reasons.joined(separator: " OR ") + ")") }
            b.append(")")
        }
        b.append("))")
        guard action != "delete" else { return }
        b.append(", ts AS (INSERT INTO \(OutboxTables.outbox(schema)) (automation, entity, record_id, event, step, due_at) ")
        for (i, scheduled) in timers.enumerated() {
            if i > 0 { b.append(" UNION ALL ") }
            let column = "w." + SQLIdentifier.quote(scheduled.column.name)
            b.append("SELECT ")
            b.bind(.text(scheduled.automation), cast: "text")
            b.append(", ")
            b.bind(.text(entity), cast: "text")
            b.append(", w.id, 'timer', ")
            if let step = scheduled.timer.step { b.bind(.integer(Int64(step)), cast: "int") } else { b.append("NULL::int") }
            b.append(", ")
            func start(_ b: inout SQLBuilder) {
                if scheduled.column.type == .date {
                    b.append("(\(column)::timestamp AT TIME ZONE ")
                    b.bind(.text(tenant.timeZone), cast: "text")
                    b.append(")")
                } else {
                    b.append(column)
                }
            }
            switch scheduled.timer.span {
            case .fixed(let micros):
                start(&b)
                b.append(" + make_interval(secs => ")
                b.bind(.integer(micros / 1_000_000))
                b.append(")")
            case .workingDays(let days):
                WorkingDaysSQL.append(
                    date: false, calendar: tenant.calendar, zone: tenant.timeZone, to: &b, value: start,
                    days: { $0.bind(.integer(Int64(days)), cast: "int") })
            }
            b.append(" FROM w")
            if update { b.append(" JOIN o ON o.id = w.id") }
            b.append(" WHERE \(column) IS NOT NULL")
            if let stop = scheduled.timer.stop { b.append(" AND w.\(SQLIdentifier.quote(stop)) IS NULL") }
            if update { b.append(" AND " + changed(scheduled.column)) }
        }
        b.append(")")
    }
}
