import Foundation
import HTTPTypes
import TesseraCore
import TesseraTestSupport
import Testing

/// Aggregates (issue 15, part 1): `GET /api/v1/data/{entity}/aggregate`, every figure checked
/// against the same figure computed here from the rows the test inserted.
@Suite("Aggregates")
struct AggregateTests {
    static let deal: JSONValue = [
        "name": "deal",
        "fields": [
            ["name": "name", "type": "text"], ["name": "notes", "type": "long_text"],
            [
                "name": "industry", "type": "select",
                "options": [
                    ["key": "medical", "label": ["zh-CN": "医疗", "en": "Medical"], "color": "#ef4444"],
                    ["key": "retail", "label": ["zh-CN": "零售", "en": "Retail"]], ["key": "finance", "label": ["zh-CN": "金融", "en": "Finance"]],
                    ["key": "energy", "label": ["zh-CN": "能源", "en": "Energy"]],
                ],
            ],
            [
                "name": "stage", "type": "select",
                "options": [
                    ["key": "lead", "label": ["en": "Lead"]], ["key": "won", "label": ["en": "Won"]], ["key": "lost", "label": ["en": "Lost"]],
                ],
            ],
            ["name": "amount", "type": "money"], ["name": "secret", "type": "money"], ["name": "hot", "type": "boolean"],
            ["name": "closed_on", "type": "date"], ["name": "signed_at", "type": "datetime"],
        ],
    ]

    /// What the test inserted, to compute every figure independently.
    struct Row {
        let industry: String?
        let stage: String
        let amount: Double?
        let owner: String
    }

    /// Linear interpolation between the closest ranks, as PostgreSQL's `percentile_cont`.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        let rank = p * Double(sorted.count - 1)
        let low = Int(rank.rounded(.down)), high = Int(rank.rounded(.up))
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - Double(low))
    }

    static func number(_ value: JSONValue?) -> Double? { value?.doubleValue }

    func aggregate(_ app: TestApp, _ key: String, _ query: String) async throws -> TestApp.Reply {
        try await app.call(.get, "/api/v1/data/deal/aggregate?\(query)", key: key)
    }

    @Test("count, count_distinct, sum, avg, min, max and percentile per industry × stage agree with the rows; labels come along")
    func metricsAgree() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant()
            try await app.createEntity(admin, Self.deal)
            let role: JSONValue = ["name": "rep", "permissions": ["deal": ["create": "own", "read": "own", "update": "own", "delete": "own"]]]
            #expect(try await app.call(.post, "/api/v1/meta/roles", key: admin, json: role).status == 201)
            let reps = [try await app.makeUser(admin, name: "甲", roles: ["rep"]), try await app.makeUser(admin, name: "乙", roles: ["rep"])]
            var generator = SystemRandomNumberGenerator()
            var rows: [Row] = []
            var bodies: [[JSONValue]] = [[], []]
            for i in 0..<60 {
                let industry = ["medical", "retail", "finance", nil][Int.random(in: 0..<4, using: &generator)]
                let stage = ["lead", "won", "lost"][i % 3]
                let amount: Double? = i % 7 == 0 ? nil : Double(Int.random(in: 1...2_000_000, using: &generator)) / 100
                var members: [(String, JSONValue)] = [("name", .string("d\(i)")), ("stage", .string(stage))]
                if let industry { members.append(("industry", .string(industry))) }
                if let amount { members.append(("amount", .number(amount))) }
                bodies[i % 2].append(.object(members))
                rows.append(Row(industry: industry, stage: stage, amount: amount, owner: reps[i % 2].id))
            }
            // The admin imports each rep's rows as theirs (owner_id given).
            for (n, rep) in reps.enumerated() {
                let owned = JSONValue.array(
                    bodies[n].map { body in
                        guard case .object(let m) = body else { return body }
                        return .object(m + [("owner_id", .string(rep.id))])
                    })
                #expect(try await app.call(.post, "/api/v1/data/deal", key: admin, json: owned).status == 201)
            }
            let reply = try await aggregate(
                app, admin,
                "group=industry,stage&metrics=count,count_distinct(owner_id),sum(amount),avg(amount),min(amount),max(amount),"
                    + "percentile(amount,0.9)&limit=100"
            )
            #expect(reply.status == 200, "\(reply.text)")
            let data = reply.data
            var expectedGroups = 0
            for industry in ["medical", "retail", "finance", nil] as [String?] {
                for stage in ["lead", "won", "lost"] {
                    let members = rows.filter { $0.industry == industry && $0.stage == stage }
                    guard !members.isEmpty else { continue }
                    expectedGroups += 1
                    let row = data.first { ($0["industry"]?.stringValue == industry) && $0["stage"]?.stringValue == stage }
                    let amounts = members.compactMap(\.amount)
                    #expect(row?["count"]?.intValue == members.count, "\(industry ?? "null")/\(stage)")
                    #expect(row?["count_distinct(owner_id)"]?.intValue == Set(members.map(\.owner)).count)
                    let sum = amounts.reduce(0, +)
                    #expect(abs((Self.number(row?["sum(amount)"]) ?? -1) - sum) < 0.005, "sum \(row?["sum(amount)"] ?? .null) vs \(sum)")
                    if amounts.isEmpty {
                        #expect(row?["avg(amount)"] == .null && row?["min(amount)"] == .null)
                    } else {
                        #expect(abs((Self.number(row?["avg(amount)"]) ?? -1) - sum / Double(amounts.count)) < 1e-6)
                        #expect(Self.number(row?["min(amount)"]) == amounts.min() && Self.number(row?["max(amount)"]) == amounts.max())
                        #expect(abs((Self.number(row?["percentile(amount,0.9)"]) ?? -1) - Self.percentile(amounts, 0.9)) < 1e-6)
                    }
                }
            }
            #expect(data.count == expectedGroups && reply.json?["groups"]?.intValue == expectedGroups)
            // Biggest first by default: counts never increase down the list.
            let counts = data.compactMap { $0["count"]?.intValue }
            #expect(counts == counts.sorted(by: >))
            #expect(reply.json?["labels"]?["industry"]?["medical"] == ["zh-CN": "医疗", "en": "Medical"])
            // Ordered by a metric ascending; filters and where= choose the rows.
            let won = try await aggregate(app, admin, "group=industry&metrics=count,sum(amount)&order=sum(amount).asc&stage=eq.won")
            let sums = won.data.compactMap { Self.number($0["sum(amount)"]) }
            #expect(sums == sums.sorted() && won.data.reduce(0) { $0 + ($1["count"]?.intValue ?? 0) } == rows.filter { $0.stage == "won" }.count)
            let big = try await aggregate(app, admin, "metrics=count&where=record.amount%20%3E%3D%2010000.0")
            #expect(big.data.first?["count"]?.intValue == rows.filter { ($0.amount ?? 0) >= 10000 }.count, "\(big.text)")
            // A rep's aggregate counts the rep's own rows only; user keys come with names.
            let mine = try await aggregate(app, reps[0].key, "group=owner_id&metrics=count")
            #expect(mine.data.map { $0["owner_id"] } == [.string(reps[0].id)])
            #expect(mine.data.first?["count"]?.intValue == rows.filter { $0.owner == reps[0].id }.count)
            #expect(mine.json?["labels"]?["owner_id"]?[reps[0].id] == "甲")
            let all = try await aggregate(app, admin, "metrics=count")
            #expect(all.data.first?["count"]?.intValue == rows.count && all.data.first?["other"] == nil)
        }
    }

    @Test("bands include their lower edge; the groups past the limit fold into one other row whose figures are exact")
    func bandsAndOther() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant()
            try await app.createEntity(admin, Self.deal)
            let amounts: [Double?] = [0, 99_999.99, 100_000, 499_999, 500_000, 2_000_000, nil]
            let rows = JSONValue.array(amounts.map { amount in .object([("name", "x"), ("amount", amount.map { .number($0) } ?? .null)]) })
            #expect(try await app.call(.post, "/api/v1/data/deal", key: admin, json: rows).status == 201)
            let bands = try await aggregate(app, admin, "group=amount:bands(0,100000,500000)&metrics=count,sum(amount)")
            #expect(bands.status == 200, "\(bands.text)")
            #expect(bands.data.map { $0["amount"] ?? .null } == ["0-100000", "100000-500000", ">=500000", .null], "\(bands.text)")
            #expect(bands.data.compactMap { $0["count"]?.intValue } == [2, 2, 2, 1])
            #expect(Self.number(bands.data.first?["sum(amount)"]) == 99_999.99)
            let below = try await aggregate(app, admin, "group=amount:bands(100,200)&metrics=count")
            #expect(below.data.first?["amount"] == "<100" && below.data.first?["count"]?.intValue == 1)

            // Four industries of 5, 3, 2 and 1 deals: the top two, then the other two folded.
            var more: [JSONValue] = []
            for (industry, n) in [("medical", 5), ("retail", 3), ("finance", 2), ("energy", 1)] {
                for i in 0..<n {
                    more.append(
                        .object([("name", "y"), ("industry", .string(industry)), ("amount", .number(Double(10 * (i + 1)))), ("hot", .bool(i == 0))]))
                }
            }
            #expect(try await app.call(.post, "/api/v1/data/deal", key: admin, json: .array(more)).status == 201)
            let top = try await aggregate(app, admin, "group=industry&metrics=count,avg(amount),max(amount)&limit=2&industry=not.is.null")
            #expect(top.status == 200, "\(top.text)")
            #expect(top.data.map { $0["industry"] ?? .null } == ["medical", "retail", .null])
            #expect(top.data.compactMap { $0["count"]?.intValue } == [5, 3, 3])
            let other = top.data.last
            #expect(other?["other"] == true)
            // The rest: finance 10, 20 and energy 10: an average of 13.33…, not of the two averages (15 and 10).
            #expect(abs((Self.number(other?["avg(amount)"]) ?? 0) - 40.0 / 3.0) < 1e-9 && Self.number(other?["max(amount)"]) == 20)
            #expect(top.json?["groups"]?.intValue == 4)
            // Figures that do not fold (distinct counts, percentiles) are computed again over the rest's own rows.
            let exact = try await aggregate(
                app, admin, "group=industry&metrics=count,percentile(amount,0.5),count_distinct(amount)&limit=2&industry=not.is.null")
            #expect(exact.data.last?["other"] == true && exact.data.last?["count"]?.intValue == 3, "\(exact.text)")
            #expect(Self.number(exact.data.last?["percentile(amount,0.5)"]) == 10 && exact.data.last?["count_distinct(amount)"]?.intValue == 2)
            #expect(Self.number(exact.data.first?["percentile(amount,0.5)"]) == 30)
            let booleans = try await aggregate(app, admin, "group=hot&metrics=count&hot=not.is.null")
            #expect(Set(booleans.data.compactMap { $0["hot"]?.boolValue }) == [true, false])
        }
    }

    @Test("dates bucket by day, week, month, quarter and year in the tenant's zone across DST; empty months are zero")
    func timeZoneBuckets() async throws {
        try await TestApp.run { app in
            let created = try await app.call(
                .post, "/api/v1/tenants", key: TestApp.adminToken,
                json: ["slug": .string(TestDatabase.uniqueSlug()), "name": "NY", "time_zone": "America/New_York"])
            let admin = try #require(created.json?["api_key"]?.stringValue, "\(created.text)")
            try await app.createEntity(admin, Self.deal)
            // New York: EST until 2026-03-08 02:00 local, EDT until 2026-11-01 02:00 local.
            let instants = [
                "2026-03-08T04:30:00Z",  // 23:30 on the 7th, EST
                "2026-03-08T06:59:00Z",  // 01:59 on the 8th, EST (the last minute before the change)
                "2026-03-08T07:01:00Z",  // 03:01 on the 8th, EDT
                "2026-10-31T03:30:00Z",  // 23:30 on the 30th, EDT
                "2026-11-01T04:30:00Z",  // 00:30 on 1 November, EDT
                "2026-11-01T06:30:00Z",  // 01:30 on 1 November, EST (the repeated hour)
            ]
            let rows = JSONValue.array(
                instants.enumerated().map { i, instant in
                    .object([
                        ("name", "z"), ("signed_at", .string(instant)), ("closed_on", .string(String(instant.prefix(10)))),
                        ("hot", .bool(i % 2 == 0)),
                    ])
                })
            #expect(try await app.call(.post, "/api/v1/data/deal", key: admin, json: rows).status == 201)
            func buckets(_ unit: String, _ extra: String = "") async throws -> [(String, Int)] {
                let reply = try await aggregate(app, admin, "group=signed_at:\(unit)&metrics=count\(extra)")
                #expect(reply.status == 200, "\(reply.text)")
                return reply.data.map { ($0["signed_at"]?.stringValue ?? "null", $0["count"]?.intValue ?? -1) }
            }
            let days = try await buckets("day", "&signed_at=lt.2026-06-01T00:00:00Z")
            #expect(days.map(\.0) == ["2026-03-07", "2026-03-08"] && days.map(\.1) == [1, 2])
            let weeks = try await buckets("week", "&signed_at=lt.2026-06-01T00:00:00Z")
            // Saturday the 7th and Sunday the 8th, either side of the change, are one week from Monday the 2nd.
            #expect(weeks.map(\.0) == ["2026-03-02"] && weeks.map(\.1) == [3], "\(weeks)")
            let months = try await buckets("month")
            #expect(months.count == 9 && months.first?.0 == "2026-03-01" && months.last?.0 == "2026-11-01", "\(months)")
            #expect(months.map(\.1) == [3, 0, 0, 0, 0, 0, 0, 1, 2], "empty months appear as zero: \(months)")
            #expect(try await buckets("quarter").map(\.1) == [3, 0, 0, 3])
            // With another key, every month is there for each of its values.
            let grid = try await aggregate(app, admin, "group=hot,signed_at:month&metrics=count")
            let byHot = { (hot: Bool) in grid.data.filter { $0["hot"]?.boolValue == hot }.compactMap { $0["count"]?.intValue } }
            #expect(byHot(true) == [2, 0, 0, 0, 0, 0, 0, 0, 1] && byHot(false) == [1, 0, 0, 0, 0, 0, 0, 1, 1], "\(grid.text)")
            #expect(try await buckets("year").map { "\($0.0)=\($0.1)" } == ["2026-01-01=6"])
            // A date field has no zone: 8 March is 8 March.
            let dates = try await aggregate(app, admin, "group=closed_on&metrics=count&closed_on=lt.2026-04-01")
            #expect(dates.data.compactMap { $0["closed_on"]?.stringValue } == ["2026-03-08"] && dates.data.first?["count"]?.intValue == 3)
            // min and max of a datetime are instants in UTC.
            let span = try await aggregate(app, admin, "metrics=min(signed_at),max(signed_at)")
            #expect(span.data.first?["min(signed_at)"] == "2026-03-08T04:30:00.000000Z", "\(span.text)")
        }
    }

    @Test("a field the caller may not read cannot be grouped or measured (403 naming it); bad requests get one 422 listing every problem")
    func refusals() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant()
            try await app.createEntity(admin, Self.deal)
            let role: JSONValue = [
                "name": "rep",
                "permissions": ["deal": ["create": "own", "read": "own", "update": "own", "delete": "own", "fields": ["secret": "none"]]],
            ]
            #expect(try await app.call(.post, "/api/v1/meta/roles", key: admin, json: role).status == 201)
            let rep = try await app.makeUser(admin, roles: ["rep"])
            _ = try await app.create(rep.key, "deal", ["name": "mine", "amount": 5])
            for query in ["metrics=sum(secret)", "group=secret:bands(0,10)", "group=industry&metrics=count,max(secret)"] {
                let reply = try await aggregate(app, rep.key, query)
                reply.expectError(403, "forbidden")
                #expect(reply.text.contains("secret"), "\(query): \(reply.text)")
            }
            // Filtering on it is as unknown as for a list.
            try await aggregate(app, rep.key, "metrics=count&secret=gt.0").expectError(422)
            #expect(try await aggregate(app, admin, "metrics=sum(secret)").status == 200)
            let bad = try await aggregate(
                app, admin, "group=notes,signed_at,amount:bands(5,1),ghost&metrics=sum(name),avg(industry),percentile(amount,2),explode(x)&limit=0")
            bad.expectError(422)
            let rules = (bad.json?["error"]?["details"]?.arrayValue ?? []).compactMap { $0["rule"]?.stringValue }
            #expect(rules.filter { $0 == "type" }.count >= 3 && rules.contains("date_unit") && rules.contains("bands"), "\(bad.text)")
            #expect(rules.contains("unknown_field") && rules.contains("fraction") && rules.contains("metric") && rules.contains("limit"))
            for query in [
                "group=industry&order=ghost.desc", "metrics=count&cursor=x", "metrics=", "group=", "group=a,b,c,d,e",
                "metrics=" + Array(repeating: "count", count: 11).joined(separator: ","), "group=signed_at:century",
            ] {
                try await aggregate(app, admin, query).expectError(422)
            }
            // Chinese messages for the same mistakes.
            let zh = try await app.call(.get, "/api/v1/data/deal/aggregate?metrics=sum(name)", key: admin, headers: [.acceptLanguage: "zh-CN"])
            #expect(zh.text.contains("需要数字字段"), "\(zh.text)")
            try await app.call(.get, "/api/v1/data/ghost/aggregate", key: admin).expectError(404)
        }
    }
}
