import Foundation
import TesseraCore
import Testing

@Suite("Validation rules")
struct ValidationRuleTests {
    static let customer: JSONValue = [
        "name": "customer",
        "fields": [
            ["name": "name", "type": "text"], ["name": "location", "type": "location"],
        ],
    ]
    static let visit: JSONValue = [
        "name": "visit",
        "fields": [
            ["name": "customer", "type": "relation", "target": "customer"],
            ["name": "checkin", "type": "location"], ["name": "photos", "type": "attachment"],
            ["name": "questions", "type": "multi_select", "options": [["key": "q1"], ["key": "q2"], ["key": "q3"], ["key": "q4"], ["key": "q5"]]],
            ["name": "stage", "type": "select", "options": [["key": "planned"], ["key": "done"]]],
            ["name": "summary", "type": "long_text"], ["name": "next_at", "type": "datetime"],
            ["name": "city", "type": "text"], ["name": "at", "type": "datetime"],
        ],
    ]
    static let lead: JSONValue = [
        "name": "lead",
        "fields": [
            ["name": "phone", "type": "phone"], ["name": "company", "type": "text"],
            ["name": "source", "type": "select", "options": [["key": "web"], ["key": "referral"]]],
            ["name": "flagged", "type": "boolean"],
            ["name": "duplicate_of", "type": "relation", "target": "lead"],
            ["name": "account", "type": "text"],
        ],
    ]

    func rule(_ app: TestApp, _ key: String, _ entity: String, _ json: JSONValue) async throws -> TestApp.Reply {
        try await app.call(.post, "/api/v1/meta/entities/\(entity)/rules", key: key, json: json)
    }

    func setUp(_ app: TestApp) async throws -> (key: String, customer: String) {
        let key = try await app.createTenant()
        try await app.createEntity(key, Self.customer)
        try await app.createEntity(key, Self.visit)
        let customer = try await app.create(key, "customer", ["name": "Acme", "location": ["lat": 31.2304, "lng": 121.4737]])
        return (key, try #require(customer["id"]?.stringValue))
    }

    @Test("expression, required_when, max_selections, pattern and a relation hop: all violations in one 422")
    func expressionKinds() async throws {
        try await TestApp.run { app in
            let (key, customer) = try await setUp(app)
            for json: JSONValue in [
                [
                    "name": "near_customer", "kind": "expression", "expression": "distance_m(record.checkin, record.customer.location) <= 500",
                    "fields": ["checkin"], "message": ["zh-CN": "签到需在客户500米内", "en": "Check in within 500 m of the customer"],
                ],
                ["name": "three_questions", "kind": "expression", "expression": "size(record.questions) >= 3", "fields": ["questions"]],
                ["name": "done_needs", "kind": "required_when", "when": "record.stage == 'done'", "required": ["summary", "next_at"]],
                ["name": "at_most_four", "kind": "max_selections", "field": "questions", "max": 4],
                ["name": "city_form", "kind": "pattern", "field": "city", "regex": "^[A-Z][a-z]+$"],
            ] {
                let reply = try await rule(app, key, "visit", json)
                #expect(reply.status == 201, "\(reply.text)")
            }
            let far: JSONValue = ["lat": 31.2404, "lng": 121.4737]  // ≈ 1.1 km north
            let bad = try await app.call(
                .post, "/api/v1/data/visit", key: key,
                json: [
                    "customer": .string(customer), "checkin": far, "questions": ["q1"], "stage": "done", "city": "shanghai",
                ])
            let error = bad.expectError(422, "validation_failed")
            let details = error?["details"]?.arrayValue ?? []
            let rules = details.compactMap { $0["rule"]?.stringValue }
            #expect(rules.sorted() == ["city_form", "done_needs", "done_needs", "near_customer", "three_questions"], "\(bad.text)")
            #expect(details.first { $0["rule"]?.stringValue == "near_customer" }?["messages"]?["zh-CN"]?.stringValue == "签到需在客户500米内")
            #expect(
                Set(details.filter { $0["rule"]?.stringValue == "done_needs" }.compactMap { $0["field"]?.stringValue }) == ["summary", "next_at"])
            #expect(try await app.call(.get, "/api/v1/data/visit", key: key).data.isEmpty)

            let near: JSONValue = ["lat": 31.2334, "lng": 121.4737]  // ≈ 330 m
            let good = try await app.call(
                .post, "/api/v1/data/visit", key: key,
                json: [
                    "customer": .string(customer), "checkin": near, "questions": ["q1", "q2", "q3"], "stage": "done", "city": "Shanghai",
                    "summary": "ok", "next_at": "2026-12-01T10:00:00+08:00",
                ])
            #expect(good.status == 201, "\(good.text)")
            let five = try await app.call(.patch, "/api/v1/data/visit/\(good.id!)", key: key, json: ["questions": ["q1", "q2", "q3", "q4", "q5"]])
            #expect(five.expectError(422)?["details"]?.arrayValue?.first?["rule"]?.stringValue == "at_most_four")
            // No checkin or customer: unknown, so the distance rule holds (required-ness is its own rule).
            let unplaced = try await app.call(.post, "/api/v1/data/visit", key: key, json: ["questions": ["q1", "q2", "q3"]])
            #expect(unplaced.status == 201, "\(unplaced.text)")
        }
    }

    @Test("min_attachments counts the files of an attachment field")
    func minAttachments() async throws {
        try await TestApp.run { app in
            let (key, _) = try await setUp(app)
            #expect(
                try await rule(
                    app, key, "visit",
                    [
                        "name": "two_photos", "kind": "min_attachments", "field": "photos", "min": 2,
                        "message": ["zh-CN": "至少2张照片", "en": "At least 2 photos"],
                    ]
                ).status == 201)
            var files: [JSONValue] = []
            for i in 0..<2 {
                let file = try await app.call(.post, "/api/v1/files?name=p\(i).jpg", key: key, raw: "JPEG\(i)", headers: [.contentType: "image/jpeg"])
                files.append(.string(try #require(file.id)))
            }
            let one = try await app.call(.post, "/api/v1/data/visit", key: key, json: ["photos": .array([files[0]])])
            let detail = one.expectError(422)?["details"]?.arrayValue?.first
            #expect(detail?["rule"]?.stringValue == "two_photos" && detail?["field"]?.stringValue == "photos", "\(one.text)")
            #expect(detail?["message"]?.stringValue == "photos: At least 2 photos")
            #expect(try await app.call(.post, "/api/v1/data/visit", key: key, json: ["photos": .array(files)]).status == 201)
            try await rule(app, key, "visit", ["name": "bad", "kind": "min_attachments", "field": "city", "min": 1]).expectError(422)
        }
    }

    @Test("old values on update; inactive rules are not enforced until switched on; CRUD of rules")
    func updatesAndLifecycle() async throws {
        try await TestApp.run { app in
            let (key, _) = try await setUp(app)
            let reply = try await rule(
                app, key, "visit",
                [
                    "name": "stay_done", "kind": "expression", "active": false,
                    "expression": "old.stage != 'done' || record.stage == 'done'", "fields": ["stage"],
                ])
            #expect(reply.status == 201)
            let v = try await app.create(key, "visit", ["stage": "done"])
            let id = try #require(v["id"]?.stringValue)
            #expect(try await app.call(.patch, "/api/v1/data/visit/\(id)", key: key, json: ["stage": "planned"]).status == 200)
            #expect(try await app.call(.patch, "/api/v1/data/visit/\(id)", key: key, json: ["stage": "done"]).status == 200)
            let on = try await app.call(.patch, "/api/v1/meta/entities/visit/rules/stay_done", key: key, json: ["active": true])
            #expect(on.json?["active"] == .bool(true), "\(on.text)")
            let refused = try await app.call(.patch, "/api/v1/data/visit/\(id)", key: key, json: ["stage": "planned"])
            #expect(refused.expectError(422)?["details"]?.arrayValue?.first?["field"]?.stringValue == "stage")
            #expect(try await app.call(.patch, "/api/v1/data/visit/\(id)", key: key, json: ["city": "X"]).status == 200)
            // Stale version is still a 409 before any rule runs.
            try await app.call(.patch, "/api/v1/data/visit/\(id)", key: key, json: ["city": "Y", "version": 1]).expectError(409)

            let list = try await app.call(.get, "/api/v1/meta/entities/visit/rules", key: key)
            #expect(list.data.compactMap { $0["name"]?.stringValue } == ["stay_done"])
            #expect(try await app.call(.get, "/api/v1/meta/entities/visit", key: key).json?["rules"]?.arrayValue?.count == 1)
            #expect(try await app.call(.delete, "/api/v1/meta/entities/visit/rules/stay_done", key: key).status == 204)
            #expect(try await app.call(.patch, "/api/v1/data/visit/\(id)", key: key, json: ["stage": "planned"]).status == 200)
            try await app.call(.delete, "/api/v1/meta/entities/visit/rules/stay_done", key: key).expectError(404)
        }
    }

    @Test("rules are checked when saved: positions, kinds, fields")
    func refusedRules() async throws {
        try await TestApp.run { app in
            let (key, _) = try await setUp(app)
            let syntax = try await rule(app, key, "visit", ["name": "r", "kind": "expression", "expression": "size(record.photos) >="])
            let d = syntax.expectError(422)?["details"]?.arrayValue?.first
            #expect(d?["line"] == .number("1") && d?["column"] == .number("23"), "\(syntax.text)")
            let type = try await rule(app, key, "visit", ["name": "r", "kind": "expression", "expression": "record.city > 3"])
            #expect(type.expectError(422)?["message"]?.stringValue?.contains("cannot order string and int") == true)
            try await rule(app, key, "visit", ["name": "r", "kind": "magic"]).expectError(422)
            try await rule(app, key, "visit", ["name": "r", "kind": "pattern", "field": "nope", "regex": "a"]).expectError(422)
            try await rule(app, key, "visit", ["name": "r", "kind": "pattern", "field": "city", "regex": "(a"]).expectError(422)
            try await rule(app, key, "visit", ["name": "r", "kind": "required_when", "when": "true"]).expectError(422)
            try await rule(app, key, "visit", ["name": "r", "kind": "expression", "expression": "true", "where": "x"]).expectError(422)
            #expect(try await rule(app, key, "visit", ["name": "r", "kind": "expression", "expression": "true"]).status == 201)
            try await rule(app, key, "visit", ["name": "r", "kind": "expression", "expression": "true"]).expectError(409)
            // A field a rule reads cannot be removed from under it.
            #expect(try await rule(app, key, "visit", ["name": "c", "kind": "expression", "expression": "has(record.city)"]).status == 201)
            try await app.call(.delete, "/api/v1/meta/entities/visit/fields/city", key: key).expectError(422)
        }
    }

    @Test("duplicates: block, flag, and link to the existing record; normalized match within a window")
    func duplicates() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, Self.lead)
            #expect(
                try await rule(
                    app, key, "lead",
                    [
                        "name": "same_lead", "kind": "duplicate", "match": ["phone", "company"], "within": "30d",
                        "normalize": true, "action": "block",
                    ]
                ).status == 201)
            let first = try await app.create(key, "lead", ["phone": "138 0013 8000", "company": "Acme Ltd", "account": "A-1"])
            let firstID = try #require(first["id"]?.stringValue)
            let dup = try await app.call(.post, "/api/v1/data/lead", key: key, json: ["phone": "13800138000", "company": " acme ltd "])
            #expect(dup.expectError(422)?["details"]?.arrayValue?.first?["duplicate_of"]?.stringValue == firstID)
            #expect(try await app.call(.post, "/api/v1/data/lead", key: key, json: ["phone": "13800138000", "company": "Other"]).status == 201)
            #expect(try await app.call(.post, "/api/v1/data/lead", key: key, json: ["company": "Acme Ltd"]).status == 201)

            let link = try await app.call(
                .patch, "/api/v1/meta/entities/lead/rules/same_lead", key: key,
                json: ["action": "link", "link_field": "duplicate_of", "set": ["source": "referral"], "copy": ["account"]])
            #expect(link.status == 200, "\(link.text)")
            let linked = try await app.create(key, "lead", ["phone": "138-0013-8000", "company": "ACME LTD", "source": "web"])
            #expect(linked["duplicate_of"]?.stringValue == firstID)
            #expect(linked["source"]?.stringValue == "referral")
            #expect(linked["account"]?.stringValue == "A-1")

            #expect(
                try await app.call(
                    .patch, "/api/v1/meta/entities/lead/rules/same_lead", key: key,
                    json: ["action": "flag", "set": ["flagged": true], "match": ["company"], "copy": []]
                ).status == 200)
            try await app.call(.patch, "/api/v1/meta/entities/lead/rules/same_lead", key: key, json: ["action": "block"]).expectError(422)
            let flagged = try await app.create(key, "lead", ["company": "acme ltd"])
            #expect(flagged["flagged"] == .bool(true))
            #expect(flagged["duplicate_of"] == .null)

            // Within one bulk request, later records see the earlier ones.
            let batch = try await app.call(
                .post, "/api/v1/data/lead", key: key,
                json: [
                    ["phone": "13700000001", "company": "Batch Co"], ["phone": "137-0000-0001", "company": "batch co"],
                ])
            #expect(batch.status == 201, "\(batch.text)")
            #expect(batch.data.count == 2 && batch.data[1]["flagged"] == .bool(true) && batch.data[0]["flagged"] == .null)
            #expect(
                try await app.call(
                    .patch, "/api/v1/meta/entities/lead/rules/same_lead", key: key,
                    json: ["action": "block", "set": [:], "match": ["phone", "company"]]
                ).status == 200)
            let blocked = try await app.call(
                .post, "/api/v1/data/lead", key: key,
                json: [
                    ["phone": "13600000002", "company": "Solo"], ["phone": "13600000002", "company": "SOLO "],
                    ["phone": "13600000003", "company": "Solo"],
                ])
            let details = blocked.expectError(422)?["details"]?.arrayValue ?? []
            #expect(details.count == 1 && details.first?["field"]?.stringValue?.hasPrefix("[1].") == true, "\(blocked.text)")
            #expect(try await app.call(.get, "/api/v1/data/lead?company=eq.Solo", key: key).data.isEmpty)
            #expect(
                try await app.call(
                    .patch, "/api/v1/meta/entities/lead/rules/same_lead", key: key,
                    json: ["action": "flag", "set": ["flagged": true], "match": ["company"]]
                ).status == 200)

            // Impact preview of the same rule, blocking, over what is stored now.
            let preview = try await app.call(
                .post, "/api/v1/meta/entities/lead/rules/preview", key: key,
                json: ["name": "p", "kind": "duplicate", "match": ["company"], "normalize": true])
            // 4 Acme leads and 2 Batch leads: all but the first of each.
            #expect(preview.json?["violations"] == .number("4"), "\(preview.text)")
            #expect(preview.json?["sample"]?.arrayValue?.count == 4)
        }
    }

    @Test("no_conflict: the same owner cannot be in two cities within an hour")
    func conflicts() async throws {
        try await TestApp.run { app in
            let (key, _) = try await setUp(app)
            let json: JSONValue = [
                "name": "impossible_schedule", "kind": "no_conflict", "fields": ["at"],
                "where":
                    """
                other.owner_id == record.owner_id && other.city != record.city && other.at > record.at - duration('60m') && other.at < \
                record.at + duration('60m')
                """,
            ]
            // Before the rule: an impossible pair is stored; the preview finds both sides of it.
            _ = try await app.create(key, "visit", ["city": "Beijing", "at": "2026-11-22T10:00:00+08:00"])
            _ = try await app.create(key, "visit", ["city": "Tianjin", "at": "2026-11-22T10:45:00+08:00"])
            _ = try await app.create(key, "visit", ["city": "Tianjin", "at": "2026-11-22T12:00:00+08:00"])
            let preview = try await app.call(.post, "/api/v1/meta/entities/visit/rules/preview", key: key, json: json)
            #expect(preview.json?["violations"] == .number("2"), "\(preview.text)")

            #expect(try await rule(app, key, "visit", json).status == 201)
            let a = try await app.create(key, "visit", ["city": "Beijing", "at": "2026-11-23T10:00:00+08:00"])
            let clash = try await app.call(.post, "/api/v1/data/visit", key: key, json: ["city": "Tianjin", "at": "2026-11-23T10:45:00+08:00"])
            #expect(clash.expectError(422)?["details"]?.arrayValue?.first?["conflicts_with"] == a["id"])
            #expect(
                try await app.call(.post, "/api/v1/data/visit", key: key, json: ["city": "Beijing", "at": "2026-11-23T10:30:00+08:00"]).status == 201)
            #expect(
                try await app.call(.post, "/api/v1/data/visit", key: key, json: ["city": "Tianjin", "at": "2026-11-23T11:31:00+08:00"]).status == 201)
            // Moving a visit into a clash is refused too.
            let b = try await app.create(key, "visit", ["city": "Shanghai", "at": "2026-11-24T10:00:00+08:00"])
            try await app.call(.patch, "/api/v1/data/visit/\(b["id"]!.stringValue!)", key: key, json: ["at": "2026-11-23T10:10:00+08:00"])
                .expectError(422)
        }
    }

    @Test("preview counts existing violations before a rule is switched on")
    func preview() async throws {
        try await TestApp.run { app in
            let (key, _) = try await setUp(app)
            for n in 1...5 {
                _ = try await app.create(key, "visit", ["questions": .array(["q1", "q2", "q3", "q4"].prefix(n % 5).map { .string($0) })])
            }
            let reply = try await app.call(
                .post, "/api/v1/meta/entities/visit/rules/preview", key: key,
                json: ["name": "three", "kind": "expression", "expression": "size(record.questions) >= 3"])
            #expect(reply.json?["violations"] == .number("3"), "\(reply.text)")
            #expect(reply.json?["sample"]?.arrayValue?.count == 3)
            let required = try await app.call(
                .post, "/api/v1/meta/entities/visit/rules/preview", key: key,
                json: ["name": "r", "kind": "required_when", "when": "size(record.questions) > 1", "required": ["city"]])
            #expect(required.json?["violations"] == .number("3"), "\(required.text)")
            try await app.call(
                .post, "/api/v1/meta/entities/visit/rules/preview", key: key, json: ["name": "x", "kind": "expression", "expression": "record.nope"]
            ).expectError(422)
        }
    }
}
