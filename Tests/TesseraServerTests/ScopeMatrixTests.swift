import Foundation
import TesseraCore
import Testing

/// Every scope on every action, against the same five records: the caller's own, a team mate's,
/// a subordinate's, one the caller is assigned to (a `user` field), and a stranger's.
@Suite("Scope matrix")
struct ScopeMatrixTests {
    static let scopes = ["own", "assigned", "team", "subordinates", "all", "none"]
    /// Which of the five owners each scope reaches.
    static let reach: [String: Set<String>] = [
        "own": ["me"], "assigned": ["me", "assigner"], "team": ["me", "mate"], "subordinates": ["me", "sub"],
        "all": ["me", "mate", "sub", "assigner", "stranger"], "none": [],
    ]

    @Test("create, read, update and delete each honour own, assigned, team, subordinates, all and none", arguments: scopes)
    func matrix(scope: String) async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant()
            try await app.createEntity(admin, ["name": "task", "fields": [["name": "title", "type": "text"], ["name": "helper", "type": "user"]]])
            // `assigned` does not apply to create; such a role creates its own records.
            let create = scope == "assigned" ? "own" : scope
            #expect(
                try await app.call(
                    .post, "/api/v1/meta/roles", key: admin,
                    json: [
                        "name": "probe",
                        "permissions": [
                            "task": ["create": .string(create), "read": .string(scope), "update": .string(scope), "delete": .string(scope)]
                        ],
                    ]
                ).status == 201)
            let team = try #require(try await app.call(.post, "/api/v1/teams", key: admin, json: ["name": "T"]).id)
            let (me, key) = try await app.makeUser(admin, name: "me", roles: ["probe"], team: team)
            var owners: [String: String] = ["me": me]
            owners["mate"] = try await app.makeUser(admin, name: "mate", roles: [], team: team).id
            owners["sub"] = try await app.makeUser(admin, name: "sub", roles: [], manager: me).id
            owners["assigner"] = try await app.makeUser(admin, name: "assigner", roles: []).id
            owners["stranger"] = try await app.makeUser(admin, name: "stranger", roles: []).id
            var records: [String: String] = [:]
            for (who, owner) in owners {
                var body: [(String, JSONValue)] = [("title", .string(who)), ("owner_id", .string(owner))]
                if who == "assigner" { body.append(("helper", .string(me))) }
                records[who] = try #require(try await app.create(admin, "task", .object(body))["id"]?.stringValue)
            }
            let expected = Self.reach[scope]!
            let byID = Dictionary(uniqueKeysWithValues: records.map { ($0.value, $0.key) })

            // read: the list, the count and single reads agree.
            let list = try await app.call(.get, "/api/v1/data/task?count=exact", key: key)
            if scope == "none" {
                list.expectError(403)
            } else {
                #expect(Set(list.data.compactMap { $0["id"]?.stringValue }.compactMap { byID[$0] }) == expected, "read \(scope): \(list.text)")
                #expect(list.json?["count"]?.intValue == expected.count)
            }
            for (who, id) in records {
                let reply = try await app.call(.get, "/api/v1/data/task/\(id)", key: key)
                #expect(reply.status == (expected.contains(who) ? 200 : (scope == "none" ? 403 : 404)), "get \(who) with \(scope): \(reply.status)")
            }
            // update
            for (who, id) in records {
                let reply = try await app.call(.patch, "/api/v1/data/task/\(id)", key: key, json: ["title": "changed"])
                #expect(reply.status == (expected.contains(who) ? 200 : (scope == "none" ? 403 : 404)), "update \(who) with \(scope): \(reply.text)")
                let title = try await app.call(.get, "/api/v1/data/task/\(id)", key: admin).json?["title"]?.stringValue
                #expect(title == (expected.contains(who) ? "changed" : who))
            }
            // delete (and restore with the same scope)
            for (who, id) in records {
                let reply = try await app.call(.delete, "/api/v1/data/task/\(id)", key: key)
                #expect(reply.status == (expected.contains(who) ? 204 : (scope == "none" ? 403 : 404)), "delete \(who) with \(scope): \(reply.text)")
                if reply.status == 204 {
                    #expect(try await app.call(.post, "/api/v1/data/task/\(id)/restore", key: key).status == 200)
                }
            }
            // create: for whom
            let creatable = Self.reach[create]!.subtracting(["assigner"])
            for (who, owner) in owners {
                let reply = try await app.call(.post, "/api/v1/data/task", key: key, json: ["title": "new", "owner_id": .string(owner)])
                let allowed = creatable.contains(who) || (create == "all")
                #expect(reply.status == (allowed ? 201 : 403), "create for \(who) with \(create): \(reply.text)")
            }
        }
    }
}
