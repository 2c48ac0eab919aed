import Foundation

/// Parses an aggregate query string against an entity:
/// `?group=industry,created_at:month,amount:bands(0,100000)&metrics=count,sum(amount),percentile(amount,0.9)
/// &order=sum(amount).desc&limit=20`, every other parameter being a list filter (`stage=eq.won`, `where=`).
/// Every problem is collected into one 422; which fields the caller may read is the plan's to check.
public enum AggregateQueryParser {
    public static func parse(
        _ pairs: [(String, String)], entity: EntityDefinition, visibleEntity: EntityDefinition,
        related: @escaping @Sendable (String) -> EntityDefinition? = { _ in nil }
    ) throws(TesseraError) -> AggregateQuery {
        var query = AggregateQuery()
        var problems: [TesseraError.Detail] = []
        var orderText: String?
        var rowPairs: [(String, String)] = []
        var metricsText: String?
        for (name, value) in pairs {
            switch name {
            case "group":
                let parts = split(value)
                guard (1...AggregateQuery.maxGroups).contains(parts.count) else {
                    problems.append(.aggregate(field: "group", rule: "type", .groupShape(max: AggregateQuery.maxGroups)))
                    continue
                }
                for part in parts { if let group = group(part, entity: entity, problems: &problems) { query.groups.append(group) } }
            case "metrics": metricsText = value
            case "order": orderText = value
            case "limit":
                guard let n = Int(value), (1...AggregateQuery.maxLimit).contains(n) else {
                    problems.append(.aggregate(field: "limit", rule: "limit", .limitShape(max: AggregateQuery.maxLimit)))
                    continue
                }
                query.limit = n
            case "cursor", "select", "count", "deleted":
                problems.append(.aggregate(field: name, rule: "unknown_parameter", .notForAggregates(name)))
            default: rowPairs.append((name, value))
            }
        }
        let metricParts = metricsText.map(split) ?? ["count"]
        if !(1...AggregateQuery.maxMetrics).contains(metricParts.count) {
            problems.append(.aggregate(field: "metrics", rule: "type", .metricsShape(max: AggregateQuery.maxMetrics)))
        } else {
            for part in metricParts { if let metric = metric(part, entity: entity, problems: &problems) { query.metrics.append(metric) } }
        }
        do {
            query.rows = try ListQueryParser.parse(rowPairs, entity: visibleEntity, related: related)
        } catch {
            problems += error.details
        }
        if let orderText {
            for part in split(orderText) {
                var key = part
                var descending = false
                if key.hasSuffix(".desc") {
                    descending = true
                    key.removeLast(5)
                } else if key.hasSuffix(".asc") {
                    key.removeLast(4)
                }
                if let i = query.metrics.firstIndex(where: { $0.name == key.replacingOccurrences(of: " ", with: "") }) {
                    query.order.append((.metric(i), descending))
                } else if let i = query.groups.firstIndex(where: { $0.column.name == key }) {
                    query.order.append((.group(i), descending))
                } else {
                    problems.append(.aggregate(field: "order", rule: "order", .orderKey(part)))
                }
            }
        }
        // By default a single date or band key reads in its own order (a time series, a histogram);
        // otherwise the biggest first: the first metric, descending.
        if query.order.isEmpty {
            if query.groups.count == 1, query.groups[0].bucket != .value {
                query.order = [(.group(0), false)]
            } else if !query.metrics.isEmpty {
                query.order = [(.metric(0), true)]
            }
        }
        guard problems.isEmpty else { throw .validation(problems) }
        return query
    }

    /// The parts of a comma list, commas inside parentheses kept (`bands(0,100)`, `percentile(a,0.9)`).
    static func split(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for c in text {
            switch c {
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0:
                parts.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
                continue
            default: break
            }
            current.append(c)
        }
        let last = current.trimmingCharacters(in: .whitespaces)
        if !last.isEmpty || !parts.isEmpty { parts.append(last) }
        return parts
    }

    /// `field`, `field:unit` or `field:bands(e1,e2,…)`.
    static func group(_ text: String, entity: EntityDefinition, problems: inout [TesseraError.Detail]) -> AggregateQuery.Group? {
        let name = String(text.prefix { $0 != ":" })
        let suffix = text.count > name.count ? String(text.dropFirst(name.count + 1)) : nil
        guard let column = Column.resolve(name, in: entity) else {
            problems.append(.aggregate(field: "group", rule: "unknown_field", .unknownField(name, entity: entity.name)))
            return nil
        }
        let typeProblem = TesseraError.Detail.aggregate(
            field: "group", rule: "type", .groupType(field: name, type: column.type.rawValue))
        switch column.type {
        case .select, .boolean, .user, .relation:
            guard suffix == nil else {
                problems.append(typeProblem)
                return nil
            }
            return .init(column: column, bucket: .value)
        case .date, .datetime:
            guard let suffix else {
                if column.type == .date { return .init(column: column, bucket: .date(.day)) }
                problems.append(.aggregate(field: "group", rule: "date_unit", .dateUnit(name)))
                return nil
            }
            guard let unit = AggregateQuery.DateUnit(rawValue: suffix) else {
                problems.append(.aggregate(field: "group", rule: "date_unit", .dateUnit(name)))
                return nil
            }
            return .init(column: column, bucket: .date(unit))
        case let type where type.isNumeric:
            guard let suffix, suffix.hasPrefix("bands("), suffix.hasSuffix(")") else {
                problems.append(typeProblem)
                return nil
            }
            let inner = suffix.dropFirst(6).dropLast()
            let edges = inner.split(separator: ",", omittingEmptySubsequences: false).map {
                Double($0.trimmingCharacters(in: .whitespaces))
            }
            guard (1...AggregateQuery.maxBands).contains(edges.count), edges.allSatisfy({ $0?.isFinite == true }),
                zip(edges, edges.dropFirst()).allSatisfy({ $0! < $1! })
            else {
                problems.append(.aggregate(field: "group", rule: "bands", .bandsShape(name, max: AggregateQuery.maxBands)))
                return nil
            }
            return .init(column: column, bucket: .bands(edges.map { $0! }))
        default:
            problems.append(typeProblem)
            return nil
        }
    }

    /// `count` or `function(field)` (`percentile(field,fraction)`), its type checked.
    static func metric(_ text: String, entity: EntityDefinition, problems: inout [TesseraError.Detail]) -> AggregateQuery.Metric? {
        let compact = text.replacingOccurrences(of: " ", with: "")
        if compact == "count" { return .init(function: .count, column: nil, fraction: nil) }
        guard let open = compact.firstIndex(of: "("), compact.hasSuffix(")"),
            let function = AggregateQuery.Function(rawValue: String(compact[..<open])), function != .count
        else {
            problems.append(.aggregate(field: "metrics", rule: "metric", .metricUnknown(text)))
            return nil
        }
        let arguments = compact[compact.index(after: open)..<compact.index(before: compact.endIndex)].split(
            separator: ",", omittingEmptySubsequences: false)
        guard arguments.count == (function == .percentile ? 2 : 1) else {
            problems.append(.aggregate(field: "metrics", rule: "metric", .metricUnknown(text)))
            return nil
        }
        let name = String(arguments[0])
        guard let column = Column.resolve(name, in: entity) else {
            problems.append(.aggregate(field: "metrics", rule: "unknown_field", .unknownField(name, entity: entity.name)))
            return nil
        }
        var fraction: Double?
        if function == .percentile {
            guard let p = Double(arguments[1]), p >= 0, p <= 1 else {
                problems.append(.aggregate(field: "metrics", rule: "fraction", .fraction(text)))
                return nil
            }
            fraction = p
        }
        let type = column.type
        let fits: Bool =
            switch function {
            case .count: true
            case .countDistinct: ![.attachment, .location, .multiSelect, .longText].contains(type)
            case .sum, .avg, .percentile: type.isNumeric
            case .min, .max: type.isNumeric || type == .date || type == .datetime
            }
        guard fits else {
            problems.append(.aggregate(field: "metrics", rule: "type", .metricType(metric: text, field: name, type: type.rawValue)))
            return nil
        }
        return .init(function: function, column: column, fraction: fraction)
    }
}
