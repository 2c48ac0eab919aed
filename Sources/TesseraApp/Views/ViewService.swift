public import TesseraCore
public import TesseraStore

/// Serves views: each request is planned once for the caller (the view's filters with theirs,
/// their scope, the fields they may see) and run as list pages and group counts by the store.
public struct ViewService: Sendable {
    let records: RecordService
    let store: RecordStore

    /// A list page, with the counts per group when the list is grouped.
    public struct ListAnswer: Sendable {
        public let page: RecordStore.Page
        public let groups: [RecordStore.Group]?
    }

    /// A kanban lane: its key and label, its count and figure, and its first (or asked-for) page.
    public struct LaneAnswer: Sendable {
        public let lane: ViewQuery.Lane
        public let count: Int
        public let figure: String?
        public let page: RecordStore.Page
    }

    public enum Answer: Sendable {
        case list(ListAnswer)
        case kanban([LaneAnswer])
        case calendar(RecordStore.Page)
    }

    /// The view `name` as the caller sees it, or a 404 (someone else's personal view is as
    /// absent as one that does not exist).
    public func view(_ caller: Caller, name: String) async throws -> ViewDefinition {
        let current = try await records.metadata.metadata(for: caller.tenant)
        guard let view = current.view(name, for: caller) else { throw TesseraError.definitionNotFound(.noSuch(.view, name)) }
        return view
    }

    /// The view's rows for this request: its kind's shape, each part filtered by the view, the
    /// query string and the caller's record scope.
    public func data(_ caller: Caller, name: String, _ pairs: [(String, String)]) async throws -> (ViewQuery, Answer) {
        let view = try await view(caller, name: name)
        let planned = try await records.plan(.list, caller, entity: view.entity, evaluates: true)
        let current = planned.metadata, planCaller = planned.caller
        let planQuery = try ViewQuery(
            view, pairs: pairs, plan: planned.plan,
            related: { name in (try? current.model(name)).map { RecordPlan.visible(planCaller, $0) } })
        let plan = planned.plan
        switch view.kind {
        case .calendar:
            return (planQuery, .calendar(try await store.list(plan, planQuery.query)))
        case .list:
            let page = try await store.list(plan, planQuery.query)
            guard let column = planQuery.groupColumn else { return (planQuery, .list(.init(page: page, groups: nil))) }
            let groups = try await store.groups(plan, planQuery.unpaged, by: column, aggregate: planQuery.aggregate)
            return (planQuery, .list(.init(page: page, groups: Self.ordered(groups, column: column))))
        case .kanban:
            guard let column = planQuery.groupColumn else { throw TesseraError.internal() }
            let groups = try await store.groups(plan, planQuery.unpaged, by: column, aggregate: planQuery.aggregate)
            var lanes = planQuery.lanes
            // User lanes are the users the records name, most records first.
            if column.type == .user {
                lanes = Self.ordered(groups, column: column).compactMap { g in
                    g.key.map { ViewQuery.Lane(key: $0, name: g.name) }
                }
            }
            lanes.append(ViewQuery.Lane(key: nil))
            if let only = planQuery.onlyLane { lanes = lanes.filter { $0.key == only } }
            if lanes.isEmpty, let only = planQuery.onlyLane {
                lanes = [ViewQuery.Lane(key: only)]
            }
            let byKey = Dictionary(groups.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            var out: [LaneAnswer] = []
            for lane in lanes {
                let group = byKey[lane.key]
                // An empty lane needs no query; the count says there is nothing to page.
                let page =
                    group == nil && planQuery.query.after == nil
                    ? .empty
                    : try await store.list(plan, planQuery.lane(lane.key))
                out.append(LaneAnswer(lane: lane, count: group?.count ?? 0, figure: group?.figure, page: page))
            }
            return (planQuery, .kanban(out))
        }
    }

    /// Groups in the column's order: options in option order, others by count then key; the
    /// group without a value last.
    static func ordered(_ groups: [RecordStore.Group], column: Column) -> [RecordStore.Group] {
        let options = column.field?.options.map(\.key) ?? []
        func rank(_ g: RecordStore.Group) -> Int { g.key.flatMap { options.firstIndex(of: $0) } ?? options.count }
        return groups.sorted { a, b in
            if (a.key == nil) != (b.key == nil) { return b.key == nil }
            if column.type == .select, rank(a) != rank(b) { return rank(a) < rank(b) }
            if column.type == .user, a.count != b.count { return a.count > b.count }
            return (a.key ?? "") < (b.key ?? "")
        }
    }
}
