/// An aggregate request planned against an entity (`GET /api/v1/data/{entity}/aggregate`): the
/// keys rows are grouped by, the figures computed per group, which rows take part (the list's
/// filters and `where=`), the order of the groups and how many are returned before the rest is
/// folded into one `other` group.
public struct AggregateQuery: Sendable, Equatable {
    /// How dates and datetimes are bucketed, in the tenant's time zone (weeks start on Monday).
    public enum DateUnit: String, Sendable, CaseIterable {
        case day, week, month, quarter, year
    }

    /// What a group key is made of.
    public enum Bucket: Sendable, Equatable {
        /// The value itself: an option key, a user, a related record, a boolean.
        case value
        /// The date (or the datetime's local date) truncated to the unit.
        case date(DateUnit)
        /// Numbers in bands between ascending edges: below the first, `[e(i), e(i+1))`, from the last up.
        case bands([Double])
    }

    /// One key of the grouping.
    public struct Group: Sendable, Equatable {
        public let column: Column
        public let bucket: Bucket
    }

    public enum Function: String, Sendable, CaseIterable {
        case count
        case countDistinct = "count_distinct"
        case sum, avg, min, max, percentile
    }

    /// One figure per group.
    public struct Metric: Sendable, Equatable {
        public let function: Function
        /// The column it reads (nil for `count`).
        public let column: Column?
        /// For `percentile`: the fraction, 0 to 1.
        public let fraction: Double?

        /// How the metric is named in the answer, e.g. `sum(amount)`, `percentile(amount,0.9)`.
        public var name: String {
            guard let column else { return function.rawValue }
            if let fraction { return "\(function.rawValue)(\(column.name),\(AggregateQuery.text(fraction)))" }
            return "\(function.rawValue)(\(column.name))"
        }
    }

    /// A sort key of the groups: a metric or a group key.
    public enum SortKey: Sendable, Equatable {
        case metric(Int)
        case group(Int)
    }

    public var groups: [Group] = []
    public var metrics: [Metric] = []
    /// The rows that take part: the list query's filters and conditions (its order and page unused).
    public var rows = ListQuery()
    public var order: [(key: SortKey, descending: Bool)] = []
    /// Groups returned before the rest is folded into the `other` group.
    public var limit = AggregateQuery.defaultLimit

    public static let defaultLimit = 100
    public static let maxLimit = 1000
    public static let maxGroups = 4
    public static let maxMetrics = 10
    public static let maxBands = 20

    public init() {}

    public static func == (a: AggregateQuery, b: AggregateQuery) -> Bool {
        a.groups == b.groups && a.metrics == b.metrics && a.rows == b.rows && a.limit == b.limit
            && a.order.map(\.key) == b.order.map(\.key) && a.order.map(\.descending) == b.order.map(\.descending)
    }

    /// A number as the grammar writes it (no trailing `.0`).
    public static func text(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// The name of band `index` as `width_bucket` numbers them (0: below the first edge).
    public static func bandName(_ index: Int, edges: [Double]) -> String {
        if index <= 0 { return "<" + text(edges[0]) }
        if index >= edges.count { return ">=" + text(edges[edges.count - 1]) }
        return text(edges[index - 1]) + "-" + text(edges[index])
    }
}
