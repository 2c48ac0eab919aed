public import Foundation
public import Logging
public import PostgresNIO
public import TesseraCore

/// Login sessions and API keys (rows of `tessera.api_keys`: only their SHA-256 is stored),
/// password login with throttling, and the inactivity freeze.
public struct SessionStore: Sendable {
    let client: DatabasePool
    let hasher: PasswordHasher
    let logger: Logger
    /// How long a login token lives.
    public let sessionLifetime: Duration

    public init(client: DatabasePool, hasher: PasswordHasher, sessionLifetime: Duration = .seconds(12 * 3600), logger: Logger) {
        self.client = client
        self.hasher = hasher
        self.sessionLifetime = sessionLifetime
        self.logger = logger
    }

    /// Failed logins allowed per tenant and email within `throttleWindow` before 429.
    public static let maxFailures = 5
    public static let throttleWindow = 15 * 60

    /// A fresh login: the token (shown once), when it ends, and who signed in.
    public struct Login: Sendable {
        public let token: String
        public let expiresAt: Date
        public let user: User
    }

    public func login(tenantSlug: String, email rawEmail: String, password: String) async throws -> Login {
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        let refused = TesseraError(status: 401, code: "invalid_credentials", AccountMessage.wrongCredentials)
        guard Tenant.isValidSlug(tenantSlug), email.utf8.count <= 254, password.utf8.count <= 1024,
            let tenant = try await TenantStore(client: client, logger: logger).find(slug: tenantSlug)
        else {
            await hasher.burn(password)
            throw refused
        }
        let failures =
            try await client.query(
                """
                SELECT count(*)::int, coalesce(extract(epoch FROM min(at) + make_interval(secs => \(Self.throttleWindow)) - now()), 0)::int
                FROM tessera.login_failures WHERE tenant_id = \(tenant.id) AND email = \(email) AND at > now() - make_interval(secs => \
                \(Self.throttleWindow))
                """, logger: logger
            ).collect().first?.decode((Int, Int).self) ?? (0, 0)
        if failures.0 >= Self.maxFailures {
            var error = TesseraError(
                status: 429, code: "too_many_attempts", AccountMessage.tooManyLogins(seconds: max(failures.1, 1)))
            error.retryAfter = max(failures.1, 1)
            throw error
        }
        let users = IdentityTables.users(tenant.schema)
        let row = try await client.query(
            """
            SELECT id, password_hash, status, kind FROM \(unescaped: users) WHERE lower(email) = \(email)
            """, logger: logger
        ).collect().first?.decode((UUID, String?, String, String).self)
        let verified: Bool
        if let row, let hash = row.1, row.3 == UserKind.person.rawValue {
            verified = await hasher.verify(password, hash: hash)
        } else {
            await hasher.burn(password)
            verified = false
        }
        guard let row, verified else {
            try await client.query(
                """
                WITH old AS (DELETE FROM tessera.login_failures WHERE tenant_id = \(tenant.id) AND at < now() - interval '1 day')
                INSERT INTO tessera.login_failures (tenant_id, email) VALUES (\(tenant.id), \(email))
                """, logger: logger)
            throw refused
        }
        // The password was right, so saying why the account cannot sign in leaks nothing.
        guard let user = try await touch(tenant, userID: row.0) else { throw refused }
        try Self.requireActive(user.status)
        let token = APIKey.generate()
        let expires = Date().addingTimeInterval(Double(sessionLifetime.components.seconds))
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("DELETE FROM tessera.login_failures WHERE tenant_id = \(tenant.id) AND email = \(email)", logger: logger)
            try await connection.query(
                """
                INSERT INTO tessera.api_keys (id, tenant_id, user_id, name, prefix, key_hash, kind, expires_at)
                VALUES (\(UUIDText.v7()), \(tenant.id), \(user.id), 'login', \(String(token.prefix(8))), \(APIKey.hashHex(token)), \
                'session', \(expires))
                """, logger: logger)
        }
        return Login(token: token, expiresAt: expires, user: user)
    }

    /// Ends the caller's login session (an API key is revoked at its own route instead).
    public func logout(_ caller: Caller) async throws {
        let kind = try await client.query("SELECT kind FROM tessera.api_keys WHERE id = \(caller.keyID)", logger: logger).collect().first?.decode(
            String.self)
        guard kind == "session" else {
            throw TesseraError.badRequest(AccountMessage.notASession, code: "not_a_session")
        }
        try await revoke(caller.tenant, keyIDs: [caller.keyID])
    }

    /// Changes the caller's own password after checking the current one; ends their other sessions.
    public func changePassword(_ caller: Caller, current: String, new: String) async throws {
        if let problem = UserInput.passwordProblem(new) {
            throw TesseraError.validation([.init(field: "new_password", rule: "password", problem)])
        }
        let users = IdentityTables.users(caller.tenant.schema)
        let hash =
            try await client.query("SELECT password_hash FROM \(unescaped: users) WHERE id = \(caller.userID)", logger: logger)
            .collect().first?.decode(String?.self) ?? nil
        guard let hash, await hasher.verify(current, hash: hash) else {
            throw TesseraError.validation([.init(field: "current_password", rule: "password", AccountMessage.wrongCurrentPassword)])
        }
        let newHash = await hasher.hash(new)
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                UPDATE \(unescaped: users) SET password_hash = \(newHash), password_changed_at = now(), updated_at = now() WHERE id = \
                \(caller.userID)
                """,
                logger: logger)
            try await connection.query(
                """
                UPDATE tessera.api_keys SET revoked_at = now()
                WHERE tenant_id = \(caller.tenant.id) AND user_id = \(caller.userID) AND kind = 'session' AND id <> \(caller.keyID) AND \
                revoked_at IS NULL
                """, logger: logger)
            try await UserStore.announce(caller.tenant, on: connection, logger: logger)
        }
    }

    // MARK: API keys

    /// An API key of a user or integration identity (never its secret).
    public struct KeyInfo: Sendable {
        public let id: UUID
        public let name: String
        public let prefix: String
        public let createdAt: Date
        public let expiresAt: Date?

        public var json: JSONValue {
            .object([
                ("id", .string(id.uuidString.lowercased())), ("name", .string(name)), ("prefix", .string(prefix)),
                ("created_at", .string(Timestamp.rfc3339(createdAt))), ("expires_at", expiresAt.map { .string(Timestamp.rfc3339($0)) } ?? .null),
            ])
        }
    }

    /// Makes a key for the user; returns it with the secret (shown once).
    public func createKey(_ tenant: Tenant, userID: UUID, name: String, expiresAt: Date?) async throws -> (KeyInfo, String) {
        let key = APIKey.generate()
        let id = UUIDText.v7()
        let created =
            try await client.query(
                """
                INSERT INTO tessera.api_keys (id, tenant_id, user_id, name, prefix, key_hash, kind, expires_at)
                VALUES (\(id), \(tenant.id), \(userID), \(name), \(String(key.prefix(8))), \(APIKey.hashHex(key)), 'key', \(expiresAt))
                RETURNING created_at
                """, logger: logger
            ).collect().first?.decode(Date.self) ?? Date()
        return (KeyInfo(id: id, name: name, prefix: String(key.prefix(8)), createdAt: created, expiresAt: expiresAt), key)
    }

    /// The user's live API keys (not login sessions).
    public func keys(_ tenant: Tenant, userID: UUID) async throws -> [KeyInfo] {
        let rows = try await client.query(
            """
            SELECT id, name, prefix, created_at, expires_at FROM tessera.api_keys
            WHERE tenant_id = \(tenant.id) AND user_id = \(userID) AND kind = 'key' AND revoked_at IS NULL AND (expires_at IS NULL OR \
            expires_at > now())
            ORDER BY created_at LIMIT 1000
            """, logger: logger)
        var out: [KeyInfo] = []
        for try await (id, name, prefix, created, expires) in rows.decode((UUID, String, String, Date, Date?).self) {
            out.append(KeyInfo(id: id, name: name, prefix: prefix, createdAt: created, expiresAt: expires))
        }
        return out
    }

    /// Revokes one of the user's keys (404 if the tenant has no such key for that user).
    public func revokeKey(_ tenant: Tenant, userID: UUID, keyID text: String) async throws {
        guard let keyID = UUIDText.normalized(text).flatMap(UUID.init(uuidString:)),
            !(try await client.query(
                "SELECT 1 FROM tessera.api_keys WHERE id = \(keyID) AND tenant_id = \(tenant.id) AND user_id = \(userID) AND revoked_at IS NULL",
                logger: logger
            ).collect().isEmpty)
        else { throw TesseraError.notFound(AccountMessage.noAPIKey(text)) }
        try await revoke(tenant, keyIDs: [keyID])
    }

    private func revoke(_ tenant: Tenant, keyIDs: [UUID]) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                "UPDATE tessera.api_keys SET revoked_at = now() WHERE tenant_id = \(tenant.id) AND id = ANY(\(keyIDs)) AND revoked_at IS NULL",
                logger: logger)
            try await UserStore.announce(tenant, on: connection, logger: logger)
        }
    }

    // MARK: Authentication and freezing

    /// The caller behind a key or login token: nil if unknown, revoked or expired; 403 if the
    /// account is disabled or frozen (a person unused for longer than the tenant allows is frozen here).
    public func authenticate(key: String) async throws -> Caller? {
        guard key.hasPrefix(APIKey.prefix), key.utf8.count < 200 else { return nil }
        let rows = try await client.query(
            """
            SELECT \(unescaped: TenantRow.columns("t")), k.id, k.user_id, k.expires_at
            FROM tessera.api_keys k JOIN tessera.tenants t ON t.id = k.tenant_id
            WHERE k.key_hash = \(APIKey.hashHex(key)) AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
            """, logger: logger
        ).collect()
        guard
            let (id, slug, name, schema, zone, at, locale, calendar, keyID, userID, expires) = try rows.first?.decode(
                (UUID, String, String, String, String, Date, String?, String?, UUID, UUID?, Date?).self),
            let userID
        else { return nil }
        let tenant = TenantRow.tenant((id, slug, name, schema, zone, at, locale, calendar))
        guard let user = try await touch(tenant, userID: userID) else { return nil }
        try Self.requireActive(user.status)
        var caller = Caller(tenant: tenant, userID: userID, keyID: keyID, roles: user.roles, expiresAt: expires)
        caller.locale = user.locale
        return caller
    }

    private static func requireActive(_ status: UserStatus) throws(TesseraError) {
        switch status {
        case .active: return
        case .frozen:
            throw TesseraError(
                status: 403, code: "account_frozen", AccountMessage.accountFrozen)
        case .disabled: throw TesseraError(status: 403, code: "account_disabled", AccountMessage.accountDisabled)
        }
    }

    /// The user as a sign-in or an uncached request finds them, in one statement: a person unused
    /// for longer than the tenant allows is frozen now; an active one has their last activity
    /// refreshed (at most every 5 minutes, so busy callers do not write on each request).
    private func touch(_ tenant: Tenant, userID: UUID) async throws -> User? {
        let users = IdentityTables.users(tenant.schema)
        let returned = User.columns.split(separator: ",").map { "u." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        let rows = try await client.query(
            """
            UPDATE \(unescaped: users) u SET
              status = CASE WHEN s.stale THEN 'frozen' ELSE u.status END,
              updated_at = CASE WHEN s.stale THEN now() ELSE u.updated_at END,
              last_active_at = CASE WHEN NOT s.stale AND u.status = 'active' AND u.last_active_at < now() - interval '5 minutes' THEN now() \
              ELSE u.last_active_at END
            FROM (SELECT v.id, (v.kind = 'person' AND v.status = 'active' AND t.freeze_after_days IS NOT NULL
                                AND v.last_active_at < now() - make_interval(days => t.freeze_after_days)) AS stale
                  FROM \(unescaped: users) v, tessera.tenants t WHERE v.id = \(userID) AND t.id = \(tenant.id)) s
            WHERE u.id = s.id
            RETURNING \(unescaped: returned)
            """, logger: logger)
        return try await UserStore.users(rows).first
    }

    /// Freezes every person of the tenant unused for longer than its setting; returns how many.
    @discardableResult
    public func freezeInactive(_ tenant: Tenant) async throws -> Int {
        try await client.withTransaction(logger: logger) { connection in
            let frozen = try await connection.query(
                """
                UPDATE \(unescaped: IdentityTables.users(tenant.schema)) u SET status = 'frozen', updated_at = now()
                FROM tessera.tenants t
                WHERE t.id = \(tenant.id) AND t.freeze_after_days IS NOT NULL AND u.kind = 'person'
                  AND u.status = 'active' AND u.last_active_at < now() - make_interval(days => t.freeze_after_days)
                RETURNING u.id
                """, logger: logger
            ).collect().count
            if frozen > 0 { try await UserStore.announce(tenant, on: connection, logger: logger) }
            return frozen
        }
    }
}
