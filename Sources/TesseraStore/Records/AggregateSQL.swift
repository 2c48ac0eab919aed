import TesseraCore

extension RecordSQL {
    /// The groups of `query` as rows, in the query's order: one text per key, one text per metric,
    /// whether the row is the folded rest, its rank, and how many groups there are in all. At most
    /// `limit` groups come back, then the rest as one `other` row whose figures are exact (an
    /// average of averages would not be). The rows are the list's: the caller's read scope, live
    /// records, the filters and `where=`.
    ///
    /// Counts, sums, minimums, maximums and averages (kept as sum and count) fold from the groups:
    ///
    ///     WITH g AS (SELECT <keys>, <metrics> FROM <source> WHERE … GROUP BY 1, 2…),
    ///          ranked AS (SELECT g.*, row_number() OVER (ORDER BY …) AS rn, count(*) OVER () AS total FROM g)
    ///     SELECT k…::text, m…::text, false, rn, total FROM ranked WHERE rn <= n
    ///     UNION ALL SELECT NULL…, <folded m…>, true, n + 1, max(total) FROM ranked WHERE rn > n HAVING count(*) > 0
    ///
    /// Distinct counts and percentiles do not, so with one of them the rest is computed again over
    /// its own rows (the filtered rows kept once in a `base` CTE).
    func aggregate(_ query: AggregateQuery) throws(ExpressionError) -> SQLBuilder {
        let folds = query.metrics.allSatisfy { $0.function != .countDistinct && $0.function != .percentile }
        return folds ? try foldedAggregate(query) : try recomputedAggregate(query)
    }

    private func foldedAggregate(_ query: AggregateQuery) throws(ExpressionError) -> SQLBuilder {
        let keys = query.groups.indices.map { "k\($0)" }
        var b = SQLBuilder("WITH g AS (SELECT 1 AS one")
        appendKeys(query, to: &b)
        for (i, metric) in query.metrics.enumerated() {
            let input = metric.column.map { "q." + SQLIdentifier.quote($0.name) } ?? ""
            // No percentile here: those are recomputed (see `aggregate`).
            b.append(", " + Self.metricSQL(metric, input: input, fraction: nil) + " AS m\(i)")
            if metric.function == .avg { b.append(", sum(\(input)) AS s\(i), count(\(input)) AS c\(i)") }
        }
        try appendFromWhere(query.rows, deletedOnly: false, to: &b)
        if !keys.isEmpty { b.append(" GROUP BY " + keys.indices.map { String($0 + 2) }.joined(separator: ", ")) }
        b.append("), ranked AS (SELECT g.*, row_number() OVER (ORDER BY " + orderSQL(query) + ") AS rn, count(*) OVER () AS total FROM g)")
        let texts = keys.map { "\($0)::text" } + query.metrics.indices.map { "m\($0)::text" }
        b.append(" SELECT " + texts.joined(separator: ", ") + ", false, rn, total FROM ranked WHERE rn <= \(query.limit)")
        if !keys.isEmpty {
            b.append(" UNION ALL SELECT " + keys.map { _ in "NULL::text" }.joined(separator: ", "))
            for (i, metric) in query.metrics.enumerated() {
                let folded: String =
                    switch metric.function {
                    case .count, .sum: "sum(m\(i))"
                    case .min, .max: "\(metric.function.rawValue)(m\(i))"
                    case .avg: "(sum(s\(i)) / nullif(sum(c\(i)), 0))::float8"
                    case .countDistinct, .percentile: "NULL"
                    }
                b.append(", (\(folded))::text")
            }
            b.append(", true, \(query.limit + 1), max(total) FROM ranked WHERE rn > \(query.limit) HAVING count(*) > 0")
        }
        // The answer's order: the top groups by rank (the column after `other`), the rest last.
        b.append(" ORDER BY \(texts.count + 2)")
        return b
    }

    private func recomputedAggregate(_ query: AggregateQuery) throws(ExpressionError) -> SQLBuilder {
        let keys = query.groups.indices.map { "k\($0)" }
        var b = SQLBuilder("WITH base AS (SELECT 1 AS one")
        appendKeys(query, to: &b)
        for (i, metric) in query.metrics.enumerated() {
            guard let column = metric.column else { continue }
            b.append(", q.\(SQLIdentifier.quote(column.name)) AS v\(i)")
        }
        try appendFromWhere(query.rows, deletedOnly: false, to: &b)
        b.append("), g AS (SELECT ")
        let fractions = query.metrics.map { fraction($0, &b) }
        b.append(
            (keys + query.metrics.indices.map { Self.metricSQL(query.metrics[$0], input: "v\($0)", fraction: fractions[$0]) + " AS m\($0)" })
                .joined(separator: ", "))
        b.append(" FROM base")
        if !keys.isEmpty { b.append(" GROUP BY " + keys.joined(separator: ", ")) }
        b.append("), top AS (SELECT g.*, row_number() OVER (ORDER BY ")
        b.append(orderSQL(query))
        b.append(") AS rn FROM g ORDER BY rn LIMIT \(query.limit))")
        let texts = keys.map { "\($0)::text" } + query.metrics.indices.map { "m\($0)::text" }
        b.append(" SELECT " + texts.joined(separator: ", ") + ", false, rn, (SELECT count(*) FROM g) FROM top")
        if !keys.isEmpty {
            b.append(" UNION ALL SELECT " + keys.map { _ in "NULL::text" }.joined(separator: ", "))
            for (i, metric) in query.metrics.enumerated() {
                b.append(", (" + Self.metricSQL(metric, input: "v\(i)", fraction: fractions[i]) + ")::text")
            }
            b.append(", true, \(query.limit + 1), (SELECT count(*) FROM g) FROM base WHERE NOT EXISTS (SELECT 1 FROM top WHERE ")
            b.append(keys.map { "top.\($0) IS NOT DISTINCT FROM base.\($0)" }.joined(separator: " AND "))
            b.append(") HAVING count(*) > 0")
        }
        b.append(" ORDER BY \(texts.count + 2)")
        return b
    }

    /// `, <key> AS k0, <key> AS k1…`: every group key of the query.
    private func appendKeys(_ query: AggregateQuery, to b: inout SQLBuilder) {
        for (i, group) in query.groups.enumerated() {
            b.append(", ")
            appendKey(group, to: &b)
            b.append(" AS k\(i)")
        }
    }

    /// A group key over the row `q`: the value, the local date truncated to the unit, or the band's number.
    private func appendKey(_ group: AggregateQuery.Group, to b: inout SQLBuilder) {
        let c = "q." + SQLIdentifier.quote(group.column.name)
        switch group.bucket {
        case .value:
            b.append(c)
        case .date(let unit):
            b.append("date_trunc(")
            b.bind(.text(unit.rawValue), cast: "text")
            if group.column.type == .datetime {
                // The local date in the tenant's zone: a bucket is a local day, week or month across DST.
                b.append(", (\(c) AT TIME ZONE ")
                b.bind(.text(timeZone), cast: "text")
                b.append("))::date")
            } else {
                b.append(", \(c)::timestamp)::date")
            }
        case .bands(let edges):
            b.append("width_bucket(\(c)::numeric, ")
            b.bind(.text("{" + edges.map { AggregateQuery.text($0) }.joined(separator: ",") + "}"), cast: "numeric[]")
            b.append(")")
        }
    }

    /// A percentile's fraction as a bound parameter (its placeholder), nil for other metrics.
    private func fraction(_ metric: AggregateQuery.Metric, _ b: inout SQLBuilder) -> String? {
        metric.fraction.map { b.placeholder(.text(AggregateQuery.text($0)), cast: "float8") }
    }

    /// The SQL of a metric over its input (a column of `q`, or of the `base` rows); `fraction` is a
    /// percentile's bound fraction.
    private static func metricSQL(_ metric: AggregateQuery.Metric, input v: String, fraction: String?) -> String {
        switch metric.function {
        case .count: return "count(*)"
        case .countDistinct: return "count(DISTINCT \(v))"
        case .sum: return "sum(\(v))"
        case .avg: return "avg(\(v))::float8"
        case .min, .max:
            let figure = "\(metric.function.rawValue)(\(v))"
            // Instants as the API writes them everywhere: ISO 8601 in UTC.
            guard metric.column?.type == .datetime else { return figure }
            return "to_char(\(figure) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        case .percentile:
            return "percentile_cont(\(fraction ?? "0.5")) WITHIN GROUP (ORDER BY \(v)::float8)"
        }
    }

    /// The groups' ranking: the query's keys, then every group key so equal figures keep one order.
    private func orderSQL(_ query: AggregateQuery) -> String {
        var parts = query.order.map { key, descending -> String in
            let name: String =
                switch key {
                case .metric(let i): "m\(i)"
                case .group(let i): "k\(i)"
                }
            return "\(name) \(descending ? "DESC NULLS LAST" : "ASC NULLS LAST")"
        }
        parts += query.groups.indices.map { "k\($0) ASC NULLS LAST" }
        if parts.isEmpty { parts = ["1"] }
        return parts.joined(separator: ", ")
    }
}
