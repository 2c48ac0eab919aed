import Foundation
import TesseraCore
import Testing

/// A tenant with one entity, roles of every scope, an org chart and records owned across it.
struct PermissionFixture {
    let app: TestApp
    let admin: String
    var ids: [String: String] = [:]
    var keys: [String: String] = [:]
    /// Deal ids by owner name.
    var deals: [String: [String]] = [:]

    static let deal: JSONValue = [
        "name": "deal",
        "fields": [
            ["name": "name", "type": "text", "required": true],
            ["name": "amount", "type": "money"],
            ["name": "cost", "type": "money"],
            ["name": "margin", "type": "formula", "expression": "record.amount - record.cost", "result": "decimal"],
            ["name": "presales", "type": "user"],
        ],
    ]

    static func role(_ name: String, _ deal: [String: String], fields: [String: String] = [:]) -> JSONValue {
        var members: [(String, JSONValue)] = deal.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }
        if !fields.isEmpty { members.append(("fields", .object(fields.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))) }
        return .object([("name", .string(name)), ("permissions", .object([("deal", .object(members))]))])
    }

    static func make(_ app: TestApp) async throws -> PermissionFixture {
        let admin = try await app.createTenant()
        var f = PermissionFixture(app: app, admin: admin)
        try await app.createEntity(admin, deal)
        let roles: [JSONValue] = [
            role("rep", ["create": "own", "read": "own", "update": "own", "delete": "own"], fields: ["cost": "none", "amount": "read"]),
            role("supervisor", ["create": "team", "read": "team", "update": "own", "delete": "team"]),
            role("regional", ["create": "none", "read": "subordinates", "update": "subordinates", "delete": "none"]),
            role("presales", ["create": "none", "read": "assigned", "update": "assigned", "delete": "none"]),
            role("viewer", ["create": "none", "read": "all", "update": "none", "delete": "none"]),
            ["name": "outsider"],
        ]
        for role in roles {
            let reply = try await app.call(.post, "/api/v1/meta/roles", key: admin, json: role)
            #expect(reply.status == 201, "\(reply.text)")
        }
        let east = try #require(try await app.call(.post, "/api/v1/teams", key: admin, json: ["name": "East"]).id)
        let west = try #require(try await app.call(.post, "/api/v1/teams", key: admin, json: ["name": "West"]).id)
        func user(_ name: String, _ roles: [String], team: String? = nil, manager: String? = nil) async throws {
            let (id, key) = try await app.makeUser(admin, name: name, roles: roles, team: team, manager: manager.flatMap { f.ids[$0] })
            f.ids[name] = id
            f.keys[name] = key
        }
        try await user("regional", ["regional"])
        try await user("supervisor", ["supervisor"], team: east, manager: "regional")
        try await user("rep1", ["rep"], team: east, manager: "supervisor")
        try await user("rep2", ["rep"], team: east, manager: "supervisor")
        try await user("rep3", ["rep"], team: west)
        try await user("presales", ["presales"])
        try await user("viewer", ["viewer"])
        try await user("outsider", ["outsider"])
        try await user("rep_presales", ["rep", "presales"])
        for (owner, count) in [("rep1", 2), ("rep2", 1), ("rep3", 1), ("supervisor", 1)] {
            for i in 0..<count {
                var body: [(String, JSONValue)] = [
                    ("name", .string("\(owner) deal \(i)")), ("owner_id", .string(f.ids[owner]!)), ("amount", 100), ("cost", 60),
                ]
                if owner == "rep3" { body.append(("presales", .string(f.ids["presales"]!))) }
                if owner == "rep2" { body.append(("presales", .string(f.ids["rep_presales"]!))) }
                let record = try await app.create(admin, "deal", .object(body))
                f.deals[owner, default: []].append(try #require(record["id"]?.stringValue))
            }
        }
        return f
    }

    func visible(_ who: String) async throws -> Set<String> {
        let reply = try await app.call(.get, "/api/v1/data/deal?limit=200&count=exact", key: keys[who]!)
        #expect(reply.status == 200, "\(who): \(reply.text)")
        #expect(reply.json?["count"]?.intValue == reply.data.count, "count agrees with the page for \(who)")
        return Set(reply.data.compactMap { $0["id"]?.stringValue })
    }

    func owned(_ owners: String...) -> Set<String> { Set(owners.flatMap { deals[$0] ?? [] }) }
}

@Suite("Roles, scopes and field permissions")
struct PermissionTests {
    @Test("read scopes: own, team, subordinates, assigned, all, none, and unions of them")
    func readScopes() async throws {
        try await TestApp.run { app in
            let f = try await PermissionFixture.make(app)
            #expect(try await f.visible("rep1") == f.owned("rep1"))
            #expect(try await f.visible("rep3") == f.owned("rep3"))
            #expect(try await f.visible("supervisor") == f.owned("rep1", "rep2", "supervisor"))
            #expect(try await f.visible("regional") == f.owned("rep1", "rep2", "supervisor"))
            #expect(try await f.visible("presales") == f.owned("rep3"))
            #expect(try await f.visible("viewer") == f.owned("rep1", "rep2", "rep3", "supervisor"))
            #expect(try await f.visible("rep_presales") == f.owned("rep2"))
            try await app.call(.get, "/api/v1/data/deal", key: f.keys["outsider"]!).expectError(403)
            // Single reads and history follow the same scope: another's record is simply not there.
            let other = f.deals["rep2"]![0]
            try await app.call(.get, "/api/v1/data/deal/\(other)", key: f.keys["rep1"]!).expectError(404)
            try await app.call(.get, "/api/v1/data/deal/\(other)/history", key: f.keys["rep1"]!).expectError(404)
            #expect(try await app.call(.get, "/api/v1/data/deal/\(other)", key: f.keys["supervisor"]!).status == 200)
            // Moving a rep to another team moves what their supervisor sees, at once.
            let west = try #require(try await app.call(.get, "/api/v1/teams", key: f.admin).data.first { $0["name"] == "West" }?["id"]?.stringValue)
            #expect(try await app.call(.patch, "/api/v1/users/\(f.ids["rep2"]!)", key: f.admin, json: ["team_id": .string(west)]).status == 200)
            #expect(try await f.visible("supervisor") == f.owned("rep1", "supervisor"))
            #expect(try await f.visible("regional") == f.owned("rep1", "rep2", "supervisor"))
        }
    }

    @Test("write scopes: create for whom, update and delete what, read-but-not-write is 403")
    func writeScopes() async throws {
        try await TestApp.run { app in
            let f = try await PermissionFixture.make(app)
            let rep1 = f.keys["rep1"]!, supervisor = f.keys["supervisor"]!, own = f.deals["rep1"]![0], rep2Deal = f.deals["rep2"]![0]
            // Create: a rep only for themselves; a supervisor for the team, not beyond it.
            let mine = try await app.create(rep1, "deal", ["name": "new"])
            #expect(mine["owner_id"]?.stringValue == f.ids["rep1"])
            try await app.call(.post, "/api/v1/data/deal", key: rep1, json: ["name": "x", "owner_id": .string(f.ids["rep2"]!)]).expectError(403)
            #expect(
                try await app.call(.post, "/api/v1/data/deal", key: supervisor, json: ["name": "x", "owner_id": .string(f.ids["rep2"]!)]).status
                    == 201)
            try await app.call(.post, "/api/v1/data/deal", key: supervisor, json: ["name": "x", "owner_id": .string(f.ids["rep3"]!)]).expectError(403)
            try await app.call(.post, "/api/v1/data/deal", key: f.keys["viewer"]!, json: ["name": "x"]).expectError(403)
            // Bulk creation is an import.
            try await app.call(.post, "/api/v1/data/deal", key: rep1, json: [["name": "a"], ["name": "b"]]).expectError(403)
            // Update: own only; another's record is not found; a visible one outside the update scope is 403.
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(own)", key: rep1, json: ["name": "renamed"]).status == 200)
            try await app.call(.patch, "/api/v1/data/deal/\(rep2Deal)", key: rep1, json: ["name": "hijack"]).expectError(404)
            try await app.call(.patch, "/api/v1/data/deal/\(rep2Deal)", key: supervisor, json: ["name": "hijack"]).expectError(403)
            // Handing a record to someone outside the scope is refused.
            try await app.call(.patch, "/api/v1/data/deal/\(own)", key: rep1, json: ["owner_id": .string(f.ids["rep2"]!)]).expectError(403)
            #expect(
                try await app.call(.patch, "/api/v1/data/deal/\(f.deals["rep3"]![0])", key: f.keys["presales"]!, json: ["name": "scoped"]).status
                    == 200)
            try await app.call(.patch, "/api/v1/data/deal/\(f.deals["rep3"]![0])", key: f.keys["viewer"]!, json: ["name": "x"]).expectError(403)
            // Delete and restore: the delete scope.
            try await app.call(.delete, "/api/v1/data/deal/\(rep2Deal)", key: rep1).expectError(404)
            try await app.call(.delete, "/api/v1/data/deal/\(rep2Deal)", key: f.keys["regional"]!).expectError(403)
            #expect(try await app.call(.delete, "/api/v1/data/deal/\(rep2Deal)", key: supervisor).status == 204)
            #expect(try await app.call(.post, "/api/v1/data/deal/\(rep2Deal)/restore", key: supervisor).status == 200)
            #expect(try await app.call(.delete, "/api/v1/data/deal/\(own)", key: rep1).status == 204)
            // Nothing outside the scopes changed.
            let untouched = try await app.call(.get, "/api/v1/data/deal/\(rep2Deal)", key: f.admin)
            #expect(untouched.json?["name"] == "rep2 deal 0" && untouched.json?["owner_id"]?.stringValue == f.ids["rep2"])
        }
    }

    @Test("hidden fields are absent everywhere; read-only fields are refused by name")
    func fields() async throws {
        try await TestApp.run { app in
            let f = try await PermissionFixture.make(app)
            let rep1 = f.keys["rep1"]!, own = f.deals["rep1"]![0]
            let record = try await app.call(.get, "/api/v1/data/deal/\(own)", key: rep1)
            #expect(record.status == 200 && record.json?["amount"]?.doubleValue == 100, "\(record.text)")
            // cost is hidden, and so is margin, a formula that reads it.
            #expect(record.json?["cost"] == nil && record.json?["margin"] == nil && record.json?["name"] != nil && record.json?["id"] != nil)
            #expect(try await app.call(.get, "/api/v1/data/deal/\(own)", key: f.admin).json?["margin"] != nil)
            let list = try await app.call(.get, "/api/v1/data/deal", key: rep1)
            #expect(list.data.allSatisfy { $0["cost"] == nil && $0["margin"] == nil } && !list.text.contains("\"cost\""))
            for query in ["cost=gt.0", "select=name,cost", "order=cost.desc", "where=record.cost%20%3E%200", "where=record.margin%20%3E%200"] {
                // Refused as an unknown field, with the error shape, and the message names it.
                let reply = try await app.call(.get, "/api/v1/data/deal?\(query)", key: rep1)
                #expect((400..<500).contains(reply.status) && reply.errorCode != nil, "\(query): \(reply.text)")
                #expect(reply.text.contains("cost") || reply.text.contains("margin"), "\(query): \(reply.text)")
            }
            try await app.call(.get, "/api/v1/data/deal/\(own)?select=cost", key: rep1).expectError(400)
            // Writes: read-only and hidden fields are refused with 403 naming them; nothing changes.
            let refused = try await app.call(.patch, "/api/v1/data/deal/\(own)", key: rep1, json: ["amount": 1, "cost": 1, "name": "ok"])
            refused.expectError(403)
            #expect(Set(refused.json?["error"]?["details"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []) == ["amount", "cost"])
            try await app.call(.post, "/api/v1/data/deal", key: rep1, json: ["name": "x", "amount": 5]).expectError(403)
            let after = try await app.call(.get, "/api/v1/data/deal/\(own)", key: f.admin)
            #expect(after.json?["name"] == "rep1 deal 0" && after.json?["cost"]?.doubleValue == 60)
            // Write responses and history hide them too.
            let renamed = try await app.call(.patch, "/api/v1/data/deal/\(own)", key: rep1, json: ["name": "renamed"])
            #expect(renamed.status == 200 && renamed.json?["cost"] == nil && renamed.json?["name"] == "renamed")
            let history = try await app.call(.get, "/api/v1/data/deal/\(own)/history", key: rep1)
            #expect(history.status == 200 && !history.text.contains("\"cost\"") && history.text.contains("renamed"))
            #expect(try await app.call(.get, "/api/v1/data/deal/\(own)/history", key: f.admin).text.contains("\"cost\""))
            // /me tells the client what it may do.
            let me = try await app.call(.get, "/api/v1/me", key: rep1)
            #expect(me.json?["permissions"]?["deal"]?["read"] == ["own"] && me.json?["permissions"]?["deal"]?["fields"]?["cost"] == "none")
        }
    }

    @Test("role changes apply to every user holding the role at once; metadata needs manage_metadata")
    func roleChanges() async throws {
        try await TestApp.run { app in
            let f = try await PermissionFixture.make(app)
            let rep1 = f.keys["rep1"]!
            try await app.call(.post, "/api/v1/meta/entities", key: rep1, json: ["name": "sneaky"]).expectError(403)
            try await app.call(.patch, "/api/v1/meta/roles/rep", key: rep1, json: ["permissions": ["deal": ["read": "all"]]]).expectError(403)
            try await app.call(.patch, "/api/v1/meta/roles/admin", key: f.admin, json: ["special": []]).expectError(403)
            try await app.call(.post, "/api/v1/meta/roles", key: f.admin, json: ["name": "rep"]).expectError(409)
            try await app.call(.post, "/api/v1/meta/roles", key: f.admin, json: ["name": "bad", "permissions": ["deal": ["read": "everyone"]]])
                .expectError(422)
            let widened = try await app.call(
                .patch, "/api/v1/meta/roles/rep", key: f.admin,
                json: [
                    "permissions": ["deal": ["create": "own", "read": "all", "update": "own", "delete": "own"]]
                ])
            #expect(widened.status == 200, "\(widened.text)")
            #expect(try await f.visible("rep1") == f.owned("rep1", "rep2", "rep3", "supervisor"))
            #expect(try await app.call(.get, "/api/v1/data/deal/\(f.deals["rep1"]![0])", key: rep1).json?["cost"] != nil)
            #expect(try await app.call(.delete, "/api/v1/meta/roles/rep", key: f.admin).status == 204)
            try await app.call(.get, "/api/v1/data/deal", key: rep1).expectError(403)
            let roles = try await app.call(.get, "/api/v1/meta/roles", key: rep1)
            #expect(
                roles.data.compactMap { $0["name"]?.stringValue }.sorted() == ["admin", "outsider", "presales", "regional", "supervisor", "viewer"])
            // The log keeps each role change with its author.
            let log = try await app.call(.get, "/api/v1/meta/log?limit=3", key: f.admin)
            #expect(log.data.prefix(2).compactMap { $0["action"]?.stringValue } == ["role.delete", "role.update"])
            #expect(log.data[0]["by"]?.stringValue != nil)
            #expect(log.data[0]["entities"]?["role:rep"]?["before"]?["name"] == "rep" && log.data[0]["entities"]?["role:rep"]?["after"] == .null)
        }
    }

    @Test("a new user gets the default role's permissions with nothing to switch on")
    func defaultRole() async throws {
        try await TestApp.run { app in
            let f = try await PermissionFixture.make(app)
            #expect(try await app.call(.patch, "/api/v1/meta/roles/rep", key: f.admin, json: ["default": true]).status == 200)
            let user = try await app.call(.post, "/api/v1/users", key: f.admin, json: ["name": "Newbie", "email": "newbie@example.com"])
            #expect(user.json?["roles"] == ["rep"], "\(user.text)")
            let key = try #require(
                try await app.call(.post, "/api/v1/users/\(user.id!)/api-keys", key: f.admin, json: ["name": "k"]).json?["key"]?.stringValue)
            let created = try await app.create(key, "deal", ["name": "first day"])
            let list = try await app.call(.get, "/api/v1/data/deal", key: key)
            #expect(list.data.compactMap { $0["id"]?.stringValue } == [created["id"]!.stringValue!])
        }
    }

    @Test("CSV export needs the export permission, follows the read scope, hides hidden fields, and defuses formulas")
    func export() async throws {
        try await TestApp.run { app in
            let f = try await PermissionFixture.make(app)
            let rep1 = f.keys["rep1"]!
            try await app.call(.get, "/api/v1/data/deal/export", key: rep1).expectError(403)
            #expect(try await app.call(.patch, "/api/v1/meta/roles/rep", key: f.admin, json: ["special": ["export"]]).status == 200)
            _ = try await app.create(rep1, "deal", ["name": "=HYPERLINK(\"http://evil\",\"点击\"), \"quoted\""])
            let reply = try await app.call(.get, "/api/v1/data/deal/export?order=name.asc", key: rep1)
            #expect(reply.status == 200 && reply.headers[.contentType]?.hasPrefix("text/csv") == true, "\(reply.text)")
            #expect(reply.text.hasPrefix("\u{FEFF}id,version,owner_id,"))
            let lines = reply.text.dropFirst().components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.count == 4, "\(lines)")
            #expect(!lines[0].contains("cost") && !lines[0].contains("margin") && lines[0].contains("amount"))
            #expect(lines.contains { $0.contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"点击\"\"), \"\"quoted\"\"\"") }, "\(lines)")
            #expect(lines.dropFirst().allSatisfy { $0.contains(f.ids["rep1"]!) })
            // Filters apply; the admin sees every record and every column.
            let filtered = try await app.call(.get, "/api/v1/data/deal/export?name=like.rep1*", key: rep1)
            #expect(filtered.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 3)
            let all = try await app.call(.get, "/api/v1/data/deal/export", key: f.admin)
            let allLines = all.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(allLines.count == 7 && allLines[0].contains("cost") && allLines[0].contains("margin"))
            try await app.call(.get, "/api/v1/data/deal/export?cost=gt.0", key: rep1).expectError(400)
        }
    }
}
