/// How the `assign` action picks an owner for a record of `entity`: the first route whose
/// condition holds names the pool of candidates; if nobody in it is active, the rule's `pool`,
/// then the `fallback` queue. Inactive and frozen users are never candidates; among the
/// candidates the strategy picks.
public struct AssignmentRule: Sendable, Equatable {
    public var name: String
    public var label: Label?
    public var entity: String
    public var routes: [AssignmentRoute]
    /// Candidates when no route matches.
    public var pool: AssignmentPool?
    /// The queue of last resort: when neither the route's pool nor `pool` has anybody active.
    public var fallback: AssignmentPool?
    public var strategy: AssignmentStrategy
    /// Per-user counts the weight expression reads as `user.<name>`.
    public var figures: [AssignmentFigure]

    public var json: JSONValue {
        var m: [(String, JSONValue)] = [("name", .string(name))]
        if let label { m.append(("label", label.json)) }
        m.append(("entity", .string(entity)))
        if !routes.isEmpty { m.append(("routes", .array(routes.map(\.json)))) }
        if let pool { m.append(("pool", pool.json)) }
        if let fallback { m.append(("fallback", fallback.json)) }
        switch strategy {
        case .roundRobin: m.append(("strategy", "round_robin"))
        case .weighted(let weight): m += [("strategy", "weighted"), ("weight", .string(weight))]
        }
        if !figures.isEmpty { m.append(("figures", .object(figures.map { ($0.name, $0.json) }))) }
        return .object(m)
    }
}

/// A condition over the record and the pool it routes to.
public struct AssignmentRoute: Sendable, Equatable {
    public var when: String
    public var pool: AssignmentPool

    var json: JSONValue {
        guard case .object(let members) = pool.json else { return .null }
        return .object([("when", .string(when))] + members)
    }
}

/// Who can be picked: a team's members (by team name), a role's holders, or listed users (by email).
/// Teams and users are data, not metadata: a name that matches nobody is an empty pool.
public enum AssignmentPool: Sendable, Equatable {
    case team(String)
    case role(String)
    case users([String])

    var json: JSONValue {
        switch self {
        case .team(let name): .object([("team", .string(name))])
        case .role(let name): .object([("role", .string(name))])
        case .users(let emails): .object([("users", .array(emails.map(JSONValue.string)))])
        }
    }
}

/// `round_robin` gives every candidate the same share; `weighted` gives shares in proportion to
/// an expression over the candidate's figures (`0.3 * user.won30 + 0.7 * user.load`).
public enum AssignmentStrategy: Sendable, Equatable {
    case roundRobin
    case weighted(String)
}

/// A per-candidate figure: how many records of `entity` the candidate owns where `where` holds
/// (e.g. opportunities won in the last 30 days).
public struct AssignmentFigure: Sendable, Equatable {
    public var name: String
    public var entity: String
    public var condition: String?

    var json: JSONValue {
        .object([("entity", .string(entity))] + (condition.map { [("where", JSONValue.string($0))] } ?? []))
    }
}
