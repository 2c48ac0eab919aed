import Foundation

/// A process-metrics request over an entity's stage history (`/api/v1/metrics/funnel` and
/// `/api/v1/metrics/dwell`): which stage field, which period (entries into a stage between `from`
/// and `to`), which records (the list's filters, within the caller's read scope), an optional
/// grouping by a field of the record, and for dwell the age above which a record is stuck.
public struct StageMetricsQuery: Sendable, Equatable {
    public let field: String
    /// The funnel's stages in order (the field's options, without its exempt ones such as "lost").
    public let stages: [String]
    /// Microseconds since 1970; nil: unbounded.
    public var from: Int64?
    public var to: Int64?
    public var group: Column?
    public var rows = ListQuery()
    /// A record in a stage longer than this is stuck (microseconds).
    public var stuckAfter: Int64 = 72 * 3_600_000_000
    public var stuckLimit = 20

    public static let maxStuckLimit = 200

    /// `entity`'s stage field must be `field`; `from`/`to` are dates (local midnight in `zone`) or
    /// instants; every other parameter is a list filter.
    public static func parse(
        _ pairs: [(String, String)], model: EntityModel, visibleEntity: EntityDefinition, zone: TimeZoneRules,
        related: @escaping @Sendable (String) -> EntityDefinition? = { _ in nil }
    ) throws(TesseraError) -> StageMetricsQuery {
        var problems: [TesseraError.Detail] = []
        var rowPairs: [(String, String)] = []
        var fieldName: String?
        var from: Int64?, to: Int64?, group: Column?, stuck: Int64?, limit: Int?
        func instant(_ key: String, _ text: String) -> Int64? {
            if let days = TimeText.parseDate(text) { return zone.midnight(days) }
            if let micros = TimeText.parseTimestamp(text) { return micros }
            problems.append(.metrics(field: key, rule: "type", .instant(key)))
            return nil
        }
        for (name, value) in pairs {
            switch name {
            case "entity": continue
            case "field": fieldName = value
            case "from": from = instant(name, value)
            case "to": to = instant(name, value)
            case "group":
                guard let column = Column.resolve(value, in: visibleEntity),
                    [.select, .user, .relation, .boolean].contains(column.type)
                else {
                    problems.append(.metrics(field: "group", rule: "type", .groupField(value)))
                    continue
                }
                group = column
            case "stuck":
                guard let micros = DurationText.parse(value), micros > 0 else {
                    problems.append(.metrics(field: "stuck", rule: "duration", .stuckShape(value)))
                    continue
                }
                stuck = micros
            case "limit":
                guard let n = Int(value), (1...maxStuckLimit).contains(n) else {
                    problems.append(.metrics(field: "limit", rule: "limit", .limitShape(max: maxStuckLimit)))
                    continue
                }
                limit = n
            case "cursor", "select", "count", "deleted", "order", "metrics":
                problems.append(.metrics(field: name, rule: "unknown_parameter", .notForMetrics(name)))
            default: rowPairs.append((name, value))
            }
        }
        let stage = model.stage
        let field = fieldName ?? stage?.field ?? ""
        if stage == nil || stage?.field != field {
            problems.append(.metrics(field: "field", rule: "no_stage", .noStageField(field, entity: model.name)))
        } else if visibleEntity.field(field) == nil {
            throw TesseraError(status: 403, code: "forbidden", localized: MetricsMessage.hiddenField(field))
        }
        if let from, let to, from >= to { problems.append(.metrics(field: "to", rule: "range", .period)) }
        var rows = ListQuery()
        do {
            rows = try ListQueryParser.parse(rowPairs, entity: visibleEntity, related: related)
        } catch {
            problems += error.details
        }
        guard problems.isEmpty, let stage else { throw .validation(problems) }
        var query = StageMetricsQuery(field: field, stages: stage.stages.filter { !stage.config.exempt.contains($0) })
        query.from = from
        query.to = to
        query.group = group
        query.rows = rows
        if let stuck { query.stuckAfter = stuck }
        if let limit { query.stuckLimit = limit }
        return query
    }

    /// A period over records that need no stage (what completeness reads).
    public static func records(_ rows: ListQuery, from: Int64?, to: Int64?) -> StageMetricsQuery {
        var query = StageMetricsQuery(field: "", stages: [])
        query.rows = rows
        query.from = from
        query.to = to
        return query
    }

    init(field: String, stages: [String]) {
        self.field = field
        self.stages = stages
    }

    public static func == (a: StageMetricsQuery, b: StageMetricsQuery) -> Bool {
        a.field == b.field && a.stages == b.stages && a.from == b.from && a.to == b.to && a.group == b.group && a.rows == b.rows
            && a.stuckAfter == b.stuckAfter && a.stuckLimit == b.stuckLimit
    }
}
