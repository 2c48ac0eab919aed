import TesseraCore

extension RecordSQL {
    /// `WITH h AS (…)`: the stage history of the query's records (live, within the caller's read
    /// scope, meeting the filters), each entry into a stage with when the record left it again
    /// (null while it is still there), the group's value, the record's title and owner.
    private func appendSpells(_ query: StageMetricsQuery, to b: inout SQLBuilder) throws(ExpressionError) {
        b.append("WITH h AS (SELECT s.record_id, s.id AS hid, s.to_stage AS stage, s.at, ")
        b.append("lead(s.at) OVER (PARTITION BY s.record_id ORDER BY s.id) AS left_at, ")
        b.append(query.group.map { "q.\(SQLIdentifier.quote($0.name))::text" } ?? "NULL::text")
        b.append(" AS grp, ")
        b.append(plan.entity.titleField.map { "q.\(SQLIdentifier.quote($0))::text" } ?? "NULL::text")
        b.append(" AS title, q.owner_id::text AS owner FROM \(StageHistorySQL.table(schema)) s JOIN ")
        try appendSource(table, to: &b)
        b.append(" ON q.id = s.record_id WHERE s.entity = ")
        b.bind(.text(entity.name), cast: "text")
        b.append(" AND s.field = ")
        b.bind(.text(query.field), cast: "text")
        b.append(" AND q.deleted_at IS NULL")
        try appendRowConditions(query.rows, to: &b)
        b.append(")")
    }

    /// ` AND at >= from AND at < to` for the period given.
    private func appendPeriod(_ query: StageMetricsQuery, column: String, to b: inout SQLBuilder) {
        b.append(period(query, column: column, in: &b))
    }

    /// The period's condition on `column` with its bounds bound once, to be written where needed.
    private func period(_ query: StageMetricsQuery, column: String, in b: inout SQLBuilder) -> String {
        var condition = ""
        if let from = query.from {
            condition += " AND \(column) >= " + b.placeholder(.text(TimeText.timestamp(from)), cast: "timestamptz")
        }
        if let to = query.to {
            condition += " AND \(column) < " + b.placeholder(.text(TimeText.timestamp(to)), cast: "timestamptz")
        }
        return condition
    }

    /// Per group, one row: for each stage in order, the records that entered it in the period
    /// (their first entry counts) and how many of them later entered a stage further down the
    /// funnel. The history is folded per record first (one pass in the index's order, no window
    /// and no sort: the windowed form took 0.9 s at 500,000 rows), then joined to the records:
    /// for each stage the first entry inside the period and the last entry at all, compared as
    /// history ids, which follow time (the spells' `lead` reads them the same way).
    func funnel(_ query: StageMetricsQuery) throws(ExpressionError) -> SQLBuilder {
        var b = SQLBuilder("WITH a AS (SELECT record_id")
        let inside = period(query, column: "at", in: &b)
        var stages: [String] = []
        for (k, stage) in query.stages.enumerated() {
            stages.append(b.placeholder(.text(stage), cast: "text"))
            b.append(", min(id) FILTER (WHERE to_stage = \(stages[k])\(inside)) AS e\(k), max(id) FILTER (WHERE to_stage = \(stages[k])) AS m\(k)")
        }
        b.append(" FROM \(StageHistorySQL.table(schema)) WHERE entity = ")
        b.bind(.text(entity.name), cast: "text")
        b.append(" AND field = ")
        b.bind(.text(query.field), cast: "text")
        b.append(" GROUP BY record_id) SELECT ")
        b.append(query.group.map { "q.\(SQLIdentifier.quote($0.name))::text" } ?? "NULL::text")
        for k in stages.indices {
            let later = (k + 1..<stages.count).map { "a.m\($0)" }
            let reached = later.isEmpty ? "false" : "\(later.count == 1 ? later[0] : "greatest(\(later.joined(separator: ", ")))") > a.e\(k)"
            b.append(", count(a.e\(k)), count(*) FILTER (WHERE \(reached))")
        }
        b.append(" FROM a JOIN ")
        try appendSource(table, to: &b)
        b.append(" ON q.id = a.record_id WHERE q.deleted_at IS NULL")
        try appendRowConditions(query.rows, to: &b)
        b.append(" GROUP BY 1")
        return b
    }

    /// Per stage: completed spells that began in the period (count, mean, p50, p90, standard
    /// deviation, in seconds), and the records there now (count, p50, p90 and oldest age, how many
    /// are stuck). Ages are measured at the request's clock.
    func dwell(_ query: StageMetricsQuery, openStages: [String]) throws(ExpressionError) -> SQLBuilder {
        var b = SQLBuilder()
        try appendSpells(query, to: &b)
        let now = b.placeholder(.text(TimeText.timestamp(environment.now)), cast: "timestamptz")
        let open = b.placeholder(.textArray(openStages), cast: "text[]")
        b.append(", d AS (SELECT stage, extract(epoch FROM left_at - at)::float8 AS secs, extract(epoch FROM \(now) - at)::float8 AS age, ")
        b.append("left_at IS NULL AND stage = ANY(\(open)) AS here, left_at IS NOT NULL")
        appendPeriod(query, column: "at", to: &b)
        b.append(" AS done FROM h WHERE stage = ANY(")
        b.bind(.textArray(query.stages), cast: "text[]")
        b.append(")) SELECT stage, count(*) FILTER (WHERE done), avg(secs) FILTER (WHERE done), ")
        b.append("percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) FILTER (WHERE done), ")
        b.append("percentile_cont(0.9) WITHIN GROUP (ORDER BY secs) FILTER (WHERE done), stddev_pop(secs) FILTER (WHERE done), ")
        b.append("count(*) FILTER (WHERE here), percentile_cont(0.5) WITHIN GROUP (ORDER BY age) FILTER (WHERE here), ")
        b.append("percentile_cont(0.9) WITHIN GROUP (ORDER BY age) FILTER (WHERE here), max(age) FILTER (WHERE here), ")
        b.append("count(*) FILTER (WHERE here AND age > ")
        b.bind(.text(String(Double(query.stuckAfter) / 1e6)), cast: "float8")
        b.append(") FROM d GROUP BY stage")
        return b
    }

    /// The records stuck longest: in an open stage for more than the threshold, oldest first. A
    /// record's last history entry is where it is now, read backwards along the history's index.
    func stuck(_ query: StageMetricsQuery, openStages: [String]) throws(ExpressionError) -> SQLBuilder {
        var b = SQLBuilder("WITH l AS (SELECT DISTINCT ON (record_id) record_id, to_stage AS stage, at FROM \(StageHistorySQL.table(schema))")
        b.append(" WHERE entity = ")
        b.bind(.text(entity.name), cast: "text")
        b.append(" AND field = ")
        b.bind(.text(query.field), cast: "text")
        b.append(" ORDER BY record_id DESC, id DESC)")
        let now = b.placeholder(.text(TimeText.timestamp(environment.now)), cast: "timestamptz")
        b.append(" SELECT l.record_id::text, ")
        b.append(plan.entity.titleField.map { "q.\(SQLIdentifier.quote($0))::text" } ?? "NULL::text")
        b.append(", l.stage, extract(epoch FROM \(now) - l.at)::float8, q.owner_id::text FROM l JOIN ")
        try appendSource(table, to: &b)
        b.append(" ON q.id = l.record_id WHERE q.deleted_at IS NULL")
        try appendRowConditions(query.rows, to: &b)
        b.append(" AND l.stage = ANY(")
        b.bind(.textArray(openStages), cast: "text[]")
        b.append(") AND extract(epoch FROM \(now) - l.at) > ")
        b.bind(.text(String(Double(query.stuckAfter) / 1e6)), cast: "float8")
        b.append(" ORDER BY l.at, l.record_id LIMIT \(query.stuckLimit)")
        return b
    }

    /// How many stays in `stages` (entered in the period) ended, or have lasted so far, within
    /// their stage's time, and how many stays there are.
    func onTime(
        _ query: StageMetricsQuery, stages: [String], within: [(stage: String, seconds: Double)], otherwise: Double?
    ) throws(ExpressionError) -> SQLBuilder {
        var b = SQLBuilder()
        try appendSpells(query, to: &b)
        let now = b.placeholder(.text(TimeText.timestamp(environment.now)), cast: "timestamptz")
        b.append(", d AS (SELECT extract(epoch FROM coalesce(left_at, \(now)) - at)::float8 AS secs, coalesce((")
        b.bind(.textArray(within.map { String($0.seconds) }), cast: "float8[]")
        b.append(")[array_position(")
        b.bind(.textArray(within.map(\.stage)), cast: "text[]")
        b.append(", stage)], ")
        b.bind(otherwise.map { .text(String($0)) } ?? .null, cast: "float8")
        b.append(") AS lim FROM h WHERE stage = ANY(")
        b.bind(.textArray(stages), cast: "text[]")
        b.append(")")
        appendPeriod(query, column: "at", to: &b)
        b.append(") SELECT count(*) FILTER (WHERE secs <= lim), count(*) FROM d WHERE lim IS NOT NULL")
        return b
    }

    /// How many of the query's records (created in the period) have every one of `fields` filled
    /// (text not empty, lists not empty), and how many records there are.
    func completeness(_ query: StageMetricsQuery, fields: [Column]) throws(ExpressionError) -> SQLBuilder {
        var b = SQLBuilder("SELECT count(*) FILTER (WHERE ")
        b.append(
            fields.map { column -> String in
                let c = "q." + SQLIdentifier.quote(column.name)
                switch column.type {
                case .multiSelect, .attachment: return "coalesce(cardinality(\(c)), 0) > 0"
                case .text, .longText, .email, .phone, .url: return "coalesce(\(c), '') <> ''"
                default: return "\(c) IS NOT NULL"
                }
            }.joined(separator: " AND "))
        b.append("), count(*) FROM ")
        try appendSource(table, to: &b)
        b.append(" WHERE q.deleted_at IS NULL")
        try appendRowConditions(query.rows, to: &b)
        appendPeriod(query, column: "q.created_at", to: &b)
        return b
    }
}
