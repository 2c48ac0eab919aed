import Foundation
import TesseraCore
import TesseraTestSupport
import Testing

@Suite("Tenant isolation")
struct TenantIsolationTests {
    @Test("a key of tenant B never sees tenant A's entities or records, whatever names or ids it tries")
    func keysAreBoundToTheirTenant() async throws {
        try await TestApp.run { app in
            let slugA = TestDatabase.uniqueSlug("a")
            let keyA = try await app.createTenant(slugA)
            let keyB = try await app.createTenant()
            try await app.createEntity(keyA, customerEntity)
            let record = try await app.create(keyA, "customer", ["name": "Secret Co", "industry": "medical"])
            let id = try #require(record["id"]?.stringValue)

            // B has no such entity: every route answers 404, never A's data.
            try await app.call(.get, "/api/v1/data/customer", key: keyB).expectError(404, "not_found")
            try await app.call(.get, "/api/v1/data/customer/\(id)", key: keyB).expectError(404)
            try await app.call(.patch, "/api/v1/data/customer/\(id)", key: keyB, json: ["name": "x"]).expectError(404)
            try await app.call(.delete, "/api/v1/data/customer/\(id)", key: keyB).expectError(404)
            try await app.call(.get, "/api/v1/meta/entities/customer", key: keyB).expectError(404)
            #expect(try await app.call(.get, "/api/v1/meta/entities", key: keyB).data.isEmpty)

            // Even with an entity of the same name, B sees only its own rows.
            try await app.createEntity(keyB, customerEntity)
            #expect(try await app.call(.get, "/api/v1/data/customer", key: keyB).data.isEmpty)
            try await app.call(.get, "/api/v1/data/customer/\(id)", key: keyB).expectError(404)
            #expect(try await app.call(.get, "/api/v1/data/customer?id=eq.\(id)", key: keyB).data.isEmpty)

            // Names that try to reach another schema are not entity names at all.
            let schemaA = "t_" + slugA
            for name in ["\(schemaA).customer", "..%2F\(schemaA)", "\(schemaA)%22.%22customer", "tessera.tenants", "_users", "pg_catalog.pg_tables"] {
                let reply = try await app.call(.get, "/api/v1/data/\(name)", key: keyB)
                #expect(reply.status == 404, "\(name) gave \(reply.status): \(reply.text)")
                #expect(!reply.text.contains("Secret Co"))
            }
            // A still sees its record untouched.
            let mine = try await app.call(.get, "/api/v1/data/customer/\(id)", key: keyA)
            #expect(mine.status == 200)
            #expect(mine.json?["name"] == "Secret Co")
        }
    }

    @Test("views and forms stay in their tenant: another tenant's names, ids and data are unknown to a key of this one")
    func viewsAndForms() async throws {
        try await TestApp.run { app in
            let keyA = try await app.createTenant()
            let keyB = try await app.createTenant()
            for key in [keyA, keyB] { try await app.createEntity(key, customerEntity) }
            let id = try #require(try await app.create(keyA, "customer", ["name": "Secret Co"])["id"]?.stringValue)
            let view: JSONValue = ["name": "secret_list", "entity": "customer", "type": "list", "columns": ["name"], "shared": true]
            #expect(try await app.call(.post, "/api/v1/meta/views", key: keyA, json: view).status == 201)
            let form: JSONValue = ["name": "secret_form", "sections": [["fields": ["name"]]]]
            #expect(try await app.call(.post, "/api/v1/meta/entities/customer/forms", key: keyA, json: form).status == 201)
            // B has an entity of the same name, but none of A's views, forms or records.
            #expect(try await app.call(.get, "/api/v1/meta/views", key: keyB).data.isEmpty)
            try await app.call(.get, "/api/v1/meta/views/secret_list", key: keyB).expectError(404)
            try await app.call(.get, "/api/v1/views/secret_list/data", key: keyB).expectError(404)
            try await app.call(.patch, "/api/v1/meta/views/secret_list", key: keyB, json: ["label": ["en": "x"]]).expectError(404)
            try await app.call(.delete, "/api/v1/meta/views/secret_list", key: keyB).expectError(404)
            #expect(try await app.call(.get, "/api/v1/meta/entities/customer/forms", key: keyB).data.isEmpty)
            try await app.call(.get, "/api/v1/meta/entities/customer/forms/secret_form", key: keyB).expectError(404)
            try await app.call(.delete, "/api/v1/meta/entities/customer/forms/secret_form", key: keyB).expectError(404)
            try await app.call(.get, "/api/v1/data/customer/\(id)/form", key: keyB).expectError(404)
            try await app.call(.post, "/api/v1/data/customer/\(id)/form", key: keyB, json: ["name": "x"]).expectError(404)
            let fresh = try await app.call(.get, "/api/v1/data/customer/form", key: keyB)
            #expect(fresh.status == 200 && fresh.json?["form"] == .null, "B's new-record form is B's own: \(fresh.text)")
            // Same names in B are B's own and change nothing in A.
            #expect(try await app.call(.post, "/api/v1/meta/views", key: keyB, json: view).status == 201)
            #expect(try await app.call(.get, "/api/v1/views/secret_list/data", key: keyB).data.isEmpty)
            let still = try await app.call(.get, "/api/v1/views/secret_list/data", key: keyA)
            #expect(still.data.compactMap { $0["name"]?.stringValue } == ["Secret Co"])
            #expect(try await app.call(.get, "/api/v1/data/customer/\(id)/form", key: keyA).json?["form"]?.stringValue == "secret_form")
        }
    }

    @Test("aggregates, process metrics and dashboards stay in their tenant: B's figures count B's rows, A's boards are unknown to B")
    func figuresAndDashboards() async throws {
        try await TestApp.run { app in
            let keyA = try await app.createTenant(packs: ["sales"])
            let keyB = try await app.createTenant(packs: ["sales"])
            for i in 0..<3 {
                _ = try await app.create(
                    keyA, "lead",
                    [
                        "company": .string("Secret \(i)"), "contact_name": "王", "phone": .string("1390000000\(i)"),
                        "source_channel": "field_prospecting",
                        "industry": "medical",
                    ])
            }
            let board: JSONValue = [
                "name": "secret_board", "widgets": [["name": "n", "kind": "number", "aggregate": ["entity": "lead", "query": "metrics=count"]]],
            ]
            #expect(try await app.call(.post, "/api/v1/meta/dashboards", key: keyA, json: board).status == 201)
            // B's aggregate and funnel count B's rows only (none), however they are asked.
            let counted = try await app.call(.get, "/api/v1/data/lead/aggregate?metrics=count", key: keyB)
            #expect(counted.data.first?["count"]?.intValue == 0, "\(counted.text)")
            #expect(try await app.call(.get, "/api/v1/data/lead/aggregate?metrics=count", key: keyA).data.first?["count"]?.intValue == 3)
            let grouped = try await app.call(.get, "/api/v1/data/lead/aggregate?group=industry&metrics=count", key: keyB)
            #expect(grouped.data.isEmpty && !grouped.text.contains("Secret"))
            let customer = try #require(try await app.create(keyA, "customer", ["name": "Secret Customer"])["id"])
            _ = try await app.create(
                keyA, "opportunity", ["name": "Secret deal", "customer": customer, "amount": 5, "expected_close_date": "2027-01-01"])
            let funnel = try await app.call(.get, "/api/v1/metrics/funnel?entity=opportunity", key: keyB)
            let stages = funnel.json?["stages"]?.arrayValue ?? []
            #expect(funnel.status == 200 && !stages.isEmpty && stages.allSatisfy { $0["entered"]?.intValue == 0 }, "\(funnel.text)")
            let theirFunnel = try await app.call(.get, "/api/v1/metrics/funnel?entity=opportunity", key: keyA)
            #expect(theirFunnel.json?["stages"]?.arrayValue?.first?["entered"]?.intValue == 1)
            // A's board is unknown to B; B's own of the same name counts B's rows.
            #expect(try await app.call(.get, "/api/v1/meta/dashboards", key: keyB).data.allSatisfy { $0["name"] != "secret_board" })
            try await app.call(.get, "/api/v1/meta/dashboards/secret_board", key: keyB).expectError(404)
            try await app.call(.get, "/api/v1/dashboards/secret_board/data", key: keyB).expectError(404)
            try await app.call(.get, "/api/v1/dashboards/secret_board/widgets/n.svg", key: keyB).expectError(404)
            try await app.call(.patch, "/api/v1/meta/dashboards/secret_board", key: keyB, json: ["label": ["en": "x"]]).expectError(404)
            try await app.call(.delete, "/api/v1/meta/dashboards/secret_board", key: keyB).expectError(404)
            #expect(try await app.call(.post, "/api/v1/meta/dashboards", key: keyB, json: board).status == 201)
            let mine = try await app.call(.get, "/api/v1/dashboards/secret_board/data", key: keyB)
            #expect(mine.json?["widgets"]?.arrayValue?.first?["data"]?["data"]?.arrayValue?.first?["count"]?.intValue == 0, "\(mine.text)")
            let theirs = try await app.call(.get, "/api/v1/dashboards/secret_board/data", key: keyA)
            #expect(theirs.json?["widgets"]?.arrayValue?.first?["data"]?["data"]?.arrayValue?.first?["count"]?.intValue == 3)
        }
    }

    @Test("hundreds of guessed ids from another tenant return nothing")
    func guessedIDsReturnNothing() async throws {
        try await TestApp.run { app in
            let keyA = try await app.createTenant()
            let keyB = try await app.createTenant()
            try await app.createEntity(keyA, customerEntity)
            try await app.createEntity(keyB, customerEntity)
            var ids: [String] = []
            for i in 0..<20 { ids.append(try #require(try await app.create(keyA, "customer", ["name": .string("A\(i)")])["id"]?.stringValue)) }
            var guesses = ids
            for _ in 0..<180 { guesses.append(UUID().uuidString.lowercased()) }
            for id in guesses {
                let reply = try await app.call(.get, "/api/v1/data/customer/\(id)", key: keyB)
                #expect(reply.status == 404)
            }
            let list = try await app.call(.get, "/api/v1/data/customer?id=in.(\(ids.joined(separator: ",")))", key: keyB)
            #expect(list.status == 200 && list.data.isEmpty)
        }
    }

    @Test("missing, malformed or revoked-looking keys get 401; tenant keys cannot manage tenants")
    func authentication() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.call(.get, "/api/v1/meta/entities").expectError(401, "unauthorized")
            try await app.call(.get, "/api/v1/meta/entities", key: "tsk_not_a_real_key").expectError(401, "unauthorized")
            try await app.call(.get, "/api/v1/meta/entities", headers: [.authorization: "Basic abc"]).expectError(401)
            try await app.call(.get, "/api/v1/tenants").expectError(401)
            try await app.call(.get, "/api/v1/tenants", key: key).expectError(403, "forbidden")
            try await app.call(.post, "/api/v1/tenants", key: key, json: ["slug": "evil", "name": "x"]).expectError(403)
            let list = try await app.call(.get, "/api/v1/tenants", key: TestApp.adminToken)
            #expect(list.status == 200 && !list.data.isEmpty)
            // The tenant comes from the key, never from the body.
            try await app.createEntity(key, customerEntity)
            let reply = try await app.call(.post, "/api/v1/data/customer", key: key, json: ["name": "x", "tenant": "other"])
            reply.expectError(422, "validation_failed")
        }
    }
}
