import Foundation
import TesseraCore
import Testing

@Suite("where= expressions in the data API")
struct WhereQueryTests {
    func encode(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }

    @Test("filters, combines with PostgREST filters, pages and counts")
    func filtering() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, customerEntity)
            for i in 0..<12 {
                _ = try await app.create(
                    key, "customer",
                    [
                        "name": .string("c\(i)"), "amount": .number(String(i * 1000)),
                        "industry": .string(i % 2 == 0 ? "medical" : "retail"),
                        "tags": i % 3 == 0 ? ["vip"] : [],
                    ])
            }
            let expr = encode("record.amount >= 3000 && ('vip' in record.tags || record.name.endsWith('1'))")
            let all = try await app.call(.get, "/api/v1/data/customer?where=\(expr)&count=exact&order=amount.asc", key: key)
            #expect(all.status == 200, "\(all.text)")
            #expect(all.data.compactMap { $0["name"]?.stringValue } == ["c3", "c6", "c9", "c11"])
            #expect(all.json?["count"] == .number("4"))

            let mixed = try await app.call(.get, "/api/v1/data/customer?industry=eq.retail&where=\(expr)&order=amount.desc&limit=1", key: key)
            #expect(mixed.data.compactMap { $0["name"]?.stringValue } == ["c11"])
            let cursor = try #require(mixed.json?["next_cursor"]?.stringValue)
            let next = try await app.call(
                .get, "/api/v1/data/customer?industry=eq.retail&where=\(expr)&order=amount.desc&limit=1&cursor=\(encode(cursor))", key: key)
            #expect(next.data.compactMap { $0["name"]?.stringValue } == ["c9"])
        }
    }

    @Test("hostile strings are data: they match themselves and run nothing")
    func hostileStrings() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, customerEntity)
            let hostile = "x'); DROP TABLE customer; SELECT ('"
            _ = try await app.create(key, "customer", ["name": .string(hostile)])
            _ = try await app.create(key, "customer", ["name": "plain"])
            let literal = hostile.replacingOccurrences(of: "'", with: "\\'")
            let reply = try await app.call(.get, "/api/v1/data/customer?where=\(encode("record.name == '\(literal)'"))", key: key)
            #expect(reply.data.compactMap { $0["name"]?.stringValue } == [hostile])
            let quoted = try await app.call(
                .get, "/api/v1/data/customer?where=\(encode("record.name.contains(\"'\") || record.name == \"\\\"\""))", key: key)
            #expect(quoted.data.count == 1)
            #expect(try await app.call(.get, "/api/v1/data/customer", key: key).data.count == 2)
        }
    }

    @Test("bad expressions: 400 with line and column; runtime failures: 422; nothing changes")
    func errors() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, customerEntity)
            _ = try await app.create(key, "customer", ["name": "a", "amount": 5])

            let syntax = try await app.call(.get, "/api/v1/data/customer?where=\(encode("record.amount >"))", key: key)
            let error = syntax.expectError(400, "invalid_query")
            let detail = error?["details"]?.arrayValue?.first
            #expect(detail?["field"]?.stringValue == "where")
            #expect(detail?["line"] == .number("1") && detail?["column"] == .number("16"))

            let type = try await app.call(.get, "/api/v1/data/customer?where=\(encode("record.name > 3"))", key: key)
            #expect(type.expectError(400)?["details"]?.arrayValue?.first?["message"]?.stringValue?.contains("cannot order string and int") == true)
            let unknown = try await app.call(.get, "/api/v1/data/customer?where=\(encode("record.secret == 1"))", key: key)
            #expect(unknown.expectError(400)?["details"]?.arrayValue?.first?["message"]?.stringValue?.contains("no field 'secret'") == true)
            let notBool = try await app.call(.get, "/api/v1/data/customer?where=\(encode("record.amount + 1"))", key: key)
            notBool.expectError(400)

            let runtime = try await app.call(.get, "/api/v1/data/customer?where=\(encode("record.amount * 1e308 * 10.0 > 1.0"))", key: key)
            runtime.expectError(422, "validation_failed")
            #expect(try await app.call(.get, "/api/v1/data/customer", key: key).data.count == 1)
        }
    }
}
