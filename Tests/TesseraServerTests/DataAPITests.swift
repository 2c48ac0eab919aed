import Foundation
import HTTPTypes
import TesseraCore
import TesseraStore
import TesseraTestSupport
import Testing

@Suite("Data API")
struct DataAPITests {
    @Test("create, read, update with optimistic locking, delete to the recycle bin and restore")
    func recordLifecycle() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, customerEntity)
            let created = try await app.call(.post, "/api/v1/data/customer", key: key, json: ["name": "Acme", "amount": 1200.5, "tags": ["vip"]])
            #expect(created.status == 201)
            #expect(created.headers[.eTag] == "\"1\"")
            let id = try #require(created.id)
            #expect(created.json?["amount"] == .number("1200.50"))
            #expect(created.json?["version"] == 1)
            #expect(created.json?["tags"] == ["vip"])

            let updated = try await app.call(
                .patch, "/api/v1/data/customer/\(id)", key: key, json: ["name": "Acme Ltd"], headers: [.ifMatch: "\"1\""])
            #expect(updated.status == 200)
            #expect(updated.json?["version"] == 2)
            // A stale version is a 409 that names the current one; nothing changes.
            let stale = try await app.call(
                .patch, "/api/v1/data/customer/\(id)", key: key, json: ["name": "Lost update"], headers: [.ifMatch: "\"1\""])
            #expect(stale.expectError(409, "version_conflict")?["details"]?.arrayValue?.first?["current_version"] == 2)
            let staleBody = try await app.call(.patch, "/api/v1/data/customer/\(id)", key: key, json: ["name": "Lost update", "version": 1])
            staleBody.expectError(409, "version_conflict")
            #expect(try await app.call(.get, "/api/v1/data/customer/\(id)", key: key).json?["name"] == "Acme Ltd")

            try await app.call(.delete, "/api/v1/data/customer/\(id)", key: key, headers: [.ifMatch: "\"1\""]).expectError(409)
            #expect(try await app.call(.delete, "/api/v1/data/customer/\(id)", key: key).status == 204)
            try await app.call(.get, "/api/v1/data/customer/\(id)", key: key).expectError(404)
            let bin = try await app.call(.get, "/api/v1/data/customer?deleted=only", key: key)
            #expect(bin.data.map { $0["id"] } == [.string(id)])
            #expect(bin.data.first?["deleted_at"]?.stringValue != nil)
            #expect(try await app.call(.get, "/api/v1/data/customer", key: key).data.isEmpty)
            let restored = try await app.call(.post, "/api/v1/data/customer/\(id)/restore", key: key)
            #expect(restored.status == 200 && restored.json?["name"] == "Acme Ltd")
            try await app.call(.post, "/api/v1/data/customer/\(id)/restore", key: key).expectError(404)
            #expect(try await app.call(.get, "/api/v1/data/customer", key: key).data.count == 1)
        }
    }

    @Test("every violation of one request comes back together in one 422")
    func validationTogether() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, customerEntity)
            let reply = try await app.call(
                .post, "/api/v1/data/customer", key: key,
                json: [
                    "phone": "call me", "industry": "mining", "amount": -5, "tags": ["vip", "new", "risk"], "email": "nope", "colour": "red",
                ])
            let error = reply.expectError(422, "validation_failed")
            let rules = Set(
                (error?["details"]?.arrayValue ?? []).compactMap { detail in
                    detail["field"]?.stringValue.map { "\($0):\(detail["rule"]?.stringValue ?? "")" }
                })
            #expect(
                rules == [
                    "name:required", "phone:phone", "industry:option", "amount:range", "tags:max_selections", "email:email", "colour:unknown_field",
                ])
            #expect(try await app.call(.get, "/api/v1/data/customer", key: key).data.isEmpty)
            // Wrong JSON types are 422 too, with the field named.
            let types = try await app.call(.post, "/api/v1/data/customer", key: key, json: ["name": 5, "amount": "lots"])
            #expect(Set((types.expectError(422)?["details"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue }) == ["name", "amount"])
            // Too long text.
            try await app.call(.post, "/api/v1/data/customer", key: key, json: ["name": .string(String(repeating: "长", count: 51))]).expectError(422)
        }
    }

    @Test("liveness and readiness answer without a key; only GET is routed")
    func probes() async throws {
        try await TestApp.run { app in
            for path in ["/livez", "/healthz"] {
                let reply = try await app.call(.get, path)
                #expect(reply.status == 200 && reply.json?["status"]?.stringValue == "ok", "\(path): \(reply.text)")
                #expect(reply.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(try await app.call(.post, path).status >= 400)
            }
            let ready = try await app.call(.get, "/readyz")
            #expect(ready.status == 200 && ready.json?["status"] == "ready" && ready.json?["migrations"]?.intValue == ControlSchema.latestVersion)
        }
    }

    @Test("every response carries X-Request-Id: a fresh one per request, or the caller's own when it is a sane token")
    func requestIDs() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            let header = HTTPField.Name("X-Request-Id")!
            var seen = Set<String>()
            for (method, path, auth) in [
                (HTTPRequest.Method.get, "/livez", nil), (.get, "/api/v1/meta/entities", key), (.get, "/api/v1/data/ghost", key),
                (.get, "/nope", nil), (.get, "/api/v1/meta/entities", "tsk_forged"), (.post, "/api/v1/data/ghost", key),
            ] {
                let reply = try await app.call(method, path, key: auth)
                let id = try #require(reply.headers[header], "\(method) \(path) → \(reply.status) has no X-Request-Id")
                #expect(!id.isEmpty && seen.insert(id).inserted, "a fresh id per request")
            }
            let given = try await app.call(.get, "/livez", headers: [header: "edge-4f1c.2026:7"])
            #expect(given.headers[header] == "edge-4f1c.2026:7", "the caller's id is kept")
            let hostile = try await app.call(.get, "/livez", headers: [header: "x\r\n" + String(repeating: "a", count: 300)])
            #expect(hostile.status == 200 && hostile.headers[header] != nil && hostile.headers[header]?.count ?? 0 <= 128, "replaced")
        }
    }

    @Test("malformed JSON is 400, oversized body 413, unknown entity 404 — each with the error shape")
    func errorShapes() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, customerEntity)
            try await app.call(.post, "/api/v1/data/customer", key: key, raw: "{\"name\": ").expectError(400, "malformed_json")
            try await app.call(.post, "/api/v1/data/customer", key: key, raw: "{\"name\": \"\\ud800\"}").expectError(400, "malformed_json")
            try await app.call(.post, "/api/v1/data/customer", key: key, raw: String(repeating: "[", count: 100) + String(repeating: "]", count: 100))
                .expectError(400)
            try await app.call(.post, "/api/v1/data/customer", key: key, raw: "").expectError(400)
            let huge = "{\"name\":\"" + String(repeating: "x", count: 9 << 20) + "\"}"
            try await app.call(.post, "/api/v1/data/customer", key: key, raw: huge).expectError(413, "payload_too_large")
            try await app.call(.get, "/api/v1/data/nothing", key: key).expectError(404, "not_found")
            try await app.call(.get, "/api/v1/data/customer/not-a-uuid", key: key).expectError(404)
            try await app.call(.get, "/api/v1/no/such/route", key: key).expectError(404)
            try await app.call(.post, "/api/v1/data/customer", key: key, json: "just a string").expectError(422)
            #expect(try await app.call(.get, "/api/v1/data/customer", key: key).data.isEmpty)
        }
    }

    @Test("filter values full of quotes and SQL are bound, not executed")
    func hostileFilters() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, customerEntity)
            let hostile = "x'); DROP TABLE customer; --\"\\"
            _ = try await app.create(key, "customer", ["name": .string(String(hostile.prefix(50)))])
            _ = try await app.create(key, "customer", ["name": "plain"])
            for value in ["eq.\(hostile)", "like.*'*", "in.(\"a\\\",b\",');DROP TABLE customer;--)", "ilike.%25%27%20OR%201=1--", "neq.' OR '1'='1"] {
                let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
                let reply = try await app.call(.get, "/api/v1/data/customer?name=\(encoded)", key: key)
                #expect(reply.status == 200, "\(value) → \(reply.status) \(reply.text)")
            }
            let exact = try await app.call(
                .get, "/api/v1/data/customer?name=eq.\(hostile.prefix(50).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", key: key)
            #expect(exact.data.count == 1)
            #expect(exact.data.first?["name"]?.stringValue == String(hostile.prefix(50)))
            // Both rows are still there: nothing was executed.
            #expect(try await app.call(.get, "/api/v1/data/customer", key: key).data.count == 2)
            // Bad filters are 400s that name the problem.
            try await app.call(.get, "/api/v1/data/customer?amount=gt.lots", key: key).expectError(400, "invalid_query")
            try await app.call(.get, "/api/v1/data/customer?bogus=eq.1", key: key).expectError(400, "invalid_query")
            try await app.call(.get, "/api/v1/data/customer?name=regex.x", key: key).expectError(400, "invalid_query")
            try await app.call(.get, "/api/v1/data/customer?order=name;drop", key: key).expectError(400)
            try await app.call(.get, "/api/v1/data/customer?limit=-1", key: key).expectError(400)
            try await app.call(.get, "/api/v1/data/customer?cursor=garbage", key: key).expectError(400, "invalid_cursor")
        }
    }

    @Test("filters, order, select and keyset pagination with an opaque cursor")
    func listing() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, customerEntity)
            var bulk: [JSONValue] = []
            for i in 0..<25 {
                bulk.append(
                    .object([
                        ("name", .string("C\(i)")), ("industry", .string(["medical", "retail", "finance"][i % 3])),
                        ("amount", .number(i % 5 == 0 ? "100" : "\(i * 1000)")), ("tags", i % 2 == 0 ? ["vip"] : ["new"]),
                    ]))
            }
            let created = try await app.call(.post, "/api/v1/data/customer", key: key, json: .array(bulk))
            #expect(created.status == 201 && created.data.count == 25)

            #expect(try await app.call(.get, "/api/v1/data/customer?industry=eq.medical", key: key).data.count == 9)
            #expect(try await app.call(.get, "/api/v1/data/customer?industry=in.(medical,retail)&amount=gte.10000", key: key).data.count == 8)
            #expect(try await app.call(.get, "/api/v1/data/customer?tags=cs.{vip}", key: key).data.count == 13)
            #expect(try await app.call(.get, "/api/v1/data/customer?name=like.C1*", key: key).data.count == 11)
            #expect(try await app.call(.get, "/api/v1/data/customer?email=is.null&industry=not.eq.medical", key: key).data.count == 16)
            let selected = try await app.call(.get, "/api/v1/data/customer?select=id,name&limit=1", key: key).data.first
            #expect(selected?.objectValue?.map(\.0) == ["id", "name"])

            // Walk all pages ordered by amount (with ties) and check nothing repeats or goes missing.
            for order in ["amount.desc", "amount.asc", "name.asc", "email.asc,amount.desc", ""] {
                var seen: [String] = []
                var cursor: String?
                var pages = 0
                repeat {
                    var path = "/api/v1/data/customer?limit=4" + (order.isEmpty ? "" : "&order=\(order)")
                    if let cursor { path += "&cursor=\(cursor)" }
                    let page = try await app.call(.get, path, key: key)
                    #expect(page.status == 200, "\(page.text)")
                    seen += page.data.compactMap { $0["id"]?.stringValue }
                    cursor = page.json?["next_cursor"]?.stringValue
                    pages += 1
                } while cursor != nil && pages < 20
                #expect(seen.count == 25, "order \(order): \(seen.count) rows")
                #expect(Set(seen).count == 25, "order \(order) repeated rows")
            }
            // The cursor is bound to its order.
            let first = try await app.call(.get, "/api/v1/data/customer?limit=2&order=amount.desc", key: key)
            let cursor = try #require(first.json?["next_cursor"]?.stringValue)
            try await app.call(.get, "/api/v1/data/customer?limit=2&order=name.asc&cursor=\(cursor)", key: key).expectError(400, "invalid_cursor")
            // Counts only when asked; page size is bounded.
            #expect(try await app.call(.get, "/api/v1/data/customer?count=exact&limit=1", key: key).json?["count"] == 25)
            #expect(try await app.call(.get, "/api/v1/data/customer", key: key).json?["count"] == nil)
            #expect(try await app.call(.get, "/api/v1/data/customer?limit=100000", key: key).data.count == 25)
        }
    }

    @Test("auto numbers count past their padding width instead of being cut")
    func autoNumbers() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(
                key, ["name": "ticket", "fields": [["name": "no", "type": "auto_number", "pattern": "T{0}"], ["name": "x", "type": "text"]]])
            let created = try await app.call(.post, "/api/v1/data/ticket", key: key, json: .array((0..<12).map { _ in ["x": "a"] }))
            #expect(created.data.compactMap { $0["no"]?.stringValue } == (1...12).map { "T\($0)" })
        }
    }

    @Test("bulk create is all-or-nothing and reports problems by position")
    func bulkAllOrNothing() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, customerEntity)
            let reply = try await app.call(
                .post, "/api/v1/data/customer", key: key, json: [["name": "ok"], ["name": "bad", "industry": "mining"], ["phone": "x"]])
            let fields = Set((reply.expectError(422)?["details"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue })
            #expect(fields == ["[1].industry", "[2].name", "[2].phone"])
            #expect(try await app.call(.get, "/api/v1/data/customer", key: key).data.isEmpty)
            // A duplicate inside the batch fails the whole batch in the database too.
            try await app.call(
                .post, "/api/v1/data/customer", key: key, json: [["name": "a", "phone": "13800000000"], ["name": "b", "phone": "13800000000"]]
            ).expectError(409, "duplicate")
            #expect(try await app.call(.get, "/api/v1/data/customer", key: key).data.isEmpty)
            try await app.call(.post, "/api/v1/data/customer", key: key, json: []).expectError(422)
            let tooMany = JSONValue.array(Array(repeating: ["name": "x"], count: 1001))
            try await app.call(.post, "/api/v1/data/customer", key: key, json: tooMany).expectError(422)
        }
    }

    @Test("unique values collide with 409, nulls never do, and deleted records free their values")
    func uniqueness() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, customerEntity)
            let first = try await app.create(key, "customer", ["name": "a", "phone": "+86 138 0000 0000"])
            let duplicate = try await app.call(.post, "/api/v1/data/customer", key: key, json: ["name": "b", "phone": "+86 138 0000 0000"])
            #expect(duplicate.expectError(409, "duplicate")?["details"]?.arrayValue?.first?["field"] == "phone")
            _ = try await app.create(key, "customer", ["name": "c"])
            _ = try await app.create(key, "customer", ["name": "d"])
            let id = try #require(first["id"]?.stringValue)
            #expect(try await app.call(.delete, "/api/v1/data/customer/\(id)", key: key).status == 204)
            _ = try await app.create(key, "customer", ["name": "e", "phone": "+86 138 0000 0000"])
            // Restoring the old record would duplicate the phone: 409, it stays in the bin.
            try await app.call(.post, "/api/v1/data/customer/\(id)/restore", key: key).expectError(409, "duplicate")
        }
    }

    @Test("relations must point to a live record of the same tenant; types are checked per field")
    func relationsAndTypes() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            let otherKey = try await app.createTenant()
            try await app.createEntity(key, customerEntity)
            try await app.createEntity(otherKey, customerEntity)
            try await app.createEntity(
                key,
                [
                    "name": "visit",
                    "fields": [
                        ["name": "customer", "type": "relation", "target": "customer", "required": true],
                        ["name": "at", "type": "datetime"], ["name": "day", "type": "date"], ["name": "done", "type": "boolean"],
                        ["name": "checkin", "type": "location"], ["name": "site", "type": "url"], ["name": "visits", "type": "number"],
                        ["name": "rate", "type": "percent", "max": 100], ["name": "no", "type": "auto_number", "pattern": "V-{YYYY}-{0000}"],
                        ["name": "rep", "type": "user"],
                    ],
                ])
            let mine = try #require(try await app.create(key, "customer", ["name": "mine"])["id"]?.stringValue)
            let theirs = try #require(try await app.create(otherKey, "customer", ["name": "theirs"])["id"]?.stringValue)
            let visit = try await app.create(
                key, "visit",
                [
                    "customer": .string(mine), "at": "2026-11-23T10:00:00+08:00", "day": "2026-11-23", "done": true,
                    "checkin": ["lat": 31.23, "lng": 121.47, "address": "上海"], "site": "https://example.com", "visits": 3, "rate": 12.5,
                ])
            #expect(visit["no"]?.stringValue?.hasPrefix("V-") == true)
            #expect(visit["no"]?.stringValue?.hasSuffix("-0001") == true)
            #expect(visit["checkin"]?["address"] == "上海")
            let refused = try await app.call(
                .post, "/api/v1/data/visit", key: key,
                json: [
                    "customer": .string(theirs), "at": "yesterday", "day": "2026-02-30", "done": "yes", "checkin": ["lat": 91, "lng": 0],
                    "site": "ftp://x", "visits": 1.5, "rate": 101, "no": "V-1", "rep": .string(UUID().uuidString),
                ])
            let fields = Set((refused.expectError(422)?["details"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue })
            #expect(fields == ["customer", "at", "day", "done", "checkin", "site", "visits", "rate", "no", "rep"])
            // A record in the recycle bin is not a valid target either.
            #expect(try await app.call(.delete, "/api/v1/data/customer/\(mine)", key: key).status == 204)
            try await app.call(.post, "/api/v1/data/visit", key: key, json: ["customer": .string(mine)]).expectError(422)
            // Filtering by relation and by a date on a datetime field (tenant time zone).
            #expect(try await app.call(.get, "/api/v1/data/visit?customer=eq.\(mine)&at=gte.2026-11-23", key: key).data.count == 1)
            #expect(try await app.call(.get, "/api/v1/data/visit?at=lt.2026-11-23T01:59:59Z", key: key).data.count == 0)
        }
    }
}
