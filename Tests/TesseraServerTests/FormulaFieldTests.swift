import Foundation
import TesseraCore
import Testing

@Suite("Formula fields")
struct FormulaFieldTests {
    static let order: JSONValue = [
        "name": "order_line",
        "fields": [
            ["name": "name", "type": "text"], ["name": "qty", "type": "number"], ["name": "price", "type": "money"],
            ["name": "discount", "type": "percent"],
            ["name": "total", "type": "formula", "result": "money", "expression": "record.qty * record.price * (1.0 - record.discount / 100.0)"],
            ["name": "label", "type": "formula", "result": "text", "expression": "record.name + ' x' + string(record.qty)"],
            ["name": "big", "type": "formula", "result": "boolean", "expression": "record.total > 1000.0"],
        ],
    ]

    func encode(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }

    @Test("computed on every read and write, usable in filters, order, select and where=")
    func computed() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, Self.order)
            let a = try await app.create(key, "order_line", ["name": "desk", "qty": 3, "price": 500, "discount": 10])
            #expect(a["total"] == .number("1350.00"))
            #expect(a["label"]?.stringValue == "desk x3")
            #expect(a["big"] == .bool(true))
            let b = try await app.create(key, "order_line", ["name": "pen", "qty": 10, "price": 2.5, "discount": 0])
            #expect(b["total"] == .number("25.00"))
            _ = try await app.create(key, "order_line", ["name": "gift"])  // nulls propagate: no total

            let id = try #require(b["id"]?.stringValue)
            let patched = try await app.call(.patch, "/api/v1/data/order_line/\(id)", key: key, json: ["qty": 1000])
            #expect(patched.json?["total"] == .number("2500.00"))
            #expect(try await app.call(.get, "/api/v1/data/order_line/\(id)", key: key).json?["big"] == .bool(true))

            let sorted = try await app.call(.get, "/api/v1/data/order_line?total=gt.100&order=total.desc&select=name,total", key: key)
            #expect(sorted.data.compactMap { $0["name"]?.stringValue } == ["pen", "desk"])
            #expect(sorted.data.first?["total"] == .number("2500.00"))
            let viaWhere = try await app.call(
                .get, "/api/v1/data/order_line?where=\(encode("record.big && record.label.startsWith('desk')"))", key: key)
            #expect(viaWhere.data.compactMap { $0["name"]?.stringValue } == ["desk"])
            let nulls = try await app.call(.get, "/api/v1/data/order_line?total=is.null", key: key)
            #expect(nulls.data.compactMap { $0["name"]?.stringValue } == ["gift"])

            let write = try await app.call(.post, "/api/v1/data/order_line", key: key, json: ["name": "x", "total": 5])
            #expect(write.expectError(422)?["details"]?.arrayValue?.first?["rule"]?.stringValue == "read_only")
        }
    }

    @Test("formulas are checked when saved, and changes that would break them are refused")
    func checked() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, Self.order)
            func addField(_ json: JSONValue) async throws -> TestApp.Reply {
                try await app.call(.post, "/api/v1/meta/entities/order_line/fields", key: key, json: json)
            }
            let syntax = try await addField(["name": "bad", "type": "formula", "result": "number", "expression": "record.qty +"])
            let detail = syntax.expectError(422)?["details"]?.arrayValue?.first
            #expect(detail?["line"] == .number("1") && detail?["column"] == .number("13"), "\(syntax.text)")
            let wrongType = try await addField(["name": "bad", "type": "formula", "result": "number", "expression": "record.name"])
            #expect(
                wrongType.expectError(422)?["message"]?.stringValue?.contains("gives string, but its result is number") == true, "\(wrongType.text)")
            let noResult = try await addField(["name": "bad", "type": "formula", "expression": "record.qty"])
            noResult.expectError(422)
            let required = try await addField(["name": "bad", "type": "formula", "result": "number", "expression": "record.qty", "required": true])
            required.expectError(422)

            // A cycle through another formula.
            #expect(try await addField(["name": "a", "type": "formula", "result": "number", "expression": "record.qty + 1"]).status == 201)
            #expect(try await addField(["name": "b", "type": "formula", "result": "number", "expression": "record.a * 2"]).status == 201)
            let cycle = try await app.call(.patch, "/api/v1/meta/entities/order_line/fields/a", key: key, json: ["expression": "record.b"])
            #expect(cycle.expectError(422)?["message"]?.stringValue?.contains("refers to itself") == true, "\(cycle.text)")

            // Removing a field a formula reads is refused; the field stays.
            let drop = try await app.call(.delete, "/api/v1/meta/entities/order_line/fields/price", key: key)
            #expect(drop.expectError(422)?["message"]?.stringValue?.contains("order_line.total.expression") == true, "\(drop.text)")
            let entity = try await app.call(.get, "/api/v1/meta/entities/order_line", key: key)
            #expect(entity.json?["fields"]?.arrayValue?.contains { $0["name"]?.stringValue == "price" } == true)
            // Round trip: what GET returns, another tenant can POST.
            let other = try await app.createTenant()
            var copy = try #require(entity.json)
            if case .object(let members) = copy { copy = .object(members.filter { $0.0 == "name" || $0.0 == "fields" || $0.0 == "label" }) }
            #expect(try await app.call(.post, "/api/v1/meta/entities", key: other, json: copy).status == 201)
        }
    }
}
