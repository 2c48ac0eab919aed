/// A view request planned for one caller: the list query every part of the answer runs (the
/// view's filters AND the caller's query-string filters AND, in the store, the caller's record
/// scope), the columns the caller may see, and what the view's kind adds.
public struct ViewQuery: Sendable {
    /// A kanban lane: an option (in option order) or a user; `key` nil is the lane of records without one.
    public struct Lane: Sendable, Equatable {
        public let key: String?
        public let label: Label?
        public let color: String?
        /// A user lane's user name.
        public let name: String?

        public init(key: String?, label: Label? = nil, color: String? = nil, name: String? = nil) {
            self.key = key
            self.label = label
            self.color = color
            self.name = name
        }
    }

    public let view: ViewDefinition
    public let query: ListQuery
    /// The view's columns the caller may see, in the view's order.
    public let columns: [ViewDefinition.Column]
    /// A list's grouping column or a kanban's lane column.
    public let groupColumn: Column?
    public let aggregate: (function: ViewDefinition.Aggregate.Function, column: Column)?
    /// A kanban's option lanes in option order and the empty lane (user lanes come from the rows).
    public let lanes: [Lane]
    /// `?lane=`: the one lane to page (the empty string is the lane without a value).
    public let onlyLane: String??

    /// Calendars show at most this many days at once.
    public static let maxCalendarDays: Int64 = 92

    /// Query-string members the view reads itself; the rest are list parameters.
    static let viewParameters: Set<String> = ["lane", "from", "to"]

    /// Plans `view` for the request's query string under `plan` (a `.list` plan made with
    /// `evaluates`); `related` resolves relation targets as the caller sees them.
    public init(
        _ view: ViewDefinition, pairs: [(String, String)], plan: RecordPlan,
        related: @escaping @Sendable (String) -> EntityDefinition? = { _ in nil }
    ) throws(TesseraError) {
        let visible = plan.visibleEntity
        // What the view filters, sorts or groups by must be visible: the rows it picks would
        // otherwise tell the caller what a hidden field holds.
        let used = view.fieldsUsed.filter { name in !view.columns.contains { $0.field == name } }
        let hiddenInFilter = view.filter.flatMap { filter in plan.hidden.sorted().first { filter.contains("record.\($0)") } }
        if let field = used.first(where: plan.hidden.contains) ?? hiddenInFilter {
            throw TesseraError(status: 403, code: "forbidden", localized: ViewMessage.viewReadsHidden(view: view.name, field: field))
        }
        var listPairs = pairs.filter { !Self.viewParameters.contains($0.0) }
        if let filter = view.filter { listPairs.append(("where", filter)) }
        listPairs += view.filters.map { ($0.field, $0.text) }
        let groupField = view.groupBy ?? view.lanes
        if !listPairs.contains(where: { $0.0 == "order" }) {
            var keys = view.sort.map { "\($0.field).\($0.descending ? "desc" : "asc")" }
            if view.kind == .calendar, view.sort.isEmpty, let start = view.start { keys = ["\(start).asc"] }
            // A grouped list comes group by group, in the groups' order.
            if let group = view.groupBy { keys.insert("\(group).asc", at: 0) }
            if !keys.isEmpty { listPairs.append(("order", keys.joined(separator: ","))) }
        }
        if !listPairs.contains(where: { $0.0 == "limit" }) { listPairs.append(("limit", String(view.pageSize))) }
        let shown = view.columns.filter { Column.resolve($0.field, in: visible) != nil }
        if !listPairs.contains(where: { $0.0 == "select" }) {
            var select = ["id", "version"]
            for column in shown where !select.contains(column.field) { select.append(column.field) }
            if let groupField, !select.contains(groupField) { select.append(groupField) }
            for name in [view.start, view.end].compactMap({ $0 }) where !select.contains(name) { select.append(name) }
            listPairs.append(("select", select.joined(separator: ",")))
        }
        var query = try ListQueryParser.parse(listPairs, entity: visible, related: related)
        let params = Dictionary(pairs.filter { Self.viewParameters.contains($0.0) }, uniquingKeysWith: { _, b in b })
        if view.kind != .calendar {
            for name in ["from", "to"] where params[name] != nil {
                throw ListQueryParser.invalid([.view(field: name, rule: "calendar", .calendarOnly(name))])
            }
        }
        if view.kind != .kanban, params["lane"] != nil {
            throw ListQueryParser.invalid([.view(field: "lane", rule: "lane", .laneOnKanban)])
        }
        if view.kind == .calendar, let start = view.start.flatMap({ Column.resolve($0, in: visible) }) {
            query.overlap = try Self.window(params["from"], params["to"], start: start, end: view.end.flatMap { Column.resolve($0, in: visible) })
        }
        let groupColumn = groupField.flatMap { Column.resolve($0, in: visible) }
        var lanes: [Lane] = []
        if view.kind == .kanban, let column = groupColumn {
            lanes = (column.field?.options ?? []).map { Lane(key: $0.key, label: $0.label, color: $0.color) }
            if let lane = params["lane"], !lane.isEmpty, column.type == .select, column.field?.option(lane) == nil {
                throw ListQueryParser.invalid([.view(field: "lane", rule: "lane", .notALane(lane, view: view.name))])
            }
            if let lane = params["lane"], !lane.isEmpty, column.type == .user, UUIDText.normalized(lane) == nil {
                throw ListQueryParser.invalid([.view(field: "lane", rule: "lane", .notALane(lane, view: view.name))])
            }
        }
        self.view = view
        self.query = query
        self.columns = shown
        self.groupColumn = groupColumn
        self.aggregate = view.aggregate.flatMap { a in Column.resolve(a.field, in: visible).map { (a.function, $0) } }
        self.lanes = lanes
        self.onlyLane = params["lane"].map { $0.isEmpty ? nil : UUIDText.normalized($0) ?? $0 }
    }

    /// The query of one kanban lane (`key` nil: the records without a value).
    public func lane(_ key: String?) -> ListQuery {
        var lane = query
        guard let column = groupColumn else { return lane }
        lane.filters.append(Filter(column: column, op: key == nil ? .is : .eq, operand: key.map { .value(.text($0)) } ?? .null))
        return lane
    }

    /// The query without its page (the cursor and size), for counting groups and lanes.
    public var unpaged: ListQuery {
        var all = query
        all.after = nil
        return all
    }

    /// `from`/`to` as a calendar window: both required, dates or datetimes, `to` after `from`,
    /// at most `maxCalendarDays` apart.
    static func window(_ from: String?, _ to: String?, start: Column, end: Column?) throws(TesseraError) -> ListQuery.Overlap {
        func instant(_ text: String) -> Int64? {
            if let day = TimeText.parseDate(text) { return day * 86_400_000_000 }
            return DateTimeText.isValidDateTime(text) ? TimeText.parseTimestamp(text) : nil
        }
        guard let from, let to, let a = instant(from), let b = instant(to) else {
            throw ListQueryParser.invalid([.view(field: from == nil ? "from" : "to", rule: "calendar", .calendarBounds)])
        }
        guard b > a else { throw ListQueryParser.invalid([.view(field: "to", rule: "calendar", .calendarOrder)]) }
        guard b - a <= maxCalendarDays * 86_400_000_000 else {
            throw ListQueryParser.invalid([.view(field: "to", rule: "calendar", .calendarSpan(days: Int(maxCalendarDays)))])
        }
        // A date field compares with dates: the window's datetimes are cut to their day.
        func bound(_ text: String) -> String { start.type == .date && text.count > 10 ? String(text.prefix(10)) : text }
        return ListQuery.Overlap(start: start, end: end, from: bound(from), to: bound(to))
    }
}
