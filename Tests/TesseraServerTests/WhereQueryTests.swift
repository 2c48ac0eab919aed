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

    @Test("working days: rules and where= count the tenant's calendar; working days used as a duration are refused")
    func workingDays() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()  // Asia/Shanghai
            let question: JSONValue = [
                "name": "question",
                "fields": [
                    ["name": "title", "type": "text"], ["name": "asked_at", "type": "datetime"], ["name": "answered_at", "type": "datetime"],
                ],
                "rules": [
                    [
                        "name": "answer_in_two_working_days", "kind": "expression", "fields": ["answered_at"],
                        "expression": "record.answered_at == null || record.answered_at <= record.asked_at + duration('2wd')",
                        "message": ["en": "Answer within two working days"],
                    ]
                ],
            ]
            try await app.createEntity(key, question)
            // China's 2027 Spring Festival: 8–12 February off, Saturday the 20th worked.
            let spring: JSONValue = [
                "holidays": ["2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"], "workdays": ["2027-01-31", "2027-02-20"],
            ]
            #expect(try await app.call(.patch, "/api/v1/settings", key: key, json: ["calendar": spring]).status == 200)
            // Asked Friday 5 February at 17:00: two working days end Tuesday the 16th at 17:00, not Tuesday the 9th.
            let asked = "2027-02-05T17:00:00+08:00"
            let inTime = try await app.call(
                .post, "/api/v1/data/question", key: key,
                json: ["title": "on time", "asked_at": .string(asked), "answered_at": "2027-02-16T16:59:00+08:00"])
            #expect(inTime.status == 201, "\(inTime.text)")
            let late = try await app.call(
                .post, "/api/v1/data/question", key: key,
                json: ["title": "late", "asked_at": .string(asked), "answered_at": "2027-02-16T17:01:00+08:00"])
            #expect(late.expectError(422)?["details"]?.arrayValue?.first?["rule"] == "answer_in_two_working_days", "\(late.text)")
            _ = try await app.create(key, "question", ["title": "next day", "asked_at": .string(asked), "answered_at": "2027-02-15T10:00:00+08:00"])
            _ = try await app.create(key, "question", ["title": "open", "asked_at": .string(asked)])
            #expect(try await app.call(.get, "/api/v1/data/question", key: key).data.count == 3)

            // where=: answered after more than one working day, and the working day before the answer.
            let slow = try await app.call(
                .get, "/api/v1/data/question?where=\(encode("record.answered_at > record.asked_at + duration('1wd')"))", key: key)
            #expect(slow.data.compactMap { $0["title"]?.stringValue } == ["on time"], "\(slow.text)")
            let back = try await app.call(
                .get,
                "/api/v1/data/question?where=\(encode("date(record.answered_at - duration('1wd')) == date('2027-02-05')"))&order=title.asc", key: key)
            #expect(back.data.compactMap { $0["title"]?.stringValue } == ["next day"], "\(back.text)")
            // The same by the default calendar: the holiday week is worked again.
            #expect(try await app.call(.patch, "/api/v1/settings", key: key, json: ["calendar": .null]).status == 200)
            let plain = try await app.call(
                .get, "/api/v1/data/question?where=\(encode("record.answered_at > record.asked_at + duration('1wd')"))&order=title.asc", key: key)
            #expect(plain.data.compactMap { $0["title"]?.stringValue } == ["next day", "on time"], "\(plain.text)")

            // Working days are no duration: compared, scaled or listed they are refused with where they stand.
            for bad in [
                "duration('2wd') > duration('1h')", "record.asked_at + duration('2wd') * 2 > now()",
                "record.asked_at - record.answered_at > duration('1wd')",
                "[duration('1wd')] == [duration('1wd')]", "record.asked_at + duration('1001wd') > now()",
            ] {
                let refused = try await app.call(.get, "/api/v1/data/question?where=\(encode(bad))", key: key)
                let message = refused.expectError(400)?["details"]?.arrayValue?.first?["message"]?.stringValue ?? ""
                #expect(message.contains("working days") || message.contains("wd"), "\(bad): \(refused.text)")
            }
        }
    }
}
