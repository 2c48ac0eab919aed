public import Foundation
public import Logging
public import PostgresNIO
public import TesseraCore

/// Users, teams and the manager hierarchy of a tenant (tables `_users` and `_teams` in its schema).
public struct UserStore: Sendable {
    let client: DatabasePool
    public let hasher: PasswordHasher
    let logger: Logger

    public init(client: DatabasePool, hasher: PasswordHasher, logger: Logger) {
        self.client = client
        self.hasher = hasher
        self.logger = logger
    }

    public static let maxPage = 500

    /// Users ordered by id, after `after` (keyset paging).
    public func list(_ tenant: Tenant, limit: Int, after: UUID?) async throws -> [User] {
        let table = IdentityTables.users(tenant.schema)
        let rows = try await client.query(
            """
            SELECT \(unescaped: User.columns) FROM \(unescaped: table) WHERE id > \
            \(after ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))) ORDER BY id LIMIT \(limit)
            """,
            logger: logger)
        return try await Self.users(rows)
    }

    public func get(_ tenant: Tenant, id text: String) async throws -> User {
        guard let id = UUIDText.normalized(text).flatMap(UUID.init(uuidString:)),
            let user = try await find(tenant, id: id)
        else { throw TesseraError.notFound(AccountMessage.noUser(text)) }
        return user
    }

    func find(_ tenant: Tenant, id: UUID, on connection: PostgresConnection? = nil) async throws -> User? {
        let query: PostgresQuery = "SELECT \(unescaped: User.columns) FROM \(unescaped: IdentityTables.users(tenant.schema)) WHERE id = \(id)"
        return try await SQLSession(client, transaction: connection).query(query, logger: logger).first.map(Self.user)
    }

    /// A row that selected `User.columns`.
    static func user(_ row: PostgresRow) throws -> User {
        User(try row.decode((UUID, String, String?, String, String, [String], UUID?, UUID?, Date, Date, String?).self))
    }

    static func users<Rows: AsyncSequence>(_ rows: Rows) async throws -> [User] where Rows.Element == PostgresRow {
        var out: [User] = []
        for try await row in rows { out.append(try user(row)) }
        return out
    }

    /// Creates a user; roles must be defined (`known`), or the tenant's default roles are given.
    public func create(_ tenant: Tenant, _ input: UserInput, defaultRoles: [String]) async throws -> User {
        let id = UUIDText.v7()
        let hash: String? = if let password = input.password { await hasher.hash(password) } else { nil }
        let roles = input.roles ?? defaultRoles
        let table = IdentityTables.users(tenant.schema)
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await checkReferences(tenant, userID: id, input, on: connection)
                try await connection.query(
                    """
                    INSERT INTO \(unescaped: table) (id, name, email, password_hash, kind, roles, team_id, manager_id, password_changed_at, locale)
                    VALUES (\(id), \(input.name ?? ""), \(input.email ?? nil), \(hash), \((input.kind ?? .person).rawValue), \(roles),
                            \(Self.uuid(input.teamID)), \(Self.uuid(input.managerID)), \(hash == nil ? nil : Date()), \(input.locale??.rawValue))
                    """, logger: logger)
                guard let user = try await find(tenant, id: id, on: connection) else { throw TesseraError.internal() }
                return user
            }
        } catch {
            throw Self.mapped(error, input)
        }
    }

    /// Changes a user. A new password, disabling or a role change end the user's sessions; the
    /// callers cache of every instance is told to forget the tenant's callers.
    public func update(_ tenant: Tenant, id text: String, _ input: UserInput) async throws -> User {
        let existing = try await get(tenant, id: text)
        let hash: String? = if let password = input.password { await hasher.hash(password) } else { nil }
        let table = IdentityTables.users(tenant.schema)
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await checkReferences(tenant, userID: existing.id, input, on: connection)
                if existing.kind == .integration, input.password != nil || input.email != nil {
                    throw TesseraError.validation([
                        .init(field: "password", rule: "integration", AccountMessage.integrationNoSignIn)
                    ])
                }
                var b = SQLBuilder("UPDATE \(table) SET updated_at = now()")
                if let name = input.name { b.append(", name = "); b.bind(name, cast: "text") }
                if let email = input.email { b.append(", email = "); b.bind(email.map(StoredValue.text) ?? .null, cast: "text") }
                if let hash { b.append(", password_changed_at = now(), password_hash = "); b.bind(hash, cast: "text") }
                if let roles = input.roles { b.append(", roles = "); b.bind(.textArray(roles), cast: "text[]") }
                if let team = input.teamID { b.append(", team_id = "); b.bind(team.map(StoredValue.text) ?? .null, cast: "uuid") }
                if let manager = input.managerID { b.append(", manager_id = "); b.bind(manager.map(StoredValue.text) ?? .null, cast: "uuid") }
                if let locale = input.locale { b.append(", locale = "); b.bind(locale.map { .text($0.rawValue) } ?? .null, cast: "text") }
                if let status = input.status {
                    b.append(", status = ")
                    b.bind(status.rawValue, cast: "text")
                    // Unfreezing starts the inactivity clock again, or the next check would freeze at once.
                    if status == .active { b.append(", last_active_at = now()") }
                }
                b.append(" WHERE id = ")
                b.bind(existing.id.uuidString, cast: "uuid")
                try await connection.query(b.query, logger: logger)
                if hash != nil || input.status == .disabled {
                    try await connection.query(
                        """
                        UPDATE tessera.api_keys SET revoked_at = now() WHERE tenant_id = \(tenant.id) AND user_id = \(existing.id) AND kind = \
                        'session' AND revoked_at IS NULL
                        """,
                        logger: logger)
                }
                try await Self.announce(tenant, on: connection, logger: logger)
                guard let user = try await find(tenant, id: existing.id, on: connection) else { throw TesseraError.internal() }
                return user
            }
        } catch {
            throw Self.mapped(error, input)
        }
    }

    /// Team and manager must exist; a manager may not be the user or anyone below them.
    private func checkReferences(_ tenant: Tenant, userID: UUID, _ input: UserInput, on connection: PostgresConnection) async throws {
        var problems: [TesseraError.Detail] = []
        if case .some(.some(let team)) = input.teamID,
            try await connection.query("SELECT 1 FROM \(unescaped: IdentityTables.teams(tenant.schema)) WHERE id = \(team)::uuid", logger: logger)
                .collect().isEmpty
        {
            problems.append(.init(field: "team_id", rule: "reference", AccountMessage.noTeamWithID(field: "team_id", id: team)))
        }
        if case .some(.some(let manager)) = input.managerID {
            if try await find(tenant, id: UUID(uuidString: manager)!, on: connection) == nil {
                problems.append(.init(field: "manager_id", rule: "reference", AccountMessage.noManager(manager)))
            } else if try await managerChain(tenant, from: UUID(uuidString: manager)!, on: connection).contains(where: { $0.id == userID })
                || manager == userID.uuidString.lowercased()
            {
                problems.append(
                    .init(field: "manager_id", rule: "cycle", AccountMessage.managerCycle))
            }
        }
        guard problems.isEmpty else { throw TesseraError.validation(problems) }
    }

    private static func uuid(_ value: String??) -> UUID? { value.flatMap { $0 }.flatMap(UUID.init(uuidString:)) }

    private static func mapped(_ error: any Error, _ input: UserInput) -> any Error {
        guard let mapped = DatabaseErrorMapper.map(error) else { return error }
        if mapped.code == "duplicate" {
            return TesseraError.conflict(
                AccountMessage.emailTakenBy((input.email ?? nil) ?? ""), code: "duplicate",
                details: [.init(field: "email", rule: "unique", AccountMessage.emailTaken)])
        }
        return mapped
    }

    /// Tells every instance (this one included) to forget cached callers of the tenant.
    static func announce(_ tenant: Tenant, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            "SELECT pg_notify(\(ControlSchema.metadataChannel), \(ControlSchema.authPayloadPrefix + tenant.id.uuidString.lowercased()))",
            logger: logger)
    }

    /// Everyone below the user in the manager hierarchy, nearest first, with their depth (1 = direct report).
    public func subordinates(_ tenant: Tenant, of id: UUID) async throws -> [(user: User, depth: Int)] {
        let table = IdentityTables.users(tenant.schema)
        let prefixed = User.columns.split(separator: ",").map { "u." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        let rows = try await client.query(
            """
            WITH RECURSIVE s(id, depth) AS (
                SELECT id, 1 FROM \(unescaped: table) WHERE manager_id = \(id)
                UNION
                SELECT u.id, s.depth + 1 FROM \(unescaped: table) u JOIN s ON u.manager_id = s.id WHERE s.depth < 64)
            SELECT \(unescaped: prefixed), min(s.depth)::int FROM s JOIN \(unescaped: table) u ON u.id = s.id
            GROUP BY u.id ORDER BY min(s.depth), u.name, u.id
            """, logger: logger)
        var out: [(User, Int)] = []
        for try await row in rows.decode((UUID, String, String?, String, String, [String], UUID?, UUID?, Date, Date, String?, Int).self) {
            out.append((User((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10)), row.11))
        }
        return out
    }

    /// The user's manager, their manager, and so on up (direct supervisor first).
    public func managerChain(_ tenant: Tenant, of id: UUID) async throws -> [User] {
        try await client.withConnection { connection in try await managerChain(tenant, from: id, on: connection, includingStart: false) }
    }

    func managerChain(_ tenant: Tenant, from id: UUID, on connection: PostgresConnection, includingStart: Bool = true) async throws -> [User] {
        let table = IdentityTables.users(tenant.schema)
        let prefixed = User.columns.split(separator: ",").map { "u." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        // UNION (not ALL) and the depth bound stop at a cycle, should one ever exist.
        let rows = try await connection.query(
            """
            WITH RECURSIVE c(id, depth) AS (
                SELECT \(unescaped: includingStart ? "id" : "manager_id"), 0 FROM \(unescaped: table) WHERE id = \(id)
                UNION
                SELECT u.manager_id, c.depth + 1 FROM \(unescaped: table) u JOIN c ON u.id = c.id WHERE u.manager_id IS NOT NULL AND c.depth < 64)
            SELECT \(unescaped: prefixed) FROM c JOIN \(unescaped: table) u ON u.id = c.id ORDER BY c.depth
            """, logger: logger)
        return try await Self.users(rows)
    }

    /// Who a notification to `owner`, `manager` or `role:<name>` reaches: active users only.
    public func recipients(_ tenant: Tenant, to: String, owner: UUID?, on connection: PostgresConnection) async throws -> [UUID] {
        let table = IdentityTables.users(tenant.schema)
        let query: PostgresQuery
        if to == "owner" {
            query = "SELECT id FROM \(unescaped: table) WHERE id = \(owner) AND status = 'active'"
        } else if to == "manager" {
            query =
                """
                SELECT m.id FROM \(unescaped: table) u JOIN \(unescaped: table) m ON m.id = u.manager_id WHERE u.id = \(owner) AND m.status = \
                'active'
                """
        } else if to.hasPrefix("role:") {
            query = "SELECT id FROM \(unescaped: table) WHERE \(String(to.dropFirst(5))) = ANY(roles) AND status = 'active' ORDER BY id LIMIT 1000"
        } else {
            return []
        }
        return try await connection.query(query, logger: logger).collect().map { try $0.decode(UUID.self) }
    }

    /// Those of `ids` who are active users of the tenant.
    public func activeUsers(_ tenant: Tenant, _ ids: [UUID], on connection: PostgresConnection) async throws -> [UUID] {
        guard !ids.isEmpty else { return [] }
        return try await connection.query(
            "SELECT id FROM \(unescaped: IdentityTables.users(tenant.schema)) WHERE id = ANY(\(ids)::uuid[]) AND status = 'active'", logger: logger
        ).collect().map { try $0.decode(UUID.self) }
    }

    /// Up the manager chain from `owner`: the `levels`-th manager (or, if that one is not active,
    /// the next active one above), or the nearest active manager holding `role`.
    public func escalationTarget(_ tenant: Tenant, owner: UUID?, levels: Int, role: String?, on connection: PostgresConnection) async throws -> UUID?
    {
        guard let owner else { return nil }
        let table = IdentityTables.users(tenant.schema)
        let rows = try await connection.query(
            """
            WITH RECURSIVE chain(id, manager_id, depth) AS (
              SELECT id, manager_id, 0 FROM \(unescaped: table) WHERE id = \(owner)
              UNION ALL SELECT u.id, u.manager_id, c.depth + 1 FROM \(unescaped: table) u JOIN chain c ON u.id = c.manager_id WHERE c.depth < 32)
            SELECT c.id, c.depth, u.roles, u.status FROM chain c JOIN \(unescaped: table) u ON u.id = c.id WHERE c.depth > 0 ORDER BY c.depth
            """, logger: logger)
        for try await (id, depth, roles, status) in rows.decode((UUID, Int, [String], String).self) where status == "active" {
            if let role { if roles.contains(role) { return id } } else if depth >= levels { return id }
        }
        return nil
    }

    // MARK: Teams

    public func teams(_ tenant: Tenant) async throws -> [Team] {
        let rows = try await client.query(
            "SELECT id, name, manager_id FROM \(unescaped: IdentityTables.teams(tenant.schema)) ORDER BY lower(name), id LIMIT 1000", logger: logger)
        var out: [Team] = []
        for try await (id, name, manager) in rows.decode((UUID, String, UUID?).self) { out.append(Team(id: id, name: name, managerID: manager)) }
        return out
    }

    /// Creates (id nil) or changes a team.
    public func saveTeam(_ tenant: Tenant, id text: String?, _ input: TeamInput) async throws -> Team {
        var problems: [TesseraError.Detail] = []
        let name = input.name
        let manager: UUID?? = input.managerID.map { $0.flatMap(UUID.init(uuidString:)) }
        if case .some(.some(let m)) = manager, try await find(tenant, id: m) == nil {
            problems.append(.init(field: "manager_id", rule: "reference", AccountMessage.noManager(m.uuidString.lowercased())))
        }
        guard problems.isEmpty else { throw TesseraError.validation(problems) }
        let table = IdentityTables.teams(tenant.schema)
        do {
            if let text {
                guard let id = UUIDText.normalized(text).flatMap(UUID.init(uuidString:)) else {
                    throw TesseraError.notFound(AccountMessage.noTeam(text))
                }
                var b = SQLBuilder("UPDATE \(table) SET name = coalesce(")
                b.bind(name.map(StoredValue.text) ?? .null, cast: "text")
                b.append(", name)")
                if let manager { b.append(", manager_id = "); b.bind(manager.map { .text($0.uuidString) } ?? .null, cast: "uuid") }
                b.append(" WHERE id = ")
                b.bind(id.uuidString, cast: "uuid")
                b.append(" RETURNING id, name, manager_id")
                for try await (id, name, m) in try await client.query(b.query, logger: logger).decode((UUID, String, UUID?).self) {
                    return Team(id: id, name: name, managerID: m)
                }
                throw TesseraError.notFound(AccountMessage.noTeam(text))
            }
            let id = UUIDText.v7()
            let managerID = manager.flatMap { $0 }
            try await client.query("INSERT INTO \(unescaped: table) (id, name, manager_id) VALUES (\(id), \(name!), \(managerID))", logger: logger)
            return Team(id: id, name: name!, managerID: managerID)
        } catch {
            if let mapped = DatabaseErrorMapper.map(error), mapped.code == "duplicate" {
                throw TesseraError.conflict(AccountMessage.teamExists(name ?? ""), code: "duplicate")
            }
            throw error
        }
    }

    /// Deletes an empty team (409 while users are in it).
    public func deleteTeam(_ tenant: Tenant, id text: String) async throws {
        guard let id = UUIDText.normalized(text).flatMap(UUID.init(uuidString:)) else { throw TesseraError.notFound(AccountMessage.noTeam(text)) }
        let members =
            try await client.query(
                "SELECT count(*)::int FROM \(unescaped: IdentityTables.users(tenant.schema)) WHERE team_id = \(id)", logger: logger
            ).collect().first?.decode(Int.self) ?? 0
        guard members == 0 else { throw TesseraError.conflict(AccountMessage.teamInUse(members), code: "team_in_use") }
        let deleted = try await client.query(
            "DELETE FROM \(unescaped: IdentityTables.teams(tenant.schema)) WHERE id = \(id) RETURNING id", logger: logger
        ).collect()
        if deleted.isEmpty { throw TesseraError.notFound(AccountMessage.noTeam(text)) }
    }

    public func members(_ tenant: Tenant, team text: String) async throws -> [User] {
        guard let id = UUIDText.normalized(text).flatMap(UUID.init(uuidString:)) else { throw TesseraError.notFound(AccountMessage.noTeam(text)) }
        if try await client.query("SELECT 1 FROM \(unescaped: IdentityTables.teams(tenant.schema)) WHERE id = \(id)", logger: logger).collect()
            .isEmpty
        {
            throw TesseraError.notFound(AccountMessage.noTeam(text))
        }
        return try await Self.users(
            try await client.query(
                """
                SELECT \(unescaped: User.columns) FROM \(unescaped: IdentityTables.users(tenant.schema)) WHERE team_id = \(id) ORDER BY name, \
                id LIMIT 1000
                """,
                logger: logger))
    }
}
