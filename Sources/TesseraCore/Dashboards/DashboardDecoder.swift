/// Reads and checks a dashboard against the tenant's entities, roles and shared views: every
/// widget has one source its kind can show, its query parses as the API would parse it, its
/// period is one the server knows, and a health score's parts name real stages and fields with
/// weights adding up to 1. Every problem is collected into one 422.
public enum DashboardDecoder {
    public static let maxWidgets = 24
    static let allowed: Set<String> = ["name", "label", "roles", "widgets", "owner"]
    static let widgetKeys: Set<String> = [
        "name", "label", "kind", "aggregate", "funnel", "dwell", "view", "health", "period", "period_field",
    ]
    static let sources = ["aggregate", "funnel", "dwell", "view", "health"]

    public static func dashboard(
        _ json: JSONValue, entities: [EntityDefinition], roles: [String], views: [String]
    ) throws(TesseraError) -> DashboardDefinition {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "", problems: &problems) else { throw .invalidMetadata(problems) }
        reader.rejectUnknown(allowed: allowed)
        let name = reader.string("name") ?? ""
        if !APIName.isValid(name) { reader.fail("name", rule: "name", .nameMustMatch) }
        let label = reader.label("label")
        let roleNames = reader.stringArray("roles") ?? []
        // Set by the server from the author's credential (see DashboardChangePlanner), never by a body.
        let owner = reader.string("owner").flatMap(UUIDText.normalized)
        for (i, role) in roleNames.enumerated() where role != RoleDefinition.adminName && !roles.contains(role) {
            problems.append(.definition(field: "roles[\(i)]", rule: "unknown_role", .about("roles[\(i)]", .unknownRole(role))))
        }
        let byName = Dictionary(entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var widgets: [DashboardDefinition.Widget] = []
        if case .array(let items)? = reader.raw("widgets"), (1...maxWidgets).contains(items.count) {
            var seen: Set<String> = []
            for (i, item) in items.enumerated() {
                let path = "widgets[\(i)]"
                if let name = item["name"]?.stringValue, !seen.insert(name).inserted {
                    problems.append(.dashboard(field: "\(path).name", rule: "duplicate", .widgetTwice(name)))
                }
                if let widget = Self.widget(item, path: path, byName: byName, views: views, problems: &problems) { widgets.append(widget) }
            }
        } else {
            problems.append(.dashboard(field: "widgets", rule: "type", .widgetsShape(max: maxWidgets)))
        }
        problems += reader.problems
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        return DashboardDefinition(name: name, label: label, roles: roleNames, owner: owner, widgets: widgets, json: json)
    }

    static func widget(
        _ json: JSONValue, path: String, byName: [String: EntityDefinition], views: [String], problems: inout [TesseraError.Detail]
    ) -> DashboardDefinition.Widget? {
        guard var reader = ObjectReader(json, path: path, problems: &problems) else { return nil }
        defer { problems += reader.problems }
        reader.rejectUnknown(allowed: widgetKeys)
        let name = reader.string("name") ?? ""
        if !APIName.isValid(name) { reader.fail("name", rule: "name", .nameMustMatch) }
        let label = reader.label("label")
        guard let kind = DashboardDefinition.Kind(rawValue: reader.string("kind") ?? "") else {
            let kinds = DashboardDefinition.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            reader.fail("kind", rule: "enum", .mustBeOneOf(reader.at("kind"), kinds))
            return nil
        }
        let given = sources.filter { reader.has($0) }
        guard given.count == 1, let sourceName = given.first, let raw = reader.raw(sourceName) else {
            problems.append(.dashboard(field: path, rule: "source", .sourceShape(path)))
            return nil
        }
        let at = "\(path).\(sourceName)"
        var source: DashboardDefinition.Source?
        var entity: EntityDefinition?
        switch sourceName {
        case "view":
            if case .string(let view) = raw, views.contains(view) {
                source = .view(view)
            } else {
                problems.append(.dashboard(field: at, rule: "unknown_view", .noView(raw.stringValue ?? "?")))
            }
        case "health":
            if let score = health(raw, path: at, byName: byName, problems: &problems) {
                source = .health(score)
                entity = byName[score.entity]
            }
        default:
            guard var inner = ObjectReader(raw, path: at, problems: &problems) else { return nil }
            inner.rejectUnknown(allowed: ["entity", "query"])
            let query = inner.string("query") ?? ""
            if let found = inner.entity("entity", in: byName) {
                entity = found
                check(sourceName, query: query, entity: found, byName: byName, path: at, problems: &problems)
                source =
                    switch sourceName {
                    case "aggregate": .aggregate(entity: found.name, query: query)
                    case "funnel": .funnel(entity: found.name, query: query)
                    default: .dwell(entity: found.name, query: query)
                    }
            }
            problems += inner.problems
        }
        let fits: Bool =
            switch kind {
            case .health: sourceName == "health"
            case .funnel: sourceName == "funnel"
            case .table: ["aggregate", "view", "dwell"].contains(sourceName)
            case .number, .bar, .line, .heatmap: sourceName == "aggregate"
            }
        if !fits { problems.append(.dashboard(field: path, rule: "kind", .kindSource(path: path, kind: kind.rawValue, source: sourceName))) }
        var period: DashboardDefinition.Period?
        if let raw = reader.raw("period"), !raw.isNull {
            period = Self.period(raw)
            if period == nil { problems.append(.dashboard(field: "\(path).period", rule: "period", .periodShape("\(path).period"))) }
            if sourceName == "view" { problems.append(.dashboard(field: "\(path).period", rule: "period", .periodOnView(path))) }
        }
        let periodField = reader.string("period_field")
        if sourceName == "aggregate", period != nil {
            let type = periodField.flatMap { field in entity.flatMap { Column.type(field, in: $0) } }
            if type != .date && type != .datetime {
                problems.append(.dashboard(field: "\(path).period_field", rule: "period_field", .periodField(path)))
            }
        }
        guard let source else { return nil }
        return .init(name: name, label: label, kind: kind, source: source, period: period, periodField: periodField)
    }

    /// The query as the API would parse it (as an admin sees the entity), so a broken one is refused when saved.
    static func check(
        _ source: String, query: String, entity: EntityDefinition, byName: [String: EntityDefinition], path: String,
        problems: inout [TesseraError.Detail]
    ) {
        do {
            let pairs = try QueryString.parse(query)
            if source == "aggregate" {
                _ = try AggregateQueryParser.parse(pairs, entity: entity, visibleEntity: entity, related: { byName[$0] })
            } else {
                let model = EntityModel(entity, related: { byName[$0] })
                _ = try StageMetricsQuery.parse(pairs, model: model, visibleEntity: entity, zone: .utc, related: { byName[$0] })
            }
        } catch {
            problems += error.details.map { $0.prefixed(field: "\(path).query.", message: "\(path).query: ", whenNoField: "\(path).query") }
        }
    }

    static func period(_ raw: JSONValue) -> DashboardDefinition.Period? {
        switch raw {
        case .string("this_week"): return .thisWeek
        case .string("this_month"): return .thisMonth
        case .string("this_quarter"): return .thisQuarter
        case .string("this_year"): return .thisYear
        case .string(let text) where text.hasPrefix("last_") && text.hasSuffix("_days"):
            guard let n = Int(text.dropFirst(5).dropLast(5)), (1...3660).contains(n) else { return nil }
            return .lastDays(n)
        case .object:
            guard let from = raw["from"]?.stringValue, let to = raw["to"]?.stringValue,
                [from, to].allSatisfy({ TimeText.parseDate($0) != nil || TimeText.parseTimestamp($0) != nil })
            else { return nil }
            return .range(from: from, to: to)
        default: return nil
        }
    }

    static func health(
        _ raw: JSONValue, path: String, byName: [String: EntityDefinition], problems: inout [TesseraError.Detail]
    ) -> DashboardDefinition.HealthScore? {
        guard var reader = ObjectReader(raw, path: path, problems: &problems) else { return nil }
        defer { problems += reader.problems }
        reader.rejectUnknown(allowed: ["entity", "parts", "thresholds"])
        guard let entity = reader.entity("entity", in: byName) else { return nil }
        let stageField = entity.fields.first { $0.stage != nil }
        var parts: [DashboardDefinition.HealthScore.Part] = []
        guard case .array(let items)? = reader.raw("parts"), (1...10).contains(items.count) else {
            problems.append(.dashboard(field: "\(path).parts", rule: "type", .partsShape("\(path).parts")))
            return nil
        }
        for (i, item) in items.enumerated() {
            let at = "\(path).parts[\(i)]"
            guard var part = ObjectReader(item, path: at, problems: &problems) else { continue }
            part.rejectUnknown(allowed: ["name", "label", "weight", "target", "on_time", "completeness"])
            let name = part.string("name") ?? ""
            if !APIName.isValid(name) { part.fail("name", rule: "name", .nameMustMatch) }
            let weight = part.double("weight") ?? 0
            let target = part.double("target")
            var measure: DashboardDefinition.HealthScore.Measure?
            switch (part.raw("on_time"), part.raw("completeness")) {
            case (let onTime?, nil):
                guard let stageField, case .object(let members) = onTime,
                    members.allSatisfy({ ["within", "otherwise"].contains($0.0) })
                else { break }
                var within: [String: Int64] = [:]
                var valid = true
                if case .object(let stages)? = onTime["within"] {
                    for (stage, value) in stages {
                        if !stageField.options.contains(where: { $0.key == stage }) {
                            problems.append(
                                .dashboard(field: "\(at).on_time.within.\(stage)", rule: "unknown_stage", .notAStage(stage, field: stageField.name)))
                        }
                        guard let micros = value.stringValue.flatMap(DurationText.parse), micros > 0 else { valid = false; continue }
                        within[stage] = micros
                    }
                }
                let otherwise = onTime["otherwise"]?.stringValue.flatMap(DurationText.parse)
                if onTime["otherwise"] != nil, otherwise == nil { valid = false }
                if valid, !within.isEmpty || otherwise != nil { measure = .onTime(within: within, otherwise: otherwise) }
            case (nil, let fields?):
                guard case .array(let names) = fields, !names.isEmpty else { break }
                let list = names.compactMap(\.stringValue)
                guard list.count == names.count else { break }
                for field in list where Column.resolve(field, in: entity) == nil {
                    let unknown = DefinitionMessage.about("\(at).completeness", .notAField(field, entity: entity.name))
                    problems.append(.definition(field: "\(at).completeness", rule: "unknown_field", unknown))
                }
                measure = .completeness(fields: list)
            default: break
            }
            if measure == nil { problems.append(.dashboard(field: at, rule: "measure", .measureShape(at))) }
            problems += part.problems
            if let measure {
                parts.append(.init(name: name, label: part.label("label"), weight: weight, target: target, measure: measure))
            }
        }
        let sum = parts.reduce(0) { $0 + $1.weight }
        if parts.contains(where: { $0.weight <= 0 }) || abs(sum - 1) > 1e-6 {
            problems.append(.dashboard(field: "\(path).parts", rule: "weights", .weights("\(path).parts")))
        }
        var thresholds: [DashboardDefinition.HealthScore.Threshold] = []
        if case .array(let items)? = reader.raw("thresholds"), (1...10).contains(items.count) {
            for item in items {
                guard let min = item["min"]?.doubleValue, let color = item["color"]?.stringValue, MetadataDecoder.isHexColor(color) else {
                    thresholds = []
                    break
                }
                thresholds.append(.init(min: min, color: color, label: item["label"].flatMap(Label.init(json:))))
            }
        }
        if thresholds.isEmpty { problems.append(.dashboard(field: "\(path).thresholds", rule: "type", .thresholdsShape("\(path).thresholds"))) }
        return .init(entity: entity.name, parts: parts, thresholds: thresholds.sorted { $0.min > $1.min })
    }
}
