public import TesseraCore
import TesseraStore

extension RecordService {
    /// The funnel of an entity's stage field (`GET /api/v1/metrics/funnel?entity=…`): per stage, the
    /// records that entered it in the period and the share of them that went on to a later stage;
    /// with `group=`, the same per value of that field.
    public func funnel(_ caller: Caller, _ pairs: [(String, String)]) async throws -> JSONValue {
        let (planned, query) = try await stageQuery(caller, pairs)
        let cells = try await store.funnel(planned.plan, query)
        let labels = Self.stageLabels(planned.plan.model, query)
        func stages(_ group: String?) -> JSONValue {
            .array(
                query.stages.map { stage in
                    let cell = cells.first { $0.group == group && $0.stage == stage }
                    let entered = cell?.entered ?? 0, converted = cell?.converted ?? 0
                    return .object(
                        labels(stage) + [
                            ("entered", .number(entered)), ("converted", .number(converted)),
                            ("conversion", entered == 0 ? .null : .number(Double(converted) / Double(entered))),
                        ])
                })
        }
        var members = Self.header(planned, query)
        if query.group != nil {
            let groups = Array(Set(cells.map(\.group))).sorted { ($0 ?? "\u{10FFFF}") < ($1 ?? "\u{10FFFF}") }
            members.append(("groups", .array(groups.map { .object([("key", $0.map(JSONValue.string) ?? .null), ("stages", stages($0))]) })))
        } else {
            members.append(("stages", stages(nil)))
        }
        return .object(members)
    }

    /// Time in each stage (`GET /api/v1/metrics/dwell?entity=…`): completed spells that began in the
    /// period (mean, p50, p90, coefficient of variation), the records in each stage now and how old
    /// their stay is (a backing-up stage shows there, not in completed spells), the records stuck
    /// past `stuck=` (72 h by default) and the three stages with the most of them.
    public func dwell(_ caller: Caller, _ pairs: [(String, String)]) async throws -> JSONValue {
        let (planned, query) = try await stageQuery(caller, pairs)
        let open = Self.openStages(planned.plan.model, query)
        async let rows = store.dwell(planned.plan, query, openStages: open)
        async let stuck = store.stuck(planned.plan, query, openStages: open)
        let (figures, records) = try await (rows, stuck)
        let labels = Self.stageLabels(planned.plan.model, query)
        func number(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }
        let stages: [JSONValue] = query.stages.map { stage in
            let row = figures.first { $0.stage == stage }
            let cv: Double? = row.flatMap { r in r.mean.flatMap { mean in mean > 0 ? r.stddev.map { $0 / mean } : nil } }
            return .object(
                labels(stage) + [
                    ("spells", .number(row?.spells ?? 0)), ("mean_seconds", number(row?.mean)), ("p50_seconds", number(row?.p50)),
                    ("p90_seconds", number(row?.p90)), ("cv", number(cv)), ("open", .bool(open.contains(stage))),
                    ("current", .number(row?.current ?? 0)), ("age_p50_seconds", number(row?.ageP50)),
                    ("age_p90_seconds", number(row?.ageP90)), ("oldest_seconds", number(row?.oldest)), ("stuck", .number(row?.stuck ?? 0)),
                ])
        }
        let top = figures.filter { $0.stuck > 0 }.sorted { ($0.stuck, $1.stage) > ($1.stuck, $0.stage) }.prefix(3).map(\.stage)
        var members = Self.header(planned, query)
        members += [
            ("stuck_after_seconds", .number(Double(query.stuckAfter) / 1e6)), ("stages", .array(stages)),
            ("top_stuck", .array(top.map(JSONValue.string))),
            (
                "stuck_records",
                .array(
                    records.map { r in
                        .object([
                            ("id", .string(r.id)), ("title", r.title.map(JSONValue.string) ?? .null), ("stage", .string(r.stage)),
                            ("seconds", .number(r.seconds)), ("owner_id", r.owner.map(JSONValue.string) ?? .null),
                        ])
                    })
            ),
        ]
        return .object(members)
    }

    /// A health score over the caller's records: each part's share (stays on time, records
    /// complete) in the period, the score `Σ weight × share` as a percentage (over the parts that
    /// had anything to measure), and the colour of the threshold it reaches.
    public func health(
        _ score: DashboardDefinition.HealthScore, _ caller: Caller, from: String?, to: String?, zone: TimeZoneRules
    ) async throws -> JSONValue {
        let planned = try await plan(.list, caller, entity: score.entity)
        let plan = planned.plan
        func instant(_ text: String?) -> Int64? {
            guard let text else { return nil }
            return TimeText.parseDate(text).map(zone.midnight) ?? TimeText.parseTimestamp(text)
        }
        var parts: [JSONValue] = []
        var weighted = 0.0, weights = 0.0
        for part in score.parts {
            let counts: (hit: Int, all: Int)
            switch part.measure {
            case .onTime(let within, let otherwise):
                var pairs: [(String, String)] = []
                if let from { pairs.append(("from", from)) }
                if let to { pairs.append(("to", to)) }
                let query = try StageMetricsQuery.parse(pairs, model: plan.model, visibleEntity: plan.visibleEntity, zone: zone)
                counts = try await store.onTime(
                    plan, query, stages: Self.openStages(plan.model, query),
                    within: within.sorted { $0.key < $1.key }.map { ($0.key, Double($0.value) / 1e6) }, otherwise: otherwise.map { Double($0) / 1e6 })
            case .completeness(let fields):
                if let hidden = fields.first(where: plan.hidden.contains) {
                    throw TesseraError(status: 403, code: "forbidden", localized: MetricsMessage.hiddenField(hidden))
                }
                let columns = fields.compactMap { Column.resolve($0, in: plan.entity) }
                counts = try await store.completeness(plan, .records(ListQuery(), from: instant(from), to: instant(to)), fields: columns)
            }
            let share: Double? = counts.all == 0 ? nil : Double(counts.hit) / Double(counts.all)
            if let share {
                weighted += part.weight * share
                weights += part.weight
            }
            parts.append(
                .object([
                    ("name", .string(part.name)), ("label", part.label?.json ?? .null), ("weight", .number(part.weight)),
                    ("target", part.target.map { .number($0) } ?? .null), ("share", share.map { .number($0) } ?? .null),
                    ("met", share.flatMap { s in part.target.map { .bool(s >= $0) } } ?? .null), ("counted", .number(counts.all)),
                    ("hits", .number(counts.hit)),
                ]))
        }
        let value: Double? = weights > 0 ? weighted / weights * 100 : nil
        let threshold = value.flatMap { v in score.thresholds.first { v >= $0.min } }
        return .object([
            ("entity", .string(score.entity)), ("score", value.map { .number(($0 * 10).rounded() / 10) } ?? .null),
            ("color", threshold.map { .string($0.color) } ?? .null), ("level", threshold?.label?.json ?? .null), ("parts", .array(parts)),
        ])
    }

    /// The plan (a list's: read scope, visible fields) and the parsed request.
    private func stageQuery(_ caller: Caller, _ pairs: [(String, String)]) async throws -> (Planned, StageMetricsQuery) {
        guard let entity = pairs.first(where: { $0.0 == "entity" })?.1 else {
            throw TesseraError.validation([.metrics(field: "entity", rule: "required", .entityRequired)])
        }
        let planned = try await plan(.list, caller, entity: entity, evaluates: pairs.contains { $0.0 == "where" })
        let current = planned.metadata
        let zone = TimeZoneRules(identifier: caller.tenant.timeZone) ?? .utc
        let query = try StageMetricsQuery.parse(
            pairs, model: planned.plan.model, visibleEntity: planned.plan.visibleEntity, zone: zone,
            related: { name in (try? current.model(name)).map { RecordPlan.visible(planned.caller, $0) } })
        return (planned, query)
    }

    private static func header(_ planned: Planned, _ query: StageMetricsQuery) -> [(String, JSONValue)] {
        [
            ("entity", .string(planned.plan.entity.name)), ("field", .string(query.field)),
            ("from", query.from.map { .string(TimeText.timestamp($0)) } ?? .null), ("to", query.to.map { .string(TimeText.timestamp($0)) } ?? .null),
        ]
    }

    /// A stage's key, its label and its colour, as the field's options give them.
    private static func stageLabels(_ model: EntityModel, _ query: StageMetricsQuery) -> (String) -> [(String, JSONValue)] {
        let options = model.definition.field(query.field)?.options ?? []
        return { stage in
            let option = options.first { $0.key == stage }
            return [
                ("stage", .string(stage)), ("label", option?.label.json ?? .null), ("color", option?.color.map(JSONValue.string) ?? .null),
            ]
        }
    }

    /// The funnel's stages a record can still leave (a final stage such as "won" is not one to be stuck in).
    static func openStages(_ model: EntityModel, _ query: StageMetricsQuery) -> [String] {
        guard let transitions = model.stage?.config.transitions else { return query.stages }
        return query.stages.filter { stage in transitions.contains { $0.0 == stage && !$0.1.isEmpty } }
    }
}
