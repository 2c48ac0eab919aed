import Foundation
import TesseraCore
import Testing

@Suite("Record history")
struct HistoryTests {
    @Test("every create, update, delete and restore is recorded field by field, bulk writes too")
    func history() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, customerEntity)
            let created = try await app.create(key, "customer", ["name": "Acme", "industry": "medical", "amount": 100])
            let id = try #require(created["id"]?.stringValue)
            #expect(try await app.call(.patch, "/api/v1/data/customer/\(id)", key: key, json: ["industry": "retail", "amount": 100]).status == 200)
            #expect(try await app.call(.patch, "/api/v1/data/customer/\(id)", key: key, json: ["name": "Acme Ltd"]).status == 200)
            #expect(try await app.call(.delete, "/api/v1/data/customer/\(id)", key: key).status == 204)
            #expect(try await app.call(.post, "/api/v1/data/customer/\(id)/restore", key: key).status == 200)
            // A refused write leaves no trace.
            try await app.call(.patch, "/api/v1/data/customer/\(id)", key: key, json: ["industry": "nope"]).expectError(422)

            let reply = try await app.call(.get, "/api/v1/data/customer/\(id)/history", key: key)
            #expect(reply.status == 200, "\(reply.text)")
            let entries = reply.data
            #expect(entries.compactMap { $0["action"]?.stringValue } == ["restore", "delete", "update", "update", "create"])
            func changes(_ i: Int) -> [String: (JSONValue, JSONValue)] {
                Dictionary(
                    uniqueKeysWithValues: (entries[i]["changes"]?.arrayValue ?? []).map { ($0["field"]!.stringValue!, ($0["old"]!, $0["new"]!)) })
            }
            let rename = changes(2), industry = changes(3), create = changes(4)
            #expect(rename.keys.sorted() == ["name"])
            #expect(rename["name"]?.0 == .string("Acme") && rename["name"]?.1 == .string("Acme Ltd"))
            // Unchanged values (amount sent again) are not history.
            #expect(industry.keys.sorted() == ["industry"])
            #expect(industry["industry"]?.0 == .string("medical") && industry["industry"]?.1 == .string("retail"))
            #expect(Set(create.keys).isSuperset(of: ["name", "industry", "amount", "owner_id"]))
            #expect(create["name"]?.0 == .null)
            #expect(
                entries.allSatisfy {
                    $0["by"]?.stringValue != nil && $0["via"]?.stringValue?.hasPrefix("key:") == true && $0["at"]?.stringValue != nil
                })

            let bulk = try await app.call(.post, "/api/v1/data/customer", key: key, json: [["name": "B1"], ["name": "B2"]])
            for record in bulk.data {
                let h = try await app.call(.get, "/api/v1/data/customer/\(record["id"]!.stringValue!)/history", key: key)
                #expect(h.data.compactMap { $0["action"]?.stringValue } == ["create"])
            }
            // Another tenant cannot read it, whatever id it tries.
            let other = try await app.createTenant()
            try await app.createEntity(other, customerEntity)
            try await app.call(.get, "/api/v1/data/customer/\(id)/history", key: other).expectError(404)
        }
    }

    @Test("metadata changes are logged with their author and the definitions before and after")
    func metadataLog() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, customerEntity)
            #expect(
                try await app.call(.post, "/api/v1/meta/entities/customer/fields", key: key, json: ["name": "vip", "type": "boolean"]).status == 201)
            #expect(
                try await app.call(
                    .post, "/api/v1/meta/entities/customer/rules", key: key,
                    json: ["name": "named", "kind": "expression", "expression": "has(record.name)"]
                ).status == 201)
            let log = try await app.call(.get, "/api/v1/meta/log", key: key)
            #expect(log.data.compactMap { $0["action"]?.stringValue } == ["rule.create", "field.create", "entity.create"], "\(log.text)")
            let field = log.data[1]
            #expect(field["target"]?.stringValue == "customer.vip")
            #expect(field["by"]?.stringValue != nil)
            let before = field["entities"]?["customer"]?["before"]?["fields"]?.arrayValue ?? []
            let after = field["entities"]?["customer"]?["after"]?["fields"]?.arrayValue ?? []
            #expect(after.count == before.count + 1)
            #expect(log.data[2]["entities"]?["customer"]?["before"] == .null)
            // Another tenant's log is its own.
            let other = try await app.createTenant()
            #expect(try await app.call(.get, "/api/v1/meta/log", key: other).data.isEmpty)
        }
    }
}
