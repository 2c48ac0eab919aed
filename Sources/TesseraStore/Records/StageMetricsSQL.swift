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
        if let from = query.from {
            b.append(" AND \(column) >= ")
            b.bind(.text(TimeText.timestamp(from)), cast: "timestamptz")
        }
        if let to = query.to {
            b.append(" AND \(column) < ")
            b.bind(.text(TimeText.timestamp(to)), cast: "timestamptz")
        }
    }

    /// Per group and stage: the records that entered the stage in the period (their first entry),
    /// and how many of them later reached a stage further down the funnel. One pass of window
    /// functions over the history (a correlated look-ahead per entry took minutes at 500,000 rows):
    /// for each entry, the furthest stage any later change of its record reached.
    func funnel(_ query: StageMetricsQuery) throws(ExpressionError) -> SQLBuilder {
        var b = SQLBuilder()
        try appendSpells(query, to: &b)
        let stages = b.placeholder(.textArray(query.stages), cast: "text[]")
        // `inside`: the entry falls in the period; the first entry inside it counts, and what
        // the record reached later counts whenever it happened.
        b.append(", p AS (SELECT record_id, hid, grp, stage, at, (true")
        appendPeriod(query, column: "at", to: &b)
        b.append(") AS inside FROM h WHERE stage = ANY(\(stages)))")
        b.append(", f AS (SELECT grp, stage, inside, array_position(\(stages), stage) AS pos, ")
        b.append("max(array_position(\(stages), stage)) OVER (PARTITION BY record_id ORDER BY at DESC, hid DESC ")
        b.append("ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS later, ")
        b.append("row_number() OVER (PARTITION BY record_id, stage, inside ORDER BY at, hid) AS nth FROM p)")
        b.append(" SELECT grp, stage, count(*), count(*) FILTER (WHERE later > pos) FROM f WHERE inside AND nth = 1 GROUP BY 1, 2")
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

    /// The records stuck longest: in an open stage for more than the threshold, oldest first.
    func stuck(_ query: StageMetricsQuery, openStages: [String]) throws(ExpressionError) -> SQLBuilder {
        var b = SQLBuilder()
        try appendSpells(query, to: &b)
        let now = b.placeholder(.text(TimeText.timestamp(environment.now)), cast: "timestamptz")
        b.append(
            " SELECT record_id::text, title, stage, extract(epoch FROM \(now) - at)::float8, owner FROM h WHERE left_at IS NULL AND stage = ANY(")
        b.bind(.textArray(openStages), cast: "text[]")
        b.append(") AND extract(epoch FROM \(now) - at) > ")
        b.bind(.text(String(Double(query.stuckAfter) / 1e6)), cast: "float8")
        b.append(" ORDER BY at, record_id LIMIT \(query.stuckLimit)")
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
