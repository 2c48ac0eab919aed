public import Foundation
public import Logging
public import PostgresNIO
public import TesseraCore

/// Runs assignment rules: picks the pool (first matching route, else the rule's pool, else its
/// fallback), the active people in it, and one of them by the rule's strategy. Picks of one rule
/// are serialized by a transaction-scoped advisory lock, so concurrent creates (on any number of
/// instances) each take the next slot: none is given twice, nobody is skipped.
public struct AssignmentStore: Sendable {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    /// What an assignment did, for the run log.
    public struct Outcome: Sendable {
        /// Nil when nobody active was found anywhere: the record stays where it is (the queue).
        public var userID: UUID?
        /// `routes[i]`, `pool` or `fallback`.
        public var source: String
        public var candidates: Int
    }

    public func assign(
        _ tenant: Tenant, rule compiled: CompiledAssignmentRule, metadata: TenantMetadata, env: ExpressionEnvironment,
        on connection: PostgresConnection
    ) async throws -> Outcome {
        let rule = compiled.rule
        // The first route that matches, then the rule's pool, then the fallback: the first of
        // them with anybody active in it.
        var pools: [(pool: AssignmentPool, source: String)] = []
        for (i, route) in rule.routes.enumerated() where try compiled.routes[i].get().isTrue(in: env) {
            pools.append((route.pool, "routes[\(i)]"))
            break
        }
        if let pool = rule.pool { pools.append((pool, "pool")) }
        if let fallback = rule.fallback { pools.append((fallback, "fallback")) }
        var candidates: [UUID] = []
        var source = "queue"
        for pool in pools {
            candidates = try await members(tenant, pool.pool, on: connection)
            if !candidates.isEmpty { source = pool.source; break }
        }
        guard !candidates.isEmpty else { return Outcome(userID: nil, source: "queue", candidates: 0) }

        let key = "\(tenant.schema):assignment:\(rule.name)"
        try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(key), 0))", logger: logger)
        let ids = candidates.map { $0.uuidString.lowercased() }
        let state = AutomationStateTables.assignments(tenant.schema)
        var passes: [String: Double] = [:]
        for try await (user, pass) in try await connection.query(
            """
            SELECT user_id::text, pass FROM \(unescaped: state) WHERE rule = \(rule.name) AND user_id = ANY(\(ids)::uuid[])
            """, logger: logger
        ).decode((String, Double).self) {
            passes[user] = pass
        }
        var weights: [String: Double] = [:]
        for id in ids { weights[id] = 1 }
        if let weight = try compiled.weight?.get() {
            let figures = try await figureCounts(tenant, compiled, metadata: metadata, ids: ids, env: env, on: connection)
            for id in ids {
                var userEnv = env
                userEnv.user = ["id": .string(id)]
                for figure in rule.figures { userEnv.user[figure.name] = .int(Int64(figures[figure.name]?[id] ?? 0)) }
                weights[id] =
                    switch try weight.evaluate(in: userEnv) {
                    case .int(let n): Double(n)
                    case .double(let d): d
                    default: 0
                    }
            }
        }
        let pick = AssignmentPicker.pick(ids.map { AssignmentPicker.Candidate(userID: $0, pass: passes[$0], weight: weights[$0] ?? 0) })
        guard let pick else { return Outcome(userID: nil, source: "queue", candidates: candidates.count) }
        var users = [pick.userID], newPasses = [pick.pass], counts: [Int64] = [1]
        for (user, pass) in pick.joined { users.append(user); newPasses.append(pass); counts.append(0) }
        try await connection.query(
            """
            INSERT INTO \(unescaped: state) AS s (rule, user_id, pass, assigned, last_assigned_at)
            SELECT \(rule.name), u, p, c, CASE WHEN c > 0 THEN now() END FROM unnest(\(users)::uuid[], \(newPasses)::float8[], \
            \(counts)::int8[]) AS x(u, p, c)
            ON CONFLICT (rule, user_id) DO UPDATE SET pass = EXCLUDED.pass, assigned = s.assigned + EXCLUDED.assigned,
                last_assigned_at = coalesce(EXCLUDED.last_assigned_at, s.last_assigned_at)
            """, logger: logger)
        return Outcome(userID: UUID(uuidString: pick.userID), source: source, candidates: candidates.count)
    }

    /// Active people of a pool, in a stable order (the round robin's order).
    func members(_ tenant: Tenant, _ pool: AssignmentPool, on connection: PostgresConnection) async throws -> [UUID] {
        let users = IdentityTables.users(tenant.schema), teams = IdentityTables.teams(tenant.schema)
        let active = "status = 'active' AND kind = 'person'"
        let query: PostgresQuery =
            switch pool {
            case .team(let name):
                """
                SELECT u.id FROM \(unescaped: users) u JOIN \(unescaped: teams) t ON t.id = u.team_id WHERE lower(t.name) = lower(\(name)) AND \
                \(unescaped: active) ORDER BY u.created_at, u.id LIMIT 1000
                """
            case .role(let role):
                "SELECT id FROM \(unescaped: users) WHERE \(role) = ANY(roles) AND \(unescaped: active) ORDER BY created_at, id LIMIT 1000"
            case .users(let emails):
                """
                SELECT id FROM \(unescaped: users) WHERE lower(email) = ANY(\(emails.map { $0.lowercased() })) AND \(unescaped: active) ORDER \
                BY created_at, id LIMIT 1000
                """
            }
        return try await connection.query(query, logger: logger).collect().map { try $0.decode(UUID.self) }
    }

    /// Per figure, per candidate: how many of the figure's records the candidate owns.
    func figureCounts(
        _ tenant: Tenant, _ compiled: CompiledAssignmentRule, metadata: TenantMetadata, ids: [String], env: ExpressionEnvironment,
        on connection: PostgresConnection
    ) async throws -> [String: [String: Int]] {
        var out: [String: [String: Int]] = [:]
        for figure in compiled.rule.figures {
            let entity = try metadata.require(figure.entity)
            var b = SQLBuilder(
                "SELECT owner_id::text, count(*) FROM \(SQLIdentifier.qualified(tenant.schema, entity.name)) q WHERE q.owner_id = ANY(")
            b.bind(.textArray(ids), cast: "uuid[]")
            b.append(") AND q.deleted_at IS NULL")
            if let condition = try compiled.figureConditions[figure.name]?.get() {
                b.append(" AND (")
                try ExpressionSQL(schema: tenant.schema, environment: env).append(condition.checked, to: &b, positive: true)
                b.append(")")
            }
            b.append(" GROUP BY q.owner_id")
            var counts: [String: Int] = [:]
            for try await (owner, count) in try await connection.query(b.query, logger: logger).decode((String, Int).self) { counts[owner] = count }
            out[figure.name] = counts
        }
        return out
    }

    /// Each candidate's standing in a rule, for admins checking the distribution.
    public func standings(_ tenant: Tenant, rule: String, client: DatabasePool) async throws -> [JSONValue] {
        let rows = try await client.query(
            """
            SELECT s.user_id::text, u.name, s.assigned, s.pass, s.last_assigned_at \
            FROM \(unescaped: AutomationStateTables.assignments(tenant.schema)) s
            LEFT JOIN \(unescaped: IdentityTables.users(tenant.schema)) u ON u.id = s.user_id WHERE s.rule = \(rule) ORDER BY s.assigned \
            DESC, s.user_id
            """, logger: logger)
        var out: [JSONValue] = []
        for try await (user, name, assigned, pass, at) in rows.decode((String, String?, Int64, Double, Date?).self) {
            out.append(
                .object([
                    ("user_id", .string(user)), ("name", name.map(JSONValue.string) ?? .null), ("assigned", .number(assigned)),
                    ("pass", .number(pass)), ("last_assigned_at", at.map { .string(Timestamp.rfc3339($0)) } ?? .null),
                ]))
        }
        return out
    }
}
