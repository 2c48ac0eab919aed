import Foundation
import PostgresNIO
import TesseraCore
import TesseraStore
import TesseraTestSupport
import Testing

@Suite("Users, login and sessions")
struct IdentityTests {
    /// Runs SQL on the test database (to move clocks back, as days passing would).
    func sql(_ text: String) async throws {
        try await TestDatabase.withClient { client in _ = try await client.query(PostgresQuery(unsafeSQL: text)).collect() }
    }

    @Test("login returns an expiring token; wrong passwords and unknown tenants look the same; logout revokes")
    func loginAndLogout() async throws {
        try await TestApp.run { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            let (id, _) = try await app.makeUser(admin, name: "Li Lei", roles: ["admin"], password: "correct horse", email: "li.lei@example.com")
            let login = try await app.call(
                .post, "/api/v1/auth/login", json: ["tenant": .string(slug), "email": "LI.LEI@example.com ", "password": "correct horse"])
            #expect(login.status == 200, "\(login.text)")
            let token = try #require(login.json?["token"]?.stringValue)
            let expires = try #require(login.json?["expires_at"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) })
            #expect(expires > Date().addingTimeInterval(11 * 3600) && expires < Date().addingTimeInterval(13 * 3600))
            #expect(login.json?["user"]?["id"]?.stringValue == id && login.json?["user"]?["password_hash"] == nil)
            let me = try await app.call(.get, "/api/v1/me", key: token)
            #expect(me.status == 200 && me.json?["user"]?["id"]?.stringValue == id && me.json?["expires_at"]?.stringValue != nil, "\(me.text)")

            let wrong = try await app.call(
                .post, "/api/v1/auth/login", json: ["tenant": .string(slug), "email": "li.lei@example.com", "password": "wrong horse"])
            let unknownEmail = try await app.call(
                .post, "/api/v1/auth/login", json: ["tenant": .string(slug), "email": "nobody@example.com", "password": "correct horse"])
            let unknownTenant = try await app.call(
                .post, "/api/v1/auth/login", json: ["tenant": "no_such_tenant", "email": "li.lei@example.com", "password": "correct horse"])
            for reply in [wrong, unknownEmail, unknownTenant] { reply.expectError(401, "invalid_credentials") }
            #expect(wrong.text == unknownEmail.text && wrong.text == unknownTenant.text)
            try await app.call(.post, "/api/v1/auth/login", json: ["tenant": .string(slug), "email": "x@y.z"]).expectError(422)
            try await app.call(.post, "/api/v1/auth/login", raw: "{\"tenant\":").expectError(400)

            #expect(try await app.call(.post, "/api/v1/auth/logout", key: token).status == 204)
            try await app.call(.get, "/api/v1/me", key: token).expectError(401)
            try await app.call(.post, "/api/v1/auth/logout", key: admin).expectError(400, "not_a_session")
        }
    }

    @Test("a key revoked on one instance stops working on another at once, not when its cache entry ends")
    func revocationAcrossInstances() async throws {
        try await TestApp.run { first in
            let admin = try await first.createTenant()
            let (id, key) = try await first.makeUser(admin, roles: [])
            #expect(try await first.call(.get, "/api/v1/me", key: key).status == 200)  // now cached by the first instance
            let keyID = try #require(try await first.call(.get, "/api/v1/users/\(id)/api-keys", key: admin).data.first?["id"]?.stringValue)
            try await TestApp.run { second in
                let revoked = try await second.call(.delete, "/api/v1/users/\(id)/api-keys/\(keyID)", key: admin)
                #expect(revoked.status == 204)
            }
            // The announcement arrives within moments; the cache would have kept the key 30 s.
            try await eventually("the first instance refuses the revoked key") {
                try await first.call(.get, "/api/v1/me", key: key).status == 401
            }
        }
    }

    @Test("five failed logins lock the account for a while (429 with Retry-After), even for the right password")
    func throttle() async throws {
        try await TestApp.run { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            _ = try await app.makeUser(admin, roles: [], password: "right password", email: "t@example.com")
            for _ in 0..<SessionStore.maxFailures {
                try await app.call(.post, "/api/v1/auth/login", json: ["tenant": .string(slug), "email": "t@example.com", "password": "guess"])
                    .expectError(401)
            }
            let locked = try await app.call(
                .post, "/api/v1/auth/login", json: ["tenant": .string(slug), "email": "t@example.com", "password": "right password"])
            locked.expectError(429, "too_many_attempts")
            let retry = try #require(locked.headers[.retryAfter].flatMap { Int($0) })
            #expect(retry > 0 && retry <= SessionStore.throttleWindow)
            // Once the window has passed, the right password works again.
            try await sql("UPDATE tessera.login_failures SET at = at - interval '1 hour' WHERE email = 't@example.com'")
            #expect(
                try await app.call(
                    .post, "/api/v1/auth/login", json: ["tenant": .string(slug), "email": "t@example.com", "password": "right password"]
                ).status == 200)
        }
    }

    @Test("a login token stops working when it expires, cached or not")
    func expiry() async throws {
        // Long enough that logging in (password hashing on a loaded machine) and one request fit in it.
        try await TestApp.run(sessionLifetime: .seconds(6)) { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            _ = try await app.makeUser(admin, roles: [], password: "brief password", email: "e@example.com")
            let token = try #require(
                try await app.call(
                    .post, "/api/v1/auth/login", json: ["tenant": .string(slug), "email": "e@example.com", "password": "brief password"]
                ).json?["token"]?.stringValue)
            let issued = ContinuousClock.now  // the token expires at most 6 s from here
            #expect(try await app.call(.get, "/api/v1/me", key: token).status == 200)
            try await Task.sleep(until: issued + .milliseconds(6500))
            try await app.call(.get, "/api/v1/me", key: token).expectError(401)
        }
    }

    @Test("a password change ends the other sessions")
    func passwordChange() async throws {
        try await TestApp.run { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            _ = try await app.makeUser(admin, roles: [], password: "first password", email: "p@example.com")
            func login(_ password: String) async throws -> TestApp.Reply {
                try await app.call(
                    .post, "/api/v1/auth/login", json: ["tenant": .string(slug), "email": "p@example.com", "password": .string(password)])
            }
            let a = try #require(try await login("first password").json?["token"]?.stringValue)

            try await app.call(.post, "/api/v1/auth/password", key: a, json: ["current_password": "wrong", "new_password": "second password"])
                .expectError(422)
            try await app.call(.post, "/api/v1/auth/password", key: a, json: ["current_password": "first password", "new_password": "short"])
                .expectError(422)
            let c = try #require(try await login("first password").json?["token"]?.stringValue)
            #expect(
                try await app.call(
                    .post, "/api/v1/auth/password", key: a, json: ["current_password": "first password", "new_password": "second password"]
                ).status == 204)
            #expect(try await app.call(.get, "/api/v1/me", key: a).status == 200)
            try await app.call(.get, "/api/v1/me", key: c).expectError(401)
            try await login("first password").expectError(401)
            #expect(try await login("second password").status == 200)
        }
    }

    @Test("accounts unused longer than the tenant allows are frozen, and unfreezing lets them back in")
    func freeze() async throws {
        try await TestApp.run { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            let (id, key) = try await app.makeUser(admin, roles: [], password: "cold password", email: "f@example.com")
            let (botID, botKey) = try await app.makeUser(admin, roles: [], email: "bot@example.com")
            try await app.call(.patch, "/api/v1/settings", key: admin, json: ["freeze_after_days": 0]).expectError(422)
            try await app.call(.patch, "/api/v1/settings", key: key, json: ["freeze_after_days": 30]).expectError(403)
            #expect(
                try await app.call(.patch, "/api/v1/settings", key: admin, json: ["freeze_after_days": 30]).json?["freeze_after_days"] == .number(30))
            #expect(try await app.call(.get, "/api/v1/me", key: key).status == 200)
            // 40 days pass without the user (but the admin keeps working).
            try await sql("UPDATE t_\(slug)._users SET last_active_at = now() - interval '40 days' WHERE id IN ('\(id)', '\(botID)')")
            // The sweep (what the hourly service runs) freezes them; the caller cache is told to forget.
            #expect(try await app.call(.patch, "/api/v1/settings", key: admin, json: ["freeze_after_days": 30]).status == 200)
            try await app.call(.get, "/api/v1/me", key: key).expectError(403, "account_frozen")
            try await app.call(.get, "/api/v1/me", key: botKey).expectError(403, "account_frozen")
            try await app.call(.post, "/api/v1/auth/login", json: ["tenant": .string(slug), "email": "f@example.com", "password": "cold password"])
                .expectError(403, "account_frozen")
            // A wrong password does not reveal the freeze.
            try await app.call(.post, "/api/v1/auth/login", json: ["tenant": .string(slug), "email": "f@example.com", "password": "wrong password"])
                .expectError(401)
            #expect(try await app.call(.get, "/api/v1/users/\(id)", key: admin).json?["status"] == "frozen")

            let unfrozen = try await app.call(.patch, "/api/v1/users/\(id)", key: admin, json: ["status": "active"])
            #expect(unfrozen.status == 200 && unfrozen.json?["status"] == "active", "\(unfrozen.text)")
            #expect(try await app.call(.get, "/api/v1/me", key: key).status == 200)
            #expect(
                try await app.call(
                    .post, "/api/v1/auth/login", json: ["tenant": .string(slug), "email": "f@example.com", "password": "cold password"]
                ).status == 200)

            // Disabling ends sessions and keys at once.
            #expect(try await app.call(.patch, "/api/v1/users/\(id)", key: admin, json: ["status": "disabled"]).status == 200)
            try await app.call(.get, "/api/v1/me", key: key).expectError(403, "account_disabled")
            try await app.call(.post, "/api/v1/auth/login", json: ["tenant": .string(slug), "email": "f@example.com", "password": "cold password"])
                .expectError(403, "account_disabled")
        }
    }

    @Test("API keys belong to a user or an integration identity with its own role; revoked keys stop at once")
    func keysAndIntegrations() async throws {
        try await TestApp.run { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            try await app.createEntity(admin, customerEntity)
            #expect(
                try await app.call(
                    .post, "/api/v1/meta/roles", key: admin,
                    json: [
                        "name": "erp_sync", "permissions": ["customer": ["create": "all", "read": "all", "update": "none", "delete": "none"]],
                    ]
                ).status == 201)
            let bot = try await app.call(.post, "/api/v1/users", key: admin, json: ["name": "ERP", "kind": "integration", "roles": ["erp_sync"]])
            #expect(bot.status == 201 && bot.json?["kind"] == "integration", "\(bot.text)")
            let botID = try #require(bot.id)
            let made = try await app.call(.post, "/api/v1/users/\(botID)/api-keys", key: admin, json: ["name": "nightly", "expires_in_days": 90])
            #expect(made.status == 201 && made.json?["expires_at"]?.stringValue != nil)
            let botKey = try #require(made.json?["key"]?.stringValue)
            let record = try await app.create(botKey, "customer", ["name": "From ERP"])
            let recordID = try #require(record["id"]?.stringValue)
            try await app.call(.patch, "/api/v1/data/customer/\(recordID)", key: botKey, json: ["name": "x"]).expectError(403)
            try await app.call(.get, "/api/v1/meta/log", key: botKey).expectError(403)
            let keys = try await app.call(.get, "/api/v1/users/\(botID)/api-keys", key: admin)
            #expect(keys.data.count == 1 && keys.data[0]["key"] == nil && !keys.text.contains(botKey))
            // Integrations cannot sign in with a password.
            try await app.call(.patch, "/api/v1/users/\(botID)", key: admin, json: ["password": "longenough1"]).expectError(422)
            // A user manages their own keys but not others'.
            let (repID, repKey) = try await app.makeUser(admin, roles: [])
            #expect(try await app.call(.post, "/api/v1/users/\(repID)/api-keys", key: repKey, json: ["name": "mine"]).status == 201)
            try await app.call(.post, "/api/v1/users/\(botID)/api-keys", key: repKey, json: ["name": "steal"]).expectError(403)
            try await app.call(.delete, "/api/v1/users/\(botID)/api-keys/\(keys.data[0]["id"]!.stringValue!)", key: repKey).expectError(403)
            #expect(try await app.call(.delete, "/api/v1/users/\(botID)/api-keys/\(keys.data[0]["id"]!.stringValue!)", key: admin).status == 204)
            try await app.call(.get, "/api/v1/data/customer", key: botKey).expectError(401)
        }
    }

    @Test("admins manage users; nobody grants more than they hold; emails are unique; bad references are refused")
    func userManagement() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant()
            #expect(try await app.call(.post, "/api/v1/meta/roles", key: admin, json: ["name": "hr", "special": ["manage_users"]]).status == 201)
            #expect(
                try await app.call(.post, "/api/v1/meta/roles", key: admin, json: ["name": "meta", "special": ["manage_metadata"]]).status == 201)
            let (_, hr) = try await app.makeUser(admin, roles: ["hr"])
            let (plainID, plain) = try await app.makeUser(admin, roles: [], email: "plain@example.com")
            // Plain users read the directory but change nothing.
            #expect(try await app.call(.get, "/api/v1/users", key: plain).data.count == 3)
            try await app.call(.post, "/api/v1/users", key: plain, json: ["name": "x", "email": "x@example.com"]).expectError(403)
            try await app.call(.patch, "/api/v1/users/\(plainID)", key: plain, json: ["roles": ["admin"]]).expectError(403)
            // HR makes users, but cannot hand out admin or a special it lacks, nor touch an admin.
            #expect(
                try await app.call(.post, "/api/v1/users", key: hr, json: ["name": "New", "email": "new@example.com", "roles": ["hr"]]).status == 201)
            try await app.call(.post, "/api/v1/users", key: hr, json: ["name": "Boss", "email": "boss@example.com", "roles": ["admin"]]).expectError(
                403)
            try await app.call(.patch, "/api/v1/users/\(plainID)", key: hr, json: ["roles": ["meta"]]).expectError(403)
            let adminID = try #require(try await app.call(.get, "/api/v1/me", key: admin).json?["user"]?["id"]?.stringValue)
            try await app.call(.patch, "/api/v1/users/\(adminID)", key: hr, json: ["password": "takeover123"]).expectError(403)
            // Problems are named.
            try await app.call(.post, "/api/v1/users", key: admin, json: ["name": "Dup", "email": "PLAIN@example.com"]).expectError(409, "duplicate")
            try await app.call(.post, "/api/v1/users", key: admin, json: ["name": "R", "email": "r@example.com", "roles": ["no_such_role"]])
                .expectError(422)
            try await app.call(
                .post, "/api/v1/users", key: admin, json: ["name": "T", "email": "t@example.com", "team_id": "0190a5b0-0000-7000-8000-000000000000"]
            ).expectError(422)
            try await app.call(.get, "/api/v1/users/not-an-id", key: admin).expectError(404)
            #expect(try await app.call(.get, "/api/v1/users?limit=2", key: admin).json?["next_after"]?.stringValue != nil)
        }
    }

    @Test("teams and the manager hierarchy: subordinates, the manager chain, no cycles")
    func hierarchy() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant()
            let team = try await app.call(.post, "/api/v1/teams", key: admin, json: ["name": "East"])
            #expect(team.status == 201)
            let teamID = try #require(team.id)
            try await app.call(.post, "/api/v1/teams", key: admin, json: ["name": "east"]).expectError(409)
            let (director, _) = try await app.makeUser(admin, name: "Director", roles: [])
            let (regional, _) = try await app.makeUser(admin, name: "Regional", roles: [], manager: director)
            let (supervisor, _) = try await app.makeUser(admin, name: "Supervisor", roles: [], team: teamID, manager: regional)
            let (rep1, _) = try await app.makeUser(admin, name: "Rep 1", roles: [], team: teamID, manager: supervisor)
            let (rep2, _) = try await app.makeUser(admin, name: "Rep 2", roles: [], team: teamID, manager: supervisor)
            let subs = try await app.call(.get, "/api/v1/users/\(regional)/subordinates", key: admin).data
            #expect(subs.compactMap { $0["id"]?.stringValue } == [supervisor, rep1, rep2])
            #expect(subs.compactMap { $0["depth"]?.intValue } == [1, 2, 2])
            let chain = try await app.call(.get, "/api/v1/users/\(rep1)/managers", key: admin).data
            #expect(chain.compactMap { $0["id"]?.stringValue } == [supervisor, regional, director])
            #expect(try await app.call(.get, "/api/v1/teams/\(teamID)/members", key: admin).data.count == 3)
            // The director reporting to a rep would close a loop.
            try await app.call(.patch, "/api/v1/users/\(director)", key: admin, json: ["manager_id": .string(rep1)]).expectError(422)
            try await app.call(.patch, "/api/v1/users/\(rep1)", key: admin, json: ["manager_id": .string(rep1)]).expectError(422)
            try await app.call(.delete, "/api/v1/teams/\(teamID)", key: admin).expectError(409, "team_in_use")
        }
    }
}
