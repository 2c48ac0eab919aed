/// Reads and checks a view against the tenant's entities and roles: its fields exist and suit
/// what they are used for (sorting, grouping, lanes, a calendar), its filters compile.
public enum ViewDecoder {
    public static let maxColumns = 100
    public static let maxSort = 5

    static let allowed: Set<String> = [
        "name", "label", "entity", "type", "columns", "filter", "filters", "sort", "page_size", "shared", "owner", "roles", "default",
        "group_by", "lanes", "card", "aggregate", "start", "end",
    ]

    /// Field types a list may be grouped by and a kanban may take its lanes from.
    static let groupTypes: Set<FieldType> = [.select, .user, .boolean, .date]
    static let laneTypes: Set<FieldType> = [.select, .user]

    public static func view(_ json: JSONValue, entities: [EntityDefinition], roles: [String]) throws(TesseraError) -> ViewDefinition {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "", problems: &problems) else { throw .invalidMetadata(problems) }
        reader.rejectUnknown(allowed: allowed)
        let name = reader.string("name") ?? ""
        if !APIName.isValid(name) { reader.fail("name", rule: "name", .nameMustMatch) }
        let label = reader.label("label")
        let byName = Dictionary(entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        guard let entity = reader.entity("entity", in: byName) else { throw .invalidMetadata(reader.problems) }
        let kindText = reader.string("type")
        guard let kind = kindText.flatMap(ViewDefinition.Kind.init(rawValue:)) else {
            reader.fail("type", rule: kindText == nil ? "required" : "enum", .typeRequired)
            throw .invalidMetadata(reader.problems)
        }
        var check = FieldCheck(entity: entity)
        // A kanban shows card fields; lists and calendars show columns.
        let shownKey = kind == .kanban ? "card" : "columns"
        if reader.has(kind == .kanban ? "columns" : "card") {
            reader.fail(
                kind == .kanban ? "columns" : "card", rule: "unknown_property",
                .onlyFor(property: kind == .kanban ? "columns" : "card", kind: kind == .kanban ? "list and calendar" : "kanban"))
        }
        let columns = check.columns(reader.raw(shownKey), path: shownKey)
        let filter = reader.string("filter")
        if let filter {
            let context = ExpressionContext(entity: entity, relatedEntity: { byName[$0] })
            do { _ = try CompiledExpression(filter, in: context, expecting: .bool) } catch { problems.append(error.detail(property: "filter")) }
        }
        let filters = check.filters(reader.raw("filters"))
        let sort = check.sort(reader.raw("sort"))
        let pageSize = reader.int("page_size", min: 1) ?? ListQuery.defaultLimit
        if pageSize > ListQuery.maxLimit { reader.fail("page_size", rule: "range", .range("page_size", 1, ListQuery.maxLimit)) }
        let shared = reader.bool("shared") ?? false
        let owner = reader.string("owner")
        if !shared, owner.flatMap(UUIDText.normalized) == nil { reader.fail("owner", rule: "required", .required("owner")) }
        if shared, owner != nil { reader.fail("owner", rule: "unknown_property", .ownerFromCredential) }
        let viewRoles = reader.stringArray("roles") ?? []
        if !shared, !viewRoles.isEmpty { reader.fail("roles", rule: "roles", .rolesOnlyShared) }
        let unknownRoles = viewRoles.filter { $0 != RoleDefinition.adminName && !roles.contains($0) }
        if !unknownRoles.isEmpty { reader.fail("roles", rule: "unknown_role", .unknownRoles(unknownRoles)) }
        let isDefault = reader.bool("default") ?? false

        func only(_ property: String, for wanted: ViewDefinition.Kind) -> String? {
            guard reader.has(property) else { return nil }
            guard kind == wanted else {
                reader.fail(property, rule: "unknown_property", .onlyFor(property: property, kind: wanted.rawValue))
                return nil
            }
            return reader.string(property)
        }
        let groupBy = only("group_by", for: .list).flatMap { check.field($0, path: "group_by", allowed: groupTypes, refusal: ViewMessage.groupType) }
        let lanes = only("lanes", for: .kanban).flatMap { check.field($0, path: "lanes", allowed: laneTypes, refusal: ViewMessage.laneType) }
        if kind == .kanban, !reader.has("lanes") { reader.fail("lanes", rule: "required", .needed(property: "lanes", kind: "kanban")) }
        let dates: Set<FieldType> = [.date, .datetime]
        let start = only("start", for: .calendar).flatMap { check.field($0, path: "start", allowed: dates, refusal: ViewMessage.calendarType) }
        let end = only("end", for: .calendar).flatMap { check.field($0, path: "end", allowed: dates, refusal: ViewMessage.calendarType) }
        if kind == .calendar, !reader.has("start") { reader.fail("start", rule: "required", .needed(property: "start", kind: "calendar")) }
        var aggregate: ViewDefinition.Aggregate?
        if reader.has("aggregate") {
            if kind == .calendar || (kind == .list && !reader.has("group_by")) {
                reader.fail("aggregate", rule: "unknown_property", .onlyFor(property: "aggregate", kind: "kanban and grouped list"))
            } else {
                aggregate = check.aggregate(reader.raw("aggregate"))
            }
        }
        problems = reader.problems + check.problems + problems
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        return ViewDefinition(
            name: name, label: label, entity: entity.name, kind: kind, columns: columns, filter: filter, filters: filters, sort: sort,
            pageSize: pageSize, owner: owner.flatMap(UUIDText.normalized), roles: viewRoles, isDefault: isDefault, groupBy: groupBy,
            lanes: lanes, aggregate: aggregate, start: start, end: end, json: json)
    }

    /// Checks the fields a view names against its entity, collecting what is wrong.
    struct FieldCheck {
        let entity: EntityDefinition
        var problems: [TesseraError.Detail] = []

        /// The column a path names, or nil with the problem recorded.
        mutating func column(_ name: String, path: String) -> Column? {
            guard let column = Column.resolve(name, in: entity) else {
                problems.append(.definition(field: path, rule: "unknown_field", .about(path, .noField(entity.name, field: name))))
                return nil
            }
            return column
        }

        mutating func field(
            _ name: String, path: String, allowed: Set<FieldType>, refusal: (String, String) -> ViewMessage
        ) -> String? {
            guard let column = column(name, path: path) else { return nil }
            guard allowed.contains(column.type) else {
                problems.append(.view(field: path, rule: "field_type", refusal(name, column.type.rawValue)))
                return nil
            }
            return name
        }

        mutating func columns(_ raw: JSONValue?, path: String) -> [ViewDefinition.Column] {
            guard case .array(let items)? = raw, (1...ViewDecoder.maxColumns).contains(items.count) else {
                problems.append(.view(field: path, rule: raw == nil ? "required" : "type", .columnsShape(max: ViewDecoder.maxColumns)))
                return []
            }
            var out: [ViewDefinition.Column] = []
            for (i, item) in items.enumerated() {
                let at = "\(path)[\(i)]"
                var name: String?
                var width: Int?
                switch item {
                case .string(let s): name = s
                case .object:
                    var local: [TesseraError.Detail] = []
                    guard var reader = ObjectReader(item, path: at, problems: &local) else { continue }
                    reader.rejectUnknown(allowed: ["field", "width"])
                    name = reader.string("field")
                    width = reader.int("width", min: 20)
                    if let w = width, w > 4000 { reader.fail("width", rule: "range", .range("\(at).width", 20, 4000)) }
                    problems += local + reader.problems
                default:
                    problems.append(.view(field: at, rule: "type", .columnsShape(max: ViewDecoder.maxColumns)))
                    continue
                }
                guard let name else {
                    problems.append(.definition(field: "\(at).field", rule: "required", .required("\(at).field")))
                    continue
                }
                guard column(name, path: at) != nil else { continue }
                if out.contains(where: { $0.field == name }) { continue }
                out.append(.init(field: name, width: width))
            }
            return out
        }

        mutating func filters(_ raw: JSONValue?) -> [ViewDefinition.FilterText] {
            guard let raw, !raw.isNull else { return [] }
            guard case .object(let members) = raw else {
                problems.append(.definition(field: "filters", rule: "type", .notAnObject("filters")))
                return []
            }
            var out: [ViewDefinition.FilterText] = []
            for (name, value) in members {
                let path = "filters.\(name)"
                guard case .string(let text) = value else {
                    problems.append(.definition(field: path, rule: "type", .notAString(path)))
                    continue
                }
                guard let column = column(name, path: path) else { continue }
                do {
                    _ = try ListQueryParser.filter(column, text)
                    out.append(.init(field: name, text: text))
                } catch {
                    problems += error.details.map { $0.prefixed(field: "filters.", message: "filters.") }
                }
            }
            return out
        }

        mutating func sort(_ raw: JSONValue?) -> [ViewDefinition.SortKey] {
            guard let raw, !raw.isNull else { return [] }
            guard case .array(let items) = raw, items.count <= ViewDecoder.maxSort else {
                problems.append(.view(field: "sort", rule: "type", .sortShape))
                return []
            }
            var out: [ViewDefinition.SortKey] = []
            for (i, item) in items.enumerated() {
                var local: [TesseraError.Detail] = []
                guard var reader = ObjectReader(item, path: "sort[\(i)]", problems: &local) else {
                    problems += local
                    continue
                }
                reader.rejectUnknown(allowed: ["field", "dir"])
                let dir = reader.string("dir") ?? "asc"
                if dir != "asc", dir != "desc" { reader.fail("dir", rule: "enum", .mustBeOneOf("sort[\(i)].dir", "asc, desc")) }
                let name = reader.string("field") ?? ""
                problems += reader.problems
                guard let column = column(name, path: "sort[\(i)].field") else { continue }
                guard column.type.isBtreeIndexable else {
                    problems.append(.view(field: "sort[\(i)].field", rule: "field_type", .sortType(field: name, type: column.type.rawValue)))
                    continue
                }
                if !out.contains(where: { $0.field == name }) { out.append(.init(field: name, descending: dir == "desc")) }
            }
            return out
        }

        mutating func aggregate(_ raw: JSONValue?) -> ViewDefinition.Aggregate? {
            guard let raw else { return nil }
            var local: [TesseraError.Detail] = []
            guard var reader = ObjectReader(raw, path: "aggregate", problems: &local) else {
                problems += local
                return nil
            }
            reader.rejectUnknown(allowed: ["fn", "field"])
            let fnText = reader.string("fn") ?? ""
            let function = ViewDefinition.Aggregate.Function(rawValue: fnText)
            if function == nil {
                reader.fail("fn", rule: "enum", .requiredOneOf("aggregate.fn", ViewDefinition.Aggregate.Function.allCases.map(\.rawValue)))
            }
            let name = reader.string("field") ?? ""
            problems += reader.problems
            guard let function, let column = column(name, path: "aggregate.field") else { return nil }
            let orderable = function == .min || function == .max
            guard column.type.isNumeric || (orderable && (column.type == .date || column.type == .datetime)) else {
                problems.append(
                    .view(
                        field: "aggregate.field", rule: "field_type",
                        .aggregateType(function: function.rawValue, field: name, type: column.type.rawValue)))
                return nil
            }
            return .init(function: function, field: name)
        }
    }
}
