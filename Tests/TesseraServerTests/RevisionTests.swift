import Foundation
import PostgresNIO
import TesseraCore
import TesseraTestSupport
import Testing

/// Revisions and rollback (issue 16, part 7): every configuration change is a numbered revision;
/// a revert restores the whole configuration as of a revision, and removed fields' values
/// survive so that it brings them back.
@Suite("Revisions and rollback")
struct RevisionTests {
    static let gadget: JSONValue = [
        "name": "gadget", "title_field": "name",
        "fields": [
            ["name": "name", "type": "text", "required": true], ["name": "color", "type": "text"],
            ["name": "size", "type": "select", "options": [["key": "s"], ["key": "m"], ["key": "l"]]],
            ["name": "code", "type": "number"],
        ],
    ]

    func revisions(_ app: TestApp, _ key: String, _ query: String = "") async throws -> [JSONValue] {
        let reply = try await app.call(.get, "/api/v1/meta/revisions\(query)", key: key)
        #expect(reply.status == 200, "\(reply.text)")
        return reply.data
    }

    func revert(_ app: TestApp, _ key: String, to n: Int, dryRun: Bool = false) async throws -> TestApp.Reply {
        try await app.call(.post, "/api/v1/meta/revisions/\(n)/revert" + (dryRun ? "?dry_run=true" : ""), key: key)
    }

    @Test("every configuration change is a numbered revision with its author, time and diff; each tenant has its own")
    func numbered() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, Self.gadget)
            #expect(
                try await app.call(.post, "/api/v1/meta/entities/gadget/fields", key: key, json: ["name": "vip", "type": "boolean"]).status == 201)
            #expect(try await app.call(.patch, "/api/v1/meta/entities/gadget", key: key, json: ["label": ["en": "Gadget"]]).status == 200)
            let list = try await revisions(app, key)
            #expect(list.compactMap { $0["revision"]?.intValue } == [3, 2, 1], "\(list)")
            #expect(list.compactMap { $0["action"]?.stringValue } == ["entity.update", "field.create", "entity.create"])
            #expect(list.allSatisfy { $0["by"]?.stringValue != nil && $0["at"]?.stringValue != nil })
            // One revision: its diff holds the entity before and after.
            let two = try await app.call(.get, "/api/v1/meta/revisions/2", key: key)
            #expect(two.status == 200 && two.json?["target"] == "gadget.vip", "\(two.text)")
            let before = two.json?["diff"]?["gadget"]?["before"]?["fields"]?.arrayValue ?? []
            let after = two.json?["diff"]?["gadget"]?["after"]?["fields"]?.arrayValue ?? []
            #expect(before.count == 4 && after.count == 5 && after.last?["name"] == "vip")
            #expect(two.json?["configuration"]?["entities"]?.intValue == 1)
            // The configuration the tenant started from is revision 0 (not listed as a change).
            let zero = try await app.call(.get, "/api/v1/meta/revisions/0", key: key)
            #expect(zero.json?["action"] == "baseline" && zero.json?["configuration"]?["entities"]?.intValue == 0, "\(zero.text)")
            // Pages: newest first, then older than the last one seen.
            let first = try await app.call(.get, "/api/v1/meta/revisions?limit=2", key: key)
            #expect(first.data.count == 2 && first.json?["next_before"]?.intValue == 2, "\(first.text)")
            #expect(try await revisions(app, key, "?before=2").compactMap { $0["revision"]?.intValue } == [1])
            // Unknown and malformed numbers; another tenant sees only its own (none).
            try await app.call(.get, "/api/v1/meta/revisions/99", key: key).expectError(404, "not_found")
            try await app.call(.get, "/api/v1/meta/revisions/-1", key: key).expectError(422)
            try await app.call(.get, "/api/v1/meta/revisions?before=x", key: key).expectError(422)
            let other = try await app.createTenant()
            #expect(try await revisions(app, other).isEmpty)
            try await app.call(.get, "/api/v1/meta/revisions/2", key: other).expectError(404)
            try await app.call(.post, "/api/v1/meta/revisions/1/revert", key: other).expectError(404)
            // Only those who manage metadata read or revert revisions.
            let rep = try await app.makeUser(key, roles: [])
            try await app.call(.get, "/api/v1/meta/revisions", key: rep.key).expectError(403)
            try await app.call(.post, "/api/v1/meta/revisions/1/revert", key: rep.key).expectError(403)
            // A pack install is a revision too.
            let packed = try await app.createTenant(packs: ["sales"])
            #expect(try await revisions(app, packed).first?["action"] == "pack.install")
        }
    }

    @Test("a removed field's values survive: a revert brings them back, a revert of the revert removes them again")
    func fieldRemoval() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, Self.gadget)
            var ids: [String] = []
            for (name, color) in [("a", "red"), ("b", "blue"), ("c", "green")] {
                ids.append(try #require(try await app.create(key, "gadget", ["name": .string(name), "color": .string(color)])["id"]?.stringValue))
            }
            func colors() async throws -> [String?] {
                var out: [String?] = []
                for id in ids {
                    let record = try await app.call(.get, "/api/v1/data/gadget/\(id)", key: key)
                    #expect(record.status == 200, "\(record.text)")
                    // Nothing of a kept column shows in a record.
                    #expect(record.json?.objectValue?.map(\.0).contains { $0.hasPrefix("_") } == false, "\(record.text)")
                    out.append(record.json?["color"]?.stringValue)
                }
                return out
            }
            #expect(try await app.call(.delete, "/api/v1/meta/entities/gadget/fields/color", key: key).status == 204)
            #expect(try await colors() == [nil, nil, nil])
            #expect(try await app.call(.get, "/api/v1/data/gadget?color=eq.red", key: key).status == 400)
            let list = try await app.call(.get, "/api/v1/data/gadget", key: key)
            #expect(
                list.data.count == 3
                    && list.data.allSatisfy { $0["color"] == nil && !($0.objectValue?.map(\.0).contains { $0.hasPrefix("_") } ?? true) })
            // A record written while the field is gone keeps its own (empty) place.
            let late = try #require(try await app.create(key, "gadget", ["name": "d"])["id"]?.stringValue)
            // The dry run says what a revert to revision 1 does, and changes nothing.
            let dry = try await revert(app, key, to: 1, dryRun: true)
            #expect(dry.status == 200 && dry.json?["dry_run"] == true && dry.json?["restored"] == ["gadget.color"], "\(dry.text)")
            #expect(dry.json?["diff"]?["gadget"]?["after"]?["fields"]?.arrayValue?.contains { $0["name"] == "color" } == true)
            #expect(try await colors() == [nil, nil, nil])
            #expect(try await revisions(app, key).count == 2)
            // The revert: a new revision, values back.
            let done = try await revert(app, key, to: 1)
            #expect(done.status == 200 && done.json?["revision"]?.intValue == 3 && done.json?["restored"] == ["gadget.color"], "\(done.text)")
            #expect(try await colors() == ["red", "blue", "green"])
            #expect(try await app.call(.get, "/api/v1/data/gadget/\(late)", key: key).json?["color"] == .null)
            #expect(try await app.call(.get, "/api/v1/data/gadget?color=eq.red", key: key).data.count == 1)
            let third = try await revisions(app, key).first
            #expect(third?["action"] == "revision.revert" && third?["target"] == "1")
            // Reverting the revert (back to revision 2) removes the field again; reverting that brings the values back once more.
            let again = try await revert(app, key, to: 2)
            #expect(again.status == 200 && again.json?["retained"] == ["gadget.color"], "\(again.text)")
            #expect(try await colors() == [nil, nil, nil])
            #expect(try await revert(app, key, to: 3).json?["restored"] == ["gadget.color"])
            #expect(try await colors() == ["red", "blue", "green"])
            // Writing the restored field works as before.
            let patched = try await app.call(.patch, "/api/v1/data/gadget/\(ids[0])", key: key, json: ["color": "black"])
            #expect(patched.status == 200 && patched.json?["color"] == "black", "\(patched.text)")
            // Reverting to the configuration as it is now has nothing to do.
            try await revert(app, key, to: 5).expectError(409)
        }
    }

    @Test("a revert that would destroy data or cannot convert it is refused, says why, and changes nothing")
    func refused() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, Self.gadget)  // revision 1
            let id = try #require(try await app.create(key, "gadget", ["name": "a", "code": 7])["id"]?.stringValue)
            // Going back to revision 0 would drop gadget and its record.
            let refused = try await revert(app, key, to: 0)
            refused.expectError(409, "entity_not_empty")
            try await revert(app, key, to: 0, dryRun: true).expectError(409, "entity_not_empty")
            #expect(try await app.call(.get, "/api/v1/data/gadget/\(id)", key: key).json?["name"] == "a")
            // code becomes text (revision 2) and takes a value a number cannot hold; going back is refused.
            #expect(try await app.call(.patch, "/api/v1/meta/entities/gadget/fields/code", key: key, json: ["type": "text"]).status == 200)
            #expect(try await app.call(.patch, "/api/v1/data/gadget/\(id)", key: key, json: ["code": "A-7"]).status == 200)
            let conversion = try await revert(app, key, to: 1)
            #expect(conversion.status == 409 || conversion.status == 422, "\(conversion.text)")
            conversion.expectError(conversion.status)
            // Nothing changed: no revision was added, the field is text, the value is there.
            #expect(try await revisions(app, key).count == 2)
            let entity = try await app.call(.get, "/api/v1/meta/entities/gadget", key: key)
            #expect(entity.json?["fields"]?.arrayValue?.first { $0["name"] == "code" }?["type"] == "text")
            #expect(try await app.call(.get, "/api/v1/data/gadget/\(id)", key: key).json?["code"] == "A-7")
        }
    }

    @Test("a revert restores views, roles and automations as they were; personal views stay their owners'")
    func documents() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, Self.gadget)
            let view: JSONValue = [
                "name": "all_gadgets", "entity": "gadget", "type": "list", "columns": [["field": "name"]], "label": ["en": "All"], "shared": true,
            ]
            #expect(try await app.call(.post, "/api/v1/meta/views", key: key, json: view).status == 201)
            let role: JSONValue = ["name": "clerk", "permissions": ["gadget": ["read": "all"]]]
            #expect(try await app.call(.post, "/api/v1/meta/roles", key: key, json: role).status == 201)
            let mark = try #require(try await revisions(app, key).first?["revision"]?.intValue)
            let user = try await app.makeUser(key, roles: ["clerk"])
            let mine: JSONValue = ["name": "mine", "entity": "gadget", "type": "list", "columns": [["field": "name"]]]
            let personal = try await app.call(.post, "/api/v1/meta/views", key: user.key, json: mine)
            #expect(personal.status == 201, "\(personal.text)")
            #expect(try await app.call(.patch, "/api/v1/meta/views/all_gadgets", key: key, json: ["label": ["en": "Every gadget"]]).status == 200)
            let auditor: JSONValue = ["name": "auditor", "permissions": ["gadget": ["read": "all"]]]
            #expect(try await app.call(.post, "/api/v1/meta/roles", key: key, json: auditor).status == 201)
            let extra: JSONValue = ["name": "big", "entity": "gadget", "type": "list", "columns": [["field": "name"]], "shared": true]
            #expect(try await app.call(.post, "/api/v1/meta/views", key: key, json: extra).status == 201)
            let reply = try await revert(app, key, to: mark)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(try await app.call(.get, "/api/v1/meta/views/all_gadgets", key: key).json?["label"]?["en"] == "All")
            try await app.call(.get, "/api/v1/meta/views/big", key: key).expectError(404)
            #expect(try await app.call(.get, "/api/v1/meta/roles/clerk", key: key).status == 200)
            try await app.call(.get, "/api/v1/meta/roles/auditor", key: key).expectError(404)
            #expect(try await app.call(.get, "/api/v1/meta/views/mine", key: user.key).status == 200)
        }
    }

    @Test("a removed field's column is dropped after the tenant's retention period; a revert then brings the field back empty")
    func retention() async throws {
        try await TestApp.run { app in
            let slug = TestDatabase.uniqueSlug()
            let key = try await app.createTenant(slug)
            try await app.createEntity(key, Self.gadget)
            let id = try #require(try await app.create(key, "gadget", ["name": "a", "color": "red"])["id"]?.stringValue)
            #expect(try await app.call(.delete, "/api/v1/meta/entities/gadget/fields/color", key: key).status == 204)
            func columns() async throws -> [String] {
                try await TestDatabase.withClient { client in
                    try await client.query(
                        "SELECT column_name::text FROM information_schema.columns WHERE table_schema = \("t_" + slug) AND table_name = 'gadget'"
                    ).collect().map { try $0.decode(String.self) }
                }
            }
            #expect(try await columns().contains { $0.hasPrefix("_rm_") })
            // The period is a tenant setting: kept 31 days ago is within 60 days, past 30.
            let setting = try await app.call(.patch, "/api/v1/settings", key: key, json: ["retention_days": 60])
            #expect(setting.status == 200 && setting.json?["retention_days"] == 60, "\(setting.text)")
            try await app.call(.patch, "/api/v1/settings", key: key, json: ["retention_days": 0]).expectError(422)
            try await TestDatabase.withClient { client in
                _ = try await client.query(
                    "UPDATE tessera.retained_columns SET removed_at = now() - interval '31 days' WHERE entity = 'gadget' AND field = 'color'")
            }
            #expect(try await app.call(.patch, "/api/v1/meta/entities/gadget", key: key, json: ["label": ["en": "Gadget"]]).status == 200)
            #expect(try await columns().contains { $0.hasPrefix("_rm_") })
            #expect(try await app.call(.patch, "/api/v1/settings", key: key, json: ["retention_days": 30]).status == 200)
            let vip: JSONValue = ["name": "vip", "type": "boolean"]
            #expect(try await app.call(.post, "/api/v1/meta/entities/gadget/fields", key: key, json: vip).status == 201)
            #expect(try await columns().contains { $0.hasPrefix("_rm_") } == false)
            let back = try await revert(app, key, to: 1)
            #expect(back.status == 200 && back.json?["restored"] == [], "\(back.text)")
            let record = try await app.call(.get, "/api/v1/data/gadget/\(id)", key: key)
            #expect(record.json?.objectValue?.map(\.0).contains("color") == true && record.json?["color"] == .null, "\(record.text)")
        }
    }
}
