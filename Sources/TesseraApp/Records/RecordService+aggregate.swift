import Foundation
public import TesseraCore
import TesseraStore

extension RecordService {
    /// The entity's records grouped and measured (`GET /api/v1/data/{entity}/aggregate`): within the
    /// caller's read scope, over the rows the list's filters select. A field the caller may not read
    /// can be neither a key nor a metric (403 naming it). Option keys come with their labels, user
    /// keys with names, related records with their titles where the caller may read them; with one
    /// date key, its empty periods are filled with zeros.
    public func aggregate(_ caller: Caller, entity: String, _ pairs: [(String, String)]) async throws -> JSONValue {
        let planned = try await plan(.list, caller, entity: entity, evaluates: pairs.contains { $0.0 == "where" })
        let plan = planned.plan
        let current = planned.metadata
        let query = try AggregateQueryParser.parse(
            pairs, entity: plan.entity, visibleEntity: plan.visibleEntity,
            related: { name in (try? current.model(name)).map { RecordPlan.visible(planned.caller, $0) } })
        let used = query.groups.map(\.column.name) + query.metrics.compactMap(\.column?.name)
        if let hidden = used.first(where: plan.hidden.contains) {
            throw TesseraError(status: 403, code: "forbidden", localized: AggregateMessage.hiddenField(hidden))
        }
        let (rows, total) = try await store.aggregate(plan, query)
        var data = rows.map { row in Self.json(row, query) }
        // One date key (with or without others) and nothing folded: every period between the first
        // and the last is there for every combination of the other keys, zero when empty.
        let dates = query.groups.compactMap { group -> (String, AggregateQuery.DateUnit)? in
            if case .date(let unit) = group.bucket { return (group.column.name, unit) } else { return nil }
        }
        if dates.count == 1, let (key, unit) = dates.first, rows.count < query.limit {
            data = Self.filled(data, key: key, keys: query.groups.map(\.column.name), unit: unit, metrics: query.metrics)
        }
        return .object([
            ("group", .array(query.groups.map { .string($0.column.name) })),
            ("metrics", .array(query.metrics.map { .string($0.name) })),
            ("data", .array(data)),
            ("groups", .number(total)),
            ("labels", try await labels(query, rows, planned)),
            ("colors", Self.colors(query, rows)),
        ])
    }

    /// One answer row: each key under its field's name, each figure under its metric's.
    static func json(_ row: RecordStore.AggregateRow, _ query: AggregateQuery) -> JSONValue {
        var members: [(String, JSONValue)] = []
        if row.isOther { members.append(("other", .bool(true))) }
        for (group, key) in zip(query.groups, row.keys) {
            members.append((group.column.name, key.map { keyJSON($0, group) } ?? .null))
        }
        for (metric, figure) in zip(query.metrics, row.figures) {
            members.append((metric.name, figureJSON(figure, metric)))
        }
        return .object(members)
    }

    static func keyJSON(_ text: String, _ group: AggregateQuery.Group) -> JSONValue {
        switch group.bucket {
        case .bands(let edges): return .string(AggregateQuery.bandName(Int(text) ?? 0, edges: edges))
        case .date: return .string(text)
        case .value: return group.column.type == .boolean ? .bool(text == "true") : .string(text)
        }
    }

    /// A figure: counts as integers, numbers as numbers, dates and instants as text; an empty
    /// group's sum is 0 and its average, minimum, maximum and percentile null.
    static func figureJSON(_ text: String?, _ metric: AggregateQuery.Metric) -> JSONValue {
        guard let text else { return metric.function == .sum ? .number(0) : .null }
        switch metric.function {
        case .count, .countDistinct, .sum, .avg, .percentile: return .number(text)
        case .min, .max: return metric.column?.type.isNumeric == true ? .number(text) : .string(text)
        }
    }

    /// The rows with every missing period between the first and the last date added as zero
    /// (counts and sums 0, the other figures null) for each combination of the other keys, in
    /// date order within each combination (combinations in the order they first appear).
    static func filled(
        _ data: [JSONValue], key: String, keys: [String], unit: AggregateQuery.DateUnit, metrics: [AggregateQuery.Metric]
    ) -> [JSONValue] {
        let others = keys.filter { $0 != key }
        var combinations: [String] = []
        var byCombination: [String: (values: [String: JSONValue], rows: [String: JSONValue])] = [:]
        var undated: [JSONValue] = []
        for row in data {
            guard let date = row[key]?.stringValue, row["other"] == nil else {
                undated.append(row)
                continue
            }
            let values = Dictionary(uniqueKeysWithValues: others.map { ($0, row[$0] ?? .null) })
            let id = JSONWriter.string(.array(others.map { values[$0] ?? .null }))
            if byCombination[id] == nil {
                combinations.append(id)
                byCombination[id] = (values, [:])
            }
            byCombination[id]?.rows[date] = row
        }
        let all = byCombination.values.flatMap { $0.rows.keys }
        guard let first = all.min(), let last = all.max(), let start = TimeText.parseDate(first), let end = TimeText.parseDate(last) else {
            return data
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var periods: [String] = []
        var day = start
        // A bound on the periods filled, whatever the range (days over 30 years).
        while day <= end, periods.count < 12_000 {
            periods.append(TimeText.date(day))
            let step: DateComponents =
                switch unit {
                case .day: DateComponents(day: 1)
                case .week: DateComponents(day: 7)
                case .month: DateComponents(month: 1)
                case .quarter: DateComponents(month: 3)
                case .year: DateComponents(year: 1)
                }
            guard let next = calendar.date(byAdding: step, to: Date(timeIntervalSince1970: Double(day) * 86_400)) else { break }
            day = Int64((next.timeIntervalSince1970 / 86_400).rounded())
        }
        var out: [JSONValue] = []
        for id in combinations {
            guard let combination = byCombination[id] else { continue }
            for period in periods {
                if let row = combination.rows[period] {
                    out.append(row)
                    continue
                }
                let members: [(String, JSONValue)] =
                    keys.map { name in (name, name == key ? .string(period) : combination.values[name] ?? .null) }
                    + metrics.map { ($0.name, $0.function == .count || $0.function == .countDistinct ? .number(0) : figureJSON(nil, $0)) }
                out.append(.object(members))
            }
        }
        return out + undated
    }

    /// The select options' colours of the keys (what charts draw them in).
    static func colors(_ query: AggregateQuery, _ rows: [RecordStore.AggregateRow]) -> JSONValue {
        var out: [(String, JSONValue)] = []
        for (i, group) in query.groups.enumerated() where group.bucket == .value && group.column.type == .select {
            let keys = Set(rows.compactMap { $0.keys[i] })
            let colored = (group.column.field?.options ?? []).filter { keys.contains($0.key) }.compactMap { o in
                o.color.map { (o.key, JSONValue.string($0)) }
            }
            if !colored.isEmpty { out.append((group.column.name, .object(colored))) }
        }
        return .object(out)
    }

    /// Labels of the keys: option labels (zh-CN and en), users' names, related records' titles
    /// (only those the caller can read, as the list shows them).
    func labels(_ query: AggregateQuery, _ rows: [RecordStore.AggregateRow], _ planned: Planned) async throws -> JSONValue {
        var out: [(String, JSONValue)] = []
        for (i, group) in query.groups.enumerated() where group.bucket == .value {
            let keys = Array(Set(rows.compactMap { $0.keys[i] })).sorted()
            guard !keys.isEmpty else { continue }
            switch group.column.type {
            case .select:
                let options = group.column.field?.options ?? []
                out.append(
                    (group.column.name, .object(keys.compactMap { key in options.first { $0.key == key }.map { (key, $0.label.json) } })))
            case .user:
                let names = try await store.userNames(planned.plan.tenant, keys)
                out.append((group.column.name, .object(keys.compactMap { key in names[key].map { (key, .string($0)) } })))
            case .relation:
                guard let target = group.column.field?.target, let title = try? planned.metadata.model(target).definition.titleField else { continue }
                let pairs = [("id", "in.(" + keys.joined(separator: ",") + ")"), ("select", "id," + title), ("limit", "500")]
                guard let page = try? await list(planned.caller, entity: target, pairs) else { continue }
                let titles: [(String, JSONValue)] = page.records.compactMap { text in
                    guard let record = try? JSONParser.parse(text), let id = record["id"]?.stringValue else { return nil }
                    return (id, record[title] ?? .null)
                }
                out.append((group.column.name, .object(titles)))
            default: continue
            }
        }
        return .object(out)
    }
}
