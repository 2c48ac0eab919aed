import Foundation
import TesseraCore
import Testing

/// A customer with contacts, tickets and deals (deals relate twice: as the customer and as the
/// partner); a rep who lists only their own tickets, sees no contacts and may not see the
/// partner field.
@Suite("Related lists: the records that point at a record, by route and in forms")
struct RelatedListTests {
    static let entities: [JSONValue] = [
        ["name": "customer", "label": ["en": "Customer", "zh-CN": "客户"], "fields": [["name": "name", "type": "text", "required": true]]],
        [
            "name": "contact", "label": ["en": "Contact", "zh-CN": "联系人"],
            "fields": [
                ["name": "name", "type": "text"], ["name": "phone", "type": "phone"],
                ["name": "customer", "type": "relation", "target": "customer"],
            ],
        ],
        [
            "name": "ticket", "label": ["en": "Ticket", "zh-CN": "工单"],
            "fields": [["name": "subject", "type": "text"], ["name": "customer", "type": "relation", "target": "customer"]],
        ],
        [
            "name": "deal", "label": ["en": "Deal"],
            "fields": [
                ["name": "title", "type": "text"], ["name": "amount", "type": "money"],
                ["name": "customer", "type": "relation", "target": "customer"],
                ["name": "partner", "type": "relation", "target": "customer"],
            ],
        ],
    ]

    struct Fixture {
        let admin: String
        let rep: (id: String, key: String)
        let customer: String
        let other: String
    }

    static func make(_ app: TestApp) async throws -> Fixture {
        let admin = try await app.createTenant()
        for entity in entities { try await app.createEntity(admin, entity) }
        let role: JSONValue = [
            "name": "rep",
            "permissions": [
                "customer": ["read": "all"], "ticket": ["create": "own", "read": "own"],
                "deal": ["read": "all", "fields": ["partner": "none"]],
            ],
        ]
        #expect(try await app.call(.post, "/api/v1/meta/roles", key: admin, json: role).status == 201)
        let rep = try await app.makeUser(admin, name: "Rep", roles: ["rep"])
        let customer = try #require(try await app.create(admin, "customer", ["name": "华东精机"])["id"]?.stringValue)
        let other = try #require(try await app.create(admin, "customer", ["name": "别家"])["id"]?.stringValue)
        for i in 1...7 { _ = try await app.create(admin, "contact", ["name": .string("联系人\(i)"), "customer": .string(customer)]) }
        _ = try await app.create(admin, "contact", ["name": "别家联系人", "customer": .string(other)])
        _ = try await app.create(admin, "ticket", ["subject": "管理员的工单", "customer": .string(customer)])
        _ = try await app.create(rep.key, "ticket", ["subject": "我的工单", "customer": .string(customer)])
        _ = try await app.create(admin, "deal", ["title": "一期", "amount": 100, "customer": .string(customer), "partner": .string(other)])
        _ = try await app.create(admin, "deal", ["title": "转介", "amount": 50, "customer": .string(other), "partner": .string(customer)])
        return Fixture(admin: admin, rep: rep, customer: customer, other: other)
    }

    @Test("every relation pointing at the record: count, newest rows first, more; the caller's scopes and hidden fields decide what is listed")
    func route() async throws {
        try await TestApp.run { app in
            let f = try await Self.make(app)
            let all = try await app.call(.get, "/api/v1/data/customer/\(f.customer)/related", key: f.admin)
            #expect(all.status == 200, "\(all.text)")
            #expect(all.json?["record"]?.stringValue == f.customer)
            let lists = all.data.map { "\($0["entity"]?.stringValue ?? "").\($0["via"]?.stringValue ?? "")" }
            #expect(lists == ["contact.customer", "deal.customer", "deal.partner", "ticket.customer"], "\(all.text)")
            let contacts = try #require(all.data.first)
            #expect(contacts["count"] == 7 && contacts["more"] == true && contacts["label"]?["zh-CN"] == "联系人")
            let names = contacts["data"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
            #expect(names == ["联系人7", "联系人6", "联系人5", "联系人4", "联系人3"], "newest first, 5 by default")
            #expect(all.data[2]["data"]?.arrayValue?.first?["title"] == "转介", "the deal naming it as partner")
            // Picking entities and rows.
            let picked = try await app.call(.get, "/api/v1/data/customer/\(f.customer)/related?entity=contact,ticket&limit=2", key: f.admin)
            #expect(picked.data.map { $0["entity"]?.stringValue } == ["contact", "ticket"])
            #expect(picked.data[0]["data"]?.arrayValue?.count == 2 && picked.data[1]["count"] == 2 && picked.data[1]["more"] == false)
            // The rep: their own ticket only, no contacts (no read right), no partner list (hidden field).
            let rep = try await app.call(.get, "/api/v1/data/customer/\(f.customer)/related", key: f.rep.key)
            #expect(rep.data.map { "\($0["entity"]?.stringValue ?? "").\($0["via"]?.stringValue ?? "")" } == ["deal.customer", "ticket.customer"])
            #expect(rep.data[1]["count"] == 1 && rep.data[1]["data"]?.arrayValue?.first?["subject"] == "我的工单", "\(rep.text)")
            #expect(rep.data[0]["data"]?.arrayValue?.first?["partner"] == nil, "a hidden field stays hidden in the rows")
        }
    }

    @Test("a record the caller cannot read is 404; bad parameters are 400 with the shared error shape")
    func routeErrors() async throws {
        try await TestApp.run { app in
            let f = try await Self.make(app)
            let base = "/api/v1/data/customer/\(f.customer)/related"
            try await app.call(.get, "/api/v1/data/customer/\(UUID().uuidString.lowercased())/related", key: f.admin).expectError(404)
            try await app.call(.get, "/api/v1/data/ghost/\(f.customer)/related", key: f.admin).expectError(404)
            try await app.call(.get, "/api/v1/data/ticket/\(f.customer)/related", key: f.admin).expectError(404)
            let ticket = try #require(try await app.create(f.admin, "ticket", ["subject": "别人的", "customer": .string(f.other)])["id"]?.stringValue)
            try await app.call(.get, "/api/v1/data/ticket/\(ticket)/related", key: f.rep.key).expectError(404)
            for query in ["limit=0", "limit=51", "limit=x", "order=name", "entity=ghost", "entity=customer"] {
                let reply = try await app.call(.get, base + "?" + query, key: f.admin)
                reply.expectError(400, "invalid_query")
                #expect(reply.json?["error"]?["details"]?.arrayValue?.isEmpty == false, "\(query): \(reply.text)")
            }
            let hostile = try await app.call(.get, base + "?entity=contact%27%3B%20DROP%20TABLE%20contact%3B--", key: f.admin)
            hostile.expectError(400, "invalid_query")
            #expect(try await app.call(.get, base, key: f.admin).data.first?["count"] == 7, "nothing lost")
        }
    }

    static let form: JSONValue = [
        "name": "overview", "label": ["zh-CN": "客户360°", "en": "Customer 360°"],
        "sections": [
            ["name": "basics", "fields": ["name"]],
            ["name": "contacts", "related": ["entity": "contact", "fields": ["name", "phone"], "limit": 3]],
            ["name": "tickets", "label": ["en": "Open tickets"], "related": ["entity": "ticket"]],
            ["name": "referred", "related": ["entity": "deal", "via": "partner", "fields": ["title", "amount"]]],
        ],
    ]

    @Test("a form's related lists: rows with the fields it names, per caller; a new record's are empty; the definition is checked")
    func inForms() async throws {
        try await TestApp.run { app in
            let f = try await Self.make(app)
            let created = try await app.call(.post, "/api/v1/meta/entities/customer/forms", key: f.admin, json: Self.form)
            #expect(created.status == 201, "\(created.text)")
            let resolved = try await app.call(.get, "/api/v1/data/customer/\(f.customer)/form", key: f.admin)
            #expect(resolved.status == 200, "\(resolved.text)")
            let sections = resolved.json?["sections"]?.arrayValue ?? []
            #expect(sections.map { $0["name"]?.stringValue } == ["basics", "contacts", "tickets", "referred"])
            let contacts = try #require(sections.first { $0["name"] == "contacts" }?["related"])
            #expect(contacts["count"] == 7 && contacts["more"] == true && contacts["data"]?.arrayValue?.count == 3)
            let row = try #require(contacts["data"]?.arrayValue?.first?.objectValue?.map(\.0))
            #expect(Set(row) == ["id", "name", "phone"], "the fields it names, with the id: \(row)")
            #expect(sections.first { $0["name"] == "tickets" }?["label"]?["en"] == "Open tickets")
            #expect(sections.first { $0["name"] == "referred" }?["related"]?["data"]?.arrayValue?.first?["title"] == "转介")
            // The rep: no contacts section, their own ticket, no partner list.
            let rep = try await app.call(.get, "/api/v1/data/customer/\(f.customer)/form", key: f.rep.key)
            let repSections = rep.json?["sections"]?.arrayValue ?? []
            #expect(repSections.map { $0["name"]?.stringValue } == ["basics", "tickets"], "\(rep.text)")
            #expect(repSections.last?["related"]?["count"] == 1)
            // A new customer: the lists are there, empty.
            let fresh = try await app.call(.get, "/api/v1/data/customer/form", key: f.admin)
            #expect(fresh.json?["sections"]?.arrayValue?.compactMap { $0["related"]?["count"]?.intValue } == [0, 0, 0], "\(fresh.text)")
            // Bad definitions are refused, each with its path.
            let bad: [(JSONValue, String, String)] = [
                (["fields": ["name"], "related": ["entity": "contact"]], "sections[1]", "shape"),
                (["related": ["entity": "deal"]], "sections[1].related.via", "required"),
                (["related": ["entity": "deal", "via": "title"]], "sections[1].related.via", "not_a_relation"),
                (["related": ["entity": "customer"]], "sections[1].related.via", "not_a_relation"),
                (["related": ["entity": "ghost"]], "sections[1].related.entity", "unknown_entity"),
                (["related": ["entity": "contact", "fields": ["nope"]]], "sections[1].related.fields[0]", "unknown_field"),
                (["related": ["entity": "contact", "limit": 51]], "sections[1].related.limit", "range"),
                (["related": ["entity": "contact", "order": "name"]], "sections[1].related.order", "unknown_property"),
                (["related": "contact"], "sections[1].related", "type"),
            ]
            for (section, field, rule) in bad {
                let body: JSONValue = ["name": "bad", "sections": [["fields": ["name"]], section]]
                let reply = try await app.call(.post, "/api/v1/meta/entities/customer/forms", key: f.admin, json: body)
                let error = reply.expectError(422)
                let details = error?["details"]?.arrayValue ?? []
                #expect(details.contains { $0["field"]?.stringValue == field && $0["rule"]?.stringValue == rule }, "\(field) \(rule): \(reply.text)")
            }
            #expect(try await app.call(.get, "/api/v1/meta/entities/customer/forms", key: f.admin).data.count == 1, "nothing half-saved")
        }
    }
}
