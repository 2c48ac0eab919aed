/// A board of widgets a person reads every morning, as the designer API and packs describe it:
/// each widget bound to an aggregate, a process metric, a view or a health score, over a period.
/// Shared with the roles it lists (every role when none) and changed by those who manage
/// metadata, or personal: its author's alone.
public struct DashboardDefinition: Sendable, Equatable {
    /// How a widget is drawn (the data's shape follows its source).
    public enum Kind: String, Sendable, CaseIterable {
        case number, bar, line, funnel, heatmap, table, health
    }

    /// The time a widget covers, in the tenant's zone, as of the request.
    public enum Period: Sendable, Equatable {
        case thisWeek, thisMonth, thisQuarter, thisYear
        /// The last n days, today included.
        case lastDays(Int)
        /// Dates or instants as the filter grammar reads them.
        case range(from: String, to: String)
    }

    /// Where a widget's data comes from.
    public enum Source: Sendable, Equatable {
        /// `GET /api/v1/data/{entity}/aggregate?{query}`.
        case aggregate(entity: String, query: String)
        /// `GET /api/v1/metrics/funnel?entity=…&{query}`.
        case funnel(entity: String, query: String)
        /// `GET /api/v1/metrics/dwell?entity=…&{query}`.
        case dwell(entity: String, query: String)
        /// `GET /api/v1/views/{name}/data`.
        case view(String)
        /// A health score, defined here.
        case health(HealthScore)
    }

    /// A process health score: `Σ weight × part`, as a percentage, coloured by thresholds.
    public struct HealthScore: Sendable, Equatable {
        public enum Measure: Sendable, Equatable {
            /// The share of stage stays (entered in the period) that ended, or have lasted so far,
            /// within their stage's time (microseconds by stage; `otherwise` for the rest).
            case onTime(within: [String: Int64], otherwise: Int64?)
            /// The share of records (created in the period) with every one of the fields filled.
            case completeness(fields: [String])
        }

        public struct Part: Sendable, Equatable {
            public let name: String
            public let label: Label?
            public let weight: Double
            /// The share the part should reach (the seeds: 95 % on time, 90 % complete).
            public let target: Double?
            public let measure: Measure
        }

        /// From `min` (a percentage) up, the score has this colour.
        public struct Threshold: Sendable, Equatable {
            public let min: Double
            public let color: String
            public let label: Label?
        }

        public let entity: String
        public let parts: [Part]
        /// Highest first.
        public let thresholds: [Threshold]
    }

    public struct Widget: Sendable, Equatable {
        public let name: String
        public let label: Label?
        public let kind: Kind
        public let source: Source
        public let period: Period?
        /// The date or datetime field an aggregate's period filters on.
        public let periodField: String?
    }

    public let name: String
    public let label: Label?
    /// Roles the dashboard is offered to; empty means every role.
    public let roles: [String]
    /// The author of a personal dashboard (a lowercase UUID); nil for a shared one.
    public let owner: String?
    public let widgets: [Widget]
    /// The definition as stored and served.
    public let json: JSONValue

    public static func == (a: DashboardDefinition, b: DashboardDefinition) -> Bool { a.json == b.json }

    public var isShared: Bool { owner == nil }

    /// How it is stored: a shared one by its name, a personal one under its author.
    public var key: String { owner.map { "\($0)/\(name)" } ?? name }

    /// Whether the caller is offered it: a personal one to its author only, a shared one to the
    /// roles it lists (and to those who manage metadata, who change them).
    public func offered(to user: String, roles: [String], managesMetadata: Bool) -> Bool {
        if let owner { return owner == user }
        return self.roles.isEmpty || managesMetadata || !Set(self.roles).isDisjoint(with: roles)
    }
}
