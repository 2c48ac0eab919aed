import Foundation
import PropertyBased
import TesseraCore
import Testing

/// Random well-typed expression text over the `sample` entity below, from a seed.
struct ExpressionGenerator {
    var state: UInt64
    /// Ids of related records, for comparisons with relation columns.
    var ids: [String]

    init(seed: Int, ids: [String] = []) {
        state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 | 1
        self.ids = ids
    }

    /// SplitMix64: deterministic per seed, so a failure names its seed.
    mutating func next(_ n: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(n))
    }

    mutating func pick<T>(_ items: [T]) -> T { items[next(items.count)] }

    static let hostile = ["", "a", "O'Brien", "\\\\'; DROP TABLE sample; --", "%_", "北京", "Ab", "ab", "x\\\"y", "b"]

    mutating func bool(_ depth: Int) -> String {
        let leaf = depth <= 0
        switch next(leaf ? 12 : 17) {
        case 0: return "\(int(depth - 1)) \(pick(["<", "<=", ">", ">=", "==", "!="])) \(int(depth - 1))"
        case 1: return "\(double(depth - 1)) \(pick(["<", "<=", ">", ">=", "==", "!="])) \(double(depth - 1))"
        case 2: return "\(string(depth - 1)) \(pick(["<", ">=", "==", "!="])) \(string(depth - 1))"
        case 3: return "\(string(depth - 1)) in [\(string(0)), \(string(0)), \(pick(["null", "'a'"]))]"
        case 4: return "has(record.\(pick(["title", "n", "tags", "at", "spot", "account", "stage"])))"
        case 5: return "\(string(depth - 1)).\(pick(["contains", "startsWith", "endsWith"]))(\(string(0)))"
        case 6: return "\(string(depth - 1)).matches(\(pick(["'^a'", "'b$'", "'^[a-z]+$'", "'\\\\d'", "'^.{2,4}$'", "\"'\"", "'(ab|北)+'"])))"
        case 7: return "record.\(pick(["title", "n", "at", "flag", "day", "account"])) \(pick(["==", "!="])) null"
        case 8: return pick(["record.flag", "true", "false", "!record.flag"])
        case 9: return "\(date(depth - 1)) \(pick(["<", "==", ">="])) \(date(depth - 1))"
        case 10: return "\(timestamp(depth - 1)) \(pick(["<", "==", ">"])) \(timestamp(depth - 1))"
        case 11:
            guard !ids.isEmpty, next(2) == 0 else { return "'\(pick(["x", "y", "z"]))' in record.tags" }
            return next(2) == 0 ? "record.account \(pick(["==", "!="])) '\(pick(ids))'" : "record.account in ['\(pick(ids))', '\(pick(ids))']"
        case 12: return "(\(bool(depth - 1)) && \(bool(depth - 1)))"
        case 13: return "(\(bool(depth - 1)) || \(bool(depth - 1)))"
        case 14: return "!(\(bool(depth - 1)))"
        case 15: return "(\(bool(depth - 1)) ? \(bool(depth - 1)) : \(bool(depth - 1)))"
        default: return "distance_m(record.spot, record.account.spot) \(pick(["<", ">"])) \(pick(["1000.0", "50000.0", "500000.0"]))"
        }
    }

    mutating func int(_ depth: Int) -> String {
        switch next(depth <= 0 ? 4 : 10) {
        case 0: return "record.n"
        case 1: return String(next(21) - 10)
        case 2: return "size(\(pick(["record.title", "record.tags"])))"
        case 3: return "(record.day - date('2026-01-01'))"
        case 4: return "(\(int(depth - 1)) \(pick(["+", "-", "*"])) \(int(depth - 1)))"
        case 5: return "(\(int(depth - 1)) \(pick(["/", "%"])) \(next(2) == 0 ? pick(["3", "-2", "7"]) : int(depth - 1)))"
        case 6: return "int(\(double(depth - 1)))"
        case 7: return "(\(bool(depth - 1)) ? \(int(depth - 1)) : \(int(depth - 1)))"
        case 8: return "-\(int(depth - 1))"
        default: return "size(string(record.n))"
        }
    }

    mutating func double(_ depth: Int) -> String {
        switch next(depth <= 0 ? 5 : 9) {
        case 0: return "record.amount"
        case 1: return "record.price"
        case 2: return pick(["0.5", "100.25", "-3.75", "1000.0", "0.1"])
        case 3: return "record.spot.lat"
        case 4: return "record.account.spot.lng"
        case 5: return "(\(double(depth - 1)) \(pick(["+", "-", "*"])) \(double(depth - 1)))"
        case 6: return "(\(double(depth - 1)) + \(int(depth - 1)))"
        case 7: return "(\(double(depth - 1)) / \(next(2) == 0 ? pick(["2.0", "0.25", "-8.0"]) : double(depth - 1)))"
        default: return "distance_m(record.spot, record.account.spot)"
        }
    }

    mutating func string(_ depth: Int) -> String {
        switch next(depth <= 0 ? 5 : 8) {
        case 0: return "record.title"
        case 1: return "record.stage"
        case 2: return "'" + pick(Self.hostile).replacingOccurrences(of: "'", with: "\\'") + "'"
        case 3: return "record.account.name"
        case 4: return "record.spot.address"
        case 5: return "(\(string(depth - 1)) + \(string(depth - 1)))"
        case 6: return "string(\(int(depth - 1)))"
        default: return "(\(bool(depth - 1)) ? \(string(depth - 1)) : \(string(depth - 1)))"
        }
    }

    mutating func date(_ depth: Int) -> String {
        switch next(depth <= 0 ? 3 : 6) {
        case 0: return "record.day"
        case 1: return "date('\(pick(["2026-01-01", "2026-03-15", "2025-12-31"]))')"
        case 2: return "date(record.at)"
        case 3: return "(\(date(depth - 1)) + \(int(depth - 1)))"
        case 4: return "(\(date(depth - 1)) \(pick(["+", "-"])) duration('\(pick(["1wd", "-2wd", "0wd", "6wd"]))'))"
        default: return "date(\(timestamp(depth - 1)))"
        }
    }

    mutating func timestamp(_ depth: Int) -> String {
        switch next(depth <= 0 ? 3 : 5) {
        case 0: return "record.at"
        case 1: return "timestamp('\(pick(["2026-01-01T00:00:00Z", "2026-03-15T12:30:00+08:00", "2025-12-31T16:00:00Z"]))')"
        case 2: return "timestamp(record.day)"
        case 3: return "(\(timestamp(depth - 1)) \(pick(["+", "-"])) duration('\(pick(["90m", "1d", "36h", "1s", "1wd", "-2wd", "0wd", "3wd"]))'))"
        default: return "(record.at - \(timestamp(depth - 1)) > duration('\(pick(["0s", "12h", "-2d"]))') ? record.at : \(timestamp(depth - 1)))"
        }
    }
}

@Suite("where= filters: Swift and SQL agree")
struct ExpressionAgreementTests {
    static let account: JSONValue = [
        "name": "account",
        "fields": [
            ["name": "name", "type": "text"], ["name": "spot", "type": "location"],
        ],
    ]
    static let sample: JSONValue = [
        "name": "sample",
        "fields": [
            ["name": "n", "type": "number"], ["name": "amount", "type": "decimal"], ["name": "price", "type": "money"],
            ["name": "title", "type": "text"], ["name": "flag", "type": "boolean"], ["name": "day", "type": "date"],
            ["name": "at", "type": "datetime"], ["name": "spot", "type": "location"],
            ["name": "account", "type": "relation", "target": "account"],
            ["name": "stage", "type": "select", "options": [["key": "a"], ["key": "b"], ["key": "c"]]],
            ["name": "tags", "type": "multi_select", "options": [["key": "x"], ["key": "y"], ["key": "z"]]],
        ],
    ]

    /// A random record; about a quarter of the values are null.
    static func record(_ g: inout ExpressionGenerator, accounts: [String]) -> JSONValue {
        func maybe(_ value: JSONValue) -> JSONValue { g.next(4) == 0 ? .null : value }
        let texts = ExpressionGenerator.hostile + ["abc", "ab12", "北京abab", "Zed", "b"]
        let lat = 31.0 + Double(g.next(2000)) / 1000, lng = 121.0 + Double(g.next(2000)) / 1000
        return .object([
            ("n", maybe(.number(String(g.next(41) - 20)))),
            ("amount", maybe(.number(["0.1", "2.5", "-3.75", "100.25", "1000", "0.3", "12345.678"][g.next(7)]))),
            ("price", maybe(.number(["0.5", "99.99", "1000.00", "250.10"][g.next(4)]))),
            ("title", maybe(.string(texts[g.next(texts.count)]))),
            ("flag", maybe(.bool(g.next(2) == 0))),
            ("day", maybe(.string(["2025-12-31", "2026-01-01", "2026-01-02", "2026-03-15", "2026-07-01"][g.next(5)]))),
            (
                "at",
                maybe(
                    .string(
                        [
                            "2026-01-01T00:00:00Z", "2025-12-31T15:59:59Z", "2025-12-31T16:00:00Z", "2026-03-15T12:30:00+08:00",
                            "2026-03-15T04:30:00.5Z", "2026-07-01T23:00:00-04:00",
                        ][g.next(6)]))
            ),
            (
                "spot",
                maybe(.object([("lat", .number(String(lat))), ("lng", .number(String(lng))), ("address", g.next(2) == 0 ? .string("ab") : .null)]))
            ),
            ("account", maybe(.string(accounts[g.next(accounts.count)]))),
            ("stage", maybe(.string(["a", "b", "c"][g.next(3)]))),
            ("tags", maybe(.array(["x", "y", "z"].filter { _ in g.next(2) == 0 }.map { .string($0) }))),
        ])
    }

    @Test("generated expressions select the same records in SQL as in Swift")
    func agreement() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, Self.account)
            try await app.createEntity(key, Self.sample)
            var g = ExpressionGenerator(seed: 20_261_125)
            var accountIDs: [String] = []
            for i in 0..<4 {
                let spot: JSONValue = i == 3 ? .null : .object([("lat", .number("31.\(i)5")), ("lng", .number("121.\(i)4"))])
                let created = try await app.create(key, "account", .object([("name", .string(["ab", "b", "北京"][i % 3])), ("spot", spot)]))
                accountIDs.append(try #require(created["id"]?.stringValue))
            }
            let records = (0..<80).map { _ in Self.record(&g, accounts: accountIDs) }
            #expect(try await app.call(.post, "/api/v1/data/sample", key: key, json: .array(records)).status == 201)

            // What Swift evaluates against: the records and metadata exactly as the server returns them.
            let sampleDef = try MetadataDecoder.entity(
                try #require(try await app.call(.get, "/api/v1/meta/entities/sample", key: key).json), knownEntities: ["account", "sample"])
            let accountDef = try MetadataDecoder.entity(
                try #require(try await app.call(.get, "/api/v1/meta/entities/account", key: key).json), knownEntities: ["account", "sample"])
            let accounts = try await app.call(.get, "/api/v1/data/account", key: key).data
            let byID = Dictionary(uniqueKeysWithValues: accounts.map { ($0["id"]!.stringValue!, RecordValues(json: $0, entity: accountDef).fields) })
            let rows = try await app.call(.get, "/api/v1/data/sample?limit=500", key: key).data.map { json -> (String, RecordValues) in
                var values = RecordValues(json: json, entity: sampleDef)
                if case .string(let account)? = values.fields["account"] { values.related["account"] = byID[account] }
                return (json["id"]!.stringValue!, values)
            }
            #expect(rows.count == 80)
            let context = ExpressionContext(entity: sampleDef, relatedEntity: { $0 == "account" ? accountDef : nil })
            let zone = try #require(TimeZoneRules(identifier: "Asia/Shanghai"))
            // Working days count by the tenant's calendar: New Year off, the Sunday after worked, a shorter day.
            let calendarJSON: JSONValue = [
                "holidays": ["2026-01-01", "2026-01-02"], "workdays": ["2026-01-04"], "hours": ["opens": "08:30", "closes": "17:30"],
            ]
            #expect(try await app.call(.patch, "/api/v1/settings", key: key, json: ["calendar": calendarJSON]).status == 200)
            let calendar = try BusinessCalendar.decode(calendarJSON)

            let compared = Counter()
            await propertyCheck(count: 400, input: Gen.int(in: 0...1_000_000_000)) { seed in
                var generator = ExpressionGenerator(seed: seed, ids: accountIDs + ["not-a-uuid", accountIDs[0].uppercased()])
                let source = generator.bool(1 + generator.next(3))
                let expression: CompiledExpression
                do {
                    expression = try CompiledExpression(source, in: context, expecting: .bool)
                } catch let error as ExpressionError where error.message.contains("division by zero") {
                    return  // a literal zero divisor is refused when saved; nothing to compare
                }
                var expected: Set<String> = []
                for (id, values) in rows {
                    let env = ExpressionEnvironment(records: [.record: values], now: 0, timeZone: zone, calendar: calendar)
                    guard let holds = try? expression.isTrue(in: env) else { return }  // errors: compared in their own test
                    if holds { expected.insert(id) }
                }
                let encoded = source.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let reply = try await app.call(.get, "/api/v1/data/sample?limit=500&where=\(encoded)", key: key)
                #expect(reply.status == 200, "seed \(seed): \(source) → \(reply.text)")
                let got = Set(reply.data.compactMap { $0["id"]?.stringValue })
                let sqlOnly = got.subtracting(expected), swiftOnly = expected.subtracting(got)
                #expect(
                    sqlOnly.isEmpty && swiftOnly.isEmpty,
                    """
                    seed \(seed): \(source): SQL-only \(sqlOnly.count), Swift-only \(swiftOnly.count); e.g. \
                    \(rows.first { $0.0 == (sqlOnly.first ?? swiftOnly.first) }.map { "\($0.1.fields) related \($0.1.related)" } ?? "")
                    """
                )
                await compared.add()
            }
            // The generator must not be so hostile that nothing gets compared.
            #expect(await compared.value > 300)
        }
    }
}

actor Counter {
    private(set) var value = 0
    func add() { value += 1 }
}
