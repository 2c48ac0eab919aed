import Foundation
import PostgresNIO
import TesseraCore
import TesseraTestSupport
import Testing

/// Funnel and dwell (issue 15, part 2) on a stage history written by the test, every figure
/// worked out by hand from it below.
@Suite("Stage metrics")
struct StageMetricsTests {
    static let deal: JSONValue = [
        "name": "deal", "title_field": "name",
        "fields": [
            ["name": "name", "type": "text"], ["name": "secret", "type": "text"],
            [
                "name": "stage", "type": "select",
                "options": [
                    ["key": "lead", "label": ["zh-CN": "线索", "en": "Lead"], "color": "#94a3b8"], ["key": "qualified", "label": ["en": "Qualified"]],
                    ["key": "quote", "label": ["en": "Quote"]], ["key": "won", "label": ["en": "Won"]], ["key": "lost", "label": ["en": "Lost"]],
                ],
                "stage": [
                    "transitions": ["lead": ["qualified", "lost"], "qualified": ["quote", "lost"], "quote": ["won", "lost"]], "exempt": ["lost"],
                ],
            ],
        ],
    ]

    /// The history: record → [(hours after the start, stage)]; `now` marks an entry an hour ago.
    static let start = Date().addingTimeInterval(-30 * 86_400)
    static let history: [(String, [(Double, String)])] = [
        ("r1", [(0, "lead"), (10, "qualified"), (30, "quote"), (40, "won")]),
        ("r2", [(0, "lead"), (20, "qualified"), (25, "lost")]),
        ("r3", [(5, "lead"), (15, "qualified")]),
        ("r4", [(30 * 24 - 1, "lead")]),
        ("r5", [(0, "lead")]),
    ]

    struct Fixture {
        let admin: String
        let rep: (id: String, key: String)
        let ids: [String: String]
    }

    static func fixture(_ app: TestApp) async throws -> Fixture {
        let slug = TestDatabase.uniqueSlug()
        let admin = try await app.createTenant(slug)
        try await app.createEntity(admin, deal)
        let role: JSONValue = [
            "name": "rep", "permissions": ["deal": ["create": "own", "read": "own", "update": "own", "delete": "own", "fields": ["secret": "none"]]],
        ]
        #expect(try await app.call(.post, "/api/v1/meta/roles", key: admin, json: role).status == 201)
        let blind: JSONValue = ["name": "blind", "permissions": ["deal": ["read": "all", "fields": ["stage": "none"]]]]
        #expect(try await app.call(.post, "/api/v1/meta/roles", key: admin, json: blind).status == 201)
        let rep = try await app.makeUser(admin, name: "Rep", roles: ["rep"])
        var ids: [String: String] = [:]
        for (name, _) in history {
            let owner: JSONValue = name == "r5" ? .string(rep.id) : .null
            // Created at the first stage (as a new record must be); the metrics read the history below.
            var body: [(String, JSONValue)] = [("name", .string(name)), ("stage", "lead")]
            if owner != .null { body.append(("owner_id", owner)) }
            ids[name] = try #require(try await app.create(admin, "deal", .object(body))["id"]?.stringValue)
        }
        // The history as written above, in place of the one the creates recorded.
        let created = ids
        try await TestDatabase.withClient { client in
            try await client.query(PostgresQuery(unsafeSQL: "DELETE FROM t_\(slug)._stage_history"))
            for (name, steps) in history {
                var previous: String?
                for (hours, stage) in steps {
                    let at = start.addingTimeInterval(hours * 3600).formatted(.iso8601)
                    let from = previous.map { "'\($0)'" } ?? "NULL"
                    try await client.query(
                        PostgresQuery(
                            unsafeSQL: """
                                INSERT INTO t_\(slug)._stage_history (entity, record_id, field, from_stage, to_stage, at)
                                VALUES ('deal', '\(created[name]!)', 'stage', \(from), '\(stage)', '\(at)')
                                """))
                    previous = stage
                }
            }
        }
        return Fixture(admin: admin, rep: rep, ids: ids)
    }

    func call(_ app: TestApp, _ key: String, _ path: String) async throws -> TestApp.Reply {
        try await app.call(.get, "/api/v1/metrics/\(path)", key: key)
    }

    static func stage(_ reply: TestApp.Reply, _ name: String) -> JSONValue? {
        reply.json?["stages"]?.arrayValue?.first { $0["stage"]?.stringValue == name }
    }

    @Test("the funnel counts the records entering each stage in the period and those that went on to a later stage")
    func funnel() async throws {
        try await TestApp.run { app in
            let f = try await Self.fixture(app)
            let all = try await call(app, f.admin, "funnel?entity=deal")
            #expect(all.status == 200, "\(all.text)")
            #expect(all.json?["stages"]?.arrayValue?.compactMap { $0["stage"]?.stringValue } == ["lead", "qualified", "quote", "won"])
            func cell(_ reply: TestApp.Reply, _ stage: String) -> [Int] {
                [Self.stage(reply, stage)?["entered"]?.intValue ?? -1, Self.stage(reply, stage)?["converted"]?.intValue ?? -1]
            }
            // lead: r1–r5 entered; r1, r2, r3 reached a later stage (lost is not one). qualified: r1, r2, r3; only r1 went on.
            #expect(cell(all, "lead") == [5, 3] && cell(all, "qualified") == [3, 1] && cell(all, "quote") == [1, 1] && cell(all, "won") == [1, 0])
            #expect(Self.stage(all, "lead")?["conversion"]?.doubleValue == 0.6)
            #expect(Self.stage(all, "lead")?["label"] == ["zh-CN": "线索", "en": "Lead"] && Self.stage(all, "lead")?["color"] == "#94a3b8")
            // From three hours in: the leads r3 (at 5 h) and r4; of them only r3 went on.
            let from = Self.start.addingTimeInterval(3 * 3600).formatted(.iso8601)
            let period = try await call(app, f.admin, "funnel?entity=deal&from=\(from)")
            #expect(cell(period, "lead") == [2, 1] && cell(period, "qualified") == [3, 1], "\(period.text)")
            // Filters choose the records; the rep's scope holds only r5.
            #expect(cell(try await call(app, f.admin, "funnel?entity=deal&name=in.(r1,r2)"), "lead") == [2, 2])
            #expect(cell(try await call(app, f.rep.key, "funnel?entity=deal"), "lead") == [1, 0])
            // Per owner: the rep's r5, and the admin's four.
            let grouped = try await call(app, f.admin, "funnel?entity=deal&group=owner_id")
            let groups = grouped.json?["groups"]?.arrayValue ?? []
            #expect(groups.count == 2, "\(grouped.text)")
            let repGroup = groups.first { $0["key"]?.stringValue == f.rep.id }
            #expect(repGroup?["stages"]?.arrayValue?.first?["entered"]?.intValue == 1)
        }
    }

    @Test("dwell: completed spells' mean, p50, p90 and variation; the records in each stage now with their ages; the stuck ones")
    func dwell() async throws {
        try await TestApp.run { app in
            let f = try await Self.fixture(app)
            let reply = try await call(app, f.admin, "dwell?entity=deal")
            #expect(reply.status == 200, "\(reply.text)")
            let lead = Self.stage(reply, "lead"), qualified = Self.stage(reply, "qualified")
            // Completed lead spells: r1 10 h, r2 20 h, r3 10 h.
            let h = 3600.0
            #expect(lead?["spells"]?.intValue == 3)
            #expect(abs((lead?["mean_seconds"]?.doubleValue ?? 0) - 40 * h / 3) < 1)
            #expect(abs((lead?["p50_seconds"]?.doubleValue ?? 0) - 10 * h) < 1 && abs((lead?["p90_seconds"]?.doubleValue ?? 0) - 18 * h) < 1)
            let sd = ((100.0 / 9 + 100.0 / 9 + 400.0 / 9) / 3).squareRoot()  // the population standard deviation, in hours
            #expect(abs((lead?["cv"]?.doubleValue ?? 0) - sd / (40.0 / 3)) < 1e-6, "\(lead ?? .null)")
            // Completed qualified spells: r1 20 h, r2 5 h.
            #expect(qualified?["spells"]?.intValue == 2 && abs((qualified?["p50_seconds"]?.doubleValue ?? 0) - 12.5 * h) < 1)
            // Now: r4 (an hour) and r5 (30 days) in lead, r3 in qualified since 15 h after the start.
            #expect(lead?["current"]?.intValue == 2 && lead?["stuck"]?.intValue == 1)
            #expect(abs((lead?["oldest_seconds"]?.doubleValue ?? 0) - 30 * 86_400) < 120)
            #expect(qualified?["current"]?.intValue == 1 && qualified?["stuck"]?.intValue == 1)
            // Won is final: nobody is stuck in it.
            #expect(Self.stage(reply, "won")?["open"] == false && Self.stage(reply, "won")?["current"]?.intValue == 0)
            #expect(reply.json?["top_stuck"] == ["lead", "qualified"])
            let stuck = reply.json?["stuck_records"]?.arrayValue ?? []
            #expect(stuck.compactMap { $0["id"]?.stringValue } == [f.ids["r5"]!, f.ids["r3"]!])
            #expect(stuck.first?["title"] == "r5" && stuck.first?["owner_id"]?.stringValue == f.rep.id)
            // A longer threshold: only r5; a period from 3 h on keeps r3's lead spell and the later ones.
            let month = try await call(app, f.admin, "dwell?entity=deal&stuck=29d12h")
            #expect(month.json?["stuck_records"]?.arrayValue?.count == 1 && month.json?["top_stuck"] == ["lead"])
            let from = Self.start.addingTimeInterval(3 * 3600).formatted(.iso8601)
            let later = try await call(app, f.admin, "dwell?entity=deal&from=\(from)")
            #expect(Self.stage(later, "lead")?["spells"]?.intValue == 1 && Self.stage(later, "qualified")?["spells"]?.intValue == 2)
        }
    }

    @Test("metrics need the stage field and the right to read it; bad parameters get one 422 naming each")
    func refusals() async throws {
        try await TestApp.run { app in
            let f = try await Self.fixture(app)
            let blind = try await app.makeUser(f.admin, roles: ["blind"])
            try await call(app, blind.key, "funnel?entity=deal").expectError(403)
            try await call(app, blind.key, "dwell?entity=deal").expectError(403)
            for query in [
                "funnel", "funnel?entity=deal&field=name", "funnel?entity=deal&from=yesterday", "funnel?entity=deal&from=2026-02-01&to=2026-01-01",
                "dwell?entity=deal&stuck=soon", "dwell?entity=deal&limit=0", "funnel?entity=deal&group=name", "funnel?entity=deal&order=x",
                "funnel?entity=deal&secret=eq.x",
            ] {
                try await call(app, f.rep.key, query).expectError(422)
            }
            try await call(app, f.admin, "funnel?entity=ghost").expectError(404)
        }
    }
}
