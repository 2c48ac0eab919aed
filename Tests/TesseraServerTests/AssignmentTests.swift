import Foundation
import PostgresNIO
import TesseraCore
import TesseraTestSupport
import Testing

/// Assignment rules end to end: routes, pools, strategies, skipped users, the fallback queue, and
/// fairness under concurrent creates (picks of one rule are serialized in the database).
@Suite("Assignment rules")
struct AssignmentTests {
    static let lead: JSONValue = [
        "name": "lead",
        "fields": [
            ["name": "title", "type": "text"],
            [
                "name": "source", "type": "select",
                "options": [["key": "web", "label": ["en": "Web"]], ["key": "douyin", "label": ["en": "Douyin"]]],
            ],
            [
                "name": "industry", "type": "select",
                "options": [["key": "auto", "label": ["en": "Auto parts"]], ["key": "medical", "label": ["en": "Medical"]]],
            ],
            ["name": "city", "type": "text"],
            ["name": "open", "type": "boolean"],
        ],
    ]
    static let deal: JSONValue = [
        "name": "deal",
        "fields": [["name": "title", "type": "text"], ["name": "won", "type": "boolean"], ["name": "won_at", "type": "datetime"]],
    ]

    func team(_ app: TestApp, _ admin: String, _ name: String) async throws -> String {
        let reply = try await app.call(.post, "/api/v1/teams", key: admin, json: ["name": .string(name)])
        #expect(reply.status == 201, "\(reply.text)")
        return try #require(reply.id)
    }

    func setStatus(_ slug: String, _ ids: [String], _ status: String) async throws {
        try await TestDatabase.withClient { client in
            _ = try await client.query("UPDATE \(unescaped: "t_" + slug)._users SET status = \(status) WHERE id = ANY(\(ids)::uuid[])").collect()
        }
    }

    func owners(_ app: TestApp, _ admin: String, _ ids: [String]) async throws -> [String: String] {
        var out: [String: String] = [:]
        for id in ids { out[id] = try await app.call(.get, "/api/v1/data/lead/\(id)", key: admin).json?["owner_id"]?.stringValue }
        return out
    }

    func assignOnCreate(_ app: TestApp, _ admin: String, rule: JSONValue) async throws {
        let created = try await app.call(.post, "/api/v1/meta/assignment-rules", key: admin, json: rule)
        #expect(created.status == 201, "\(created.text)")
        let automation = try await app.call(
            .post, "/api/v1/meta/automations", key: admin,
            json: [
                "name": "route_leads", "entity": "lead", "trigger": ["on": "create"], "actions": [["type": "assign", "rule": rule["name"]!]],
            ])
        #expect(automation.status == 201, "\(automation.text)")
    }

    @Test("rules are metadata: checked when saved, referenced by automations, kept while in use; the seeds' weight is expressible")
    func metadata() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant()
            try await app.createEntity(admin, Self.lead)
            try await app.createEntity(admin, Self.deal)
            let bad = try await app.call(
                .post, "/api/v1/meta/assignment-rules", key: admin,
                json: [
                    "name": "Bad Name", "entity": "lead",
                    "routes": [["when": "record.source ==", "team": "East"], ["when": "true", "role": "ghost"]],
                    "pool": ["team": "A", "role": "B"], "strategy": "weighted", "weight": "user.nope * 2",
                    "figures": ["won30": ["entity": "ghost"], "load": ["entity": "lead", "where": "record.city"]],
                ])
            let fields = Set(bad.expectError(422)?["details"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
            #expect(
                fields.isSuperset(of: ["name", "routes[0].when", "routes[1].role", "pool", "weight", "figures.won30.entity", "figures.load.where"]),
                "\(bad.text)")
            try await app.call(.post, "/api/v1/meta/assignment-rules", key: admin, json: ["name": "nothing", "entity": "lead"]).expectError(422)
            try await app.call(
                .post, "/api/v1/meta/assignment-rules", key: admin, json: ["name": "x", "entity": "lead", "pool": ["users": ["not-an-email"]]]
            ).expectError(422)
            let seeds: JSONValue = [
                "name": "weighted_leads", "entity": "lead", "pool": ["team": "East"], "strategy": "weighted",
                "weight": "0.3 * user.won30 + 0.7 * user.load",
                "figures": [
                    "won30": ["entity": "deal", "where": "record.won == true && record.won_at > now() - duration('30d')"],
                    "load": ["entity": "lead", "where": "record.open == true"],
                ],
            ]
            let created = try await app.call(.post, "/api/v1/meta/assignment-rules", key: admin, json: seeds)
            #expect(created.status == 201 && created.json?["weight"] == "0.3 * user.won30 + 0.7 * user.load", "\(created.text)")
            try await app.call(.post, "/api/v1/meta/assignment-rules", key: admin, json: seeds).expectError(409)
            // Automations name rules that exist and assign their own entity.
            try await app.call(
                .post, "/api/v1/meta/automations", key: admin,
                json: [
                    "name": "a", "entity": "lead", "trigger": ["on": "create"], "actions": [["type": "assign", "rule": "ghost"]],
                ]
            ).expectError(422)
            try await app.call(
                .post, "/api/v1/meta/automations", key: admin,
                json: [
                    "name": "a", "entity": "deal", "trigger": ["on": "create"], "actions": [["type": "assign", "rule": "weighted_leads"]],
                ]
            ).expectError(422)
            #expect(
                try await app.call(
                    .post, "/api/v1/meta/automations", key: admin,
                    json: [
                        "name": "a", "entity": "lead", "trigger": ["on": "create"], "actions": [["type": "assign", "rule": "weighted_leads"]],
                    ]
                ).status == 201)
            try await app.call(.delete, "/api/v1/meta/assignment-rules/weighted_leads", key: admin).expectError(409, "rule_in_use")
            // A field a figure counts by cannot be dropped while the rule uses it.
            try await app.call(.delete, "/api/v1/meta/entities/deal/fields/won_at", key: admin).expectError(422)
            let (_, rep) = try await app.makeUser(admin, roles: [])
            try await app.call(.post, "/api/v1/meta/assignment-rules", key: rep, json: seeds).expectError(403)
            try await app.call(.get, "/api/v1/meta/assignment-rules/weighted_leads/standings", key: rep).expectError(403)
            let patched = try await app.call(
                .patch, "/api/v1/meta/assignment-rules/weighted_leads", key: admin, json: ["strategy": "round_robin", "weight": nil])
            #expect(patched.status == 200 && patched.json?["strategy"] == "round_robin", "\(patched.text)")
            #expect(try await app.call(.delete, "/api/v1/meta/automations/a", key: admin).status == 204)
            #expect(try await app.call(.delete, "/api/v1/meta/assignment-rules/weighted_leads", key: admin).status == 204)
            let log = try await app.call(.get, "/api/v1/meta/log", key: admin).data.compactMap { $0["action"]?.stringValue }
            #expect(log.contains("assignment_rule.create") && log.contains("assignment_rule.delete"))
        }
    }

    @Test("round robin under 60 concurrent creates: 20 each, nobody skipped, frozen and disabled people left out")
    func concurrentRoundRobin() async throws {
        try await TestApp.run { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            try await app.createEntity(admin, Self.lead)
            let east = try await team(app, admin, "East")
            var reps: [String] = []
            for i in 0..<3 { reps.append(try await app.makeUser(admin, name: "Rep \(i)", roles: [], team: east).id) }
            let frozen = try await app.makeUser(admin, name: "Frozen", roles: [], team: east).id
            let disabled = try await app.makeUser(admin, name: "Gone", roles: [], team: east).id
            try await setStatus(slug, [frozen], "frozen")
            try await setStatus(slug, [disabled], "disabled")
            try await assignOnCreate(app, admin, rule: ["name": "east_rr", "entity": "lead", "pool": ["team": "east"]])
            let ids = try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in 0..<10 {
                    group.addTask {
                        var made: [String] = []
                        for i in 0..<6 {
                            made.append(try await app.create(admin, "lead", ["title": .string("lead \(worker)-\(i)")])["id"]?.stringValue ?? "")
                        }
                        return made
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(ids.count == 60)
            try await eventually("every lead assigned") {
                try await owners(app, admin, ids).values.allSatisfy(reps.contains)
            }
            let counts = Dictionary(grouping: try await owners(app, admin, ids).values, by: { $0 }).mapValues(\.count)
            #expect(counts == Dictionary(uniqueKeysWithValues: reps.map { ($0, 20) }), "\(counts)")
            let standings = try await app.call(.get, "/api/v1/meta/assignment-rules/east_rr/standings", key: admin).data
            #expect(Set(standings.compactMap { $0["user_id"]?.stringValue }) == Set(reps))
            #expect(standings.allSatisfy { $0["assigned"] == 20 }, "\(standings)")
            // Each assignment is in the record's history, made by the automation.
            let history = try await app.call(.get, "/api/v1/data/lead/\(ids[0])/history", key: admin).data
            #expect(history.contains { $0["via"] == "automation:route_leads" })
        }
    }

    @Test("weighted by a figure: shares follow the weights (wins in the last 30 days)")
    func weighted() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant()
            try await app.createEntity(admin, Self.lead)
            try await app.createEntity(admin, Self.deal)
            let team = try await team(app, admin, "Closers")
            var reps: [(id: String, key: String)] = []
            for i in 0..<3 { reps.append(try await app.makeUser(admin, name: "Closer \(i)", roles: ["admin"], team: team)) }
            let recent = JSONValue.string(Date().addingTimeInterval(-5 * 86_400).formatted(.iso8601))
            let old = JSONValue.string(Date().addingTimeInterval(-40 * 86_400).formatted(.iso8601))
            for (i, rep) in reps.enumerated() {
                for _ in 0...i { _ = try await app.create(rep.key, "deal", ["title": "won", "won": true, "won_at": recent]) }
                // Neither an old win nor an open deal counts.
                _ = try await app.create(rep.key, "deal", ["title": "old", "won": true, "won_at": old])
                _ = try await app.create(rep.key, "deal", ["title": "open", "won": false])
            }
            try await assignOnCreate(
                app, admin,
                rule: [
                    "name": "by_wins", "entity": "lead", "pool": ["team": "Closers"], "strategy": "weighted", "weight": "user.won30",
                    "figures": ["won30": ["entity": "deal", "where": "record.won == true && record.won_at > now() - duration('30d')"]],
                ])
            var ids: [String] = []
            for i in 0..<60 { ids.append(try #require(try await app.create(admin, "lead", ["title": .string("lead \(i)")])["id"]?.stringValue)) }
            try await eventually("every lead assigned") {
                try await owners(app, admin, ids).values.allSatisfy { owner in reps.contains { $0.id == owner } }
            }
            let counts = Dictionary(grouping: try await owners(app, admin, ids).values, by: { $0 }).mapValues(\.count)
            #expect(counts[reps[0].id] == 10 && counts[reps[1].id] == 20 && counts[reps[2].id] == 30, "\(counts)")
        }
    }

    @Test(
        """
        routes by source and industry, then city, then the pool; a frozen team falls to the pool, then the fallback; nobody at all leaves the \
        lead queued
        """
    )
    func routing() async throws {
        try await TestApp.run { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            try await app.createEntity(admin, Self.lead)
            let keyAccounts = try await team(app, admin, "East key accounts")
            let shanghai = try await team(app, admin, "Shanghai")
            let ka = try await app.makeUser(admin, name: "KA", roles: [], team: keyAccounts).id
            let sh = try await app.makeUser(admin, name: "SH", roles: [], team: shanghai).id
            let poolEmail = "pool-\(UUID().uuidString.prefix(6).lowercased())@example.com"
            let queueEmail = "queue-\(UUID().uuidString.prefix(6).lowercased())@example.com"
            let pool = try await app.makeUser(admin, name: "Pool", roles: [], email: poolEmail).id
            let queue = try await app.makeUser(admin, name: "Queue", roles: [], email: queueEmail).id
            try await assignOnCreate(
                app, admin,
                rule: [
                    "name": "routing", "entity": "lead",
                    "routes": [
                        ["when": "record.source == 'douyin' && record.industry == 'auto'", "team": "East key accounts"],
                        ["when": "record.city == '上海'", "team": "Shanghai"],
                    ],
                    "pool": ["users": [.string(poolEmail)]], "fallback": ["users": [.string(queueEmail)]],
                ])
            func assigned(_ body: JSONValue) async throws -> String? {
                let id = try #require(try await app.create(admin, "lead", body)["id"]?.stringValue)
                var owner: String?
                try await eventually("the lead routed") {
                    let runs = try await app.call(.get, "/api/v1/automation-runs?automation=route_leads&record=\(id)", key: admin).data
                    owner = try await app.call(.get, "/api/v1/data/lead/\(id)", key: admin).json?["owner_id"]?.stringValue
                    return !runs.isEmpty
                }
                return owner
            }
            #expect(try await assigned(["title": "a", "source": "douyin", "industry": "auto", "city": "上海"]) == ka)
            #expect(try await assigned(["title": "b", "source": "douyin", "industry": "medical", "city": "上海"]) == sh)
            #expect(try await assigned(["title": "c", "source": "web", "city": "杭州"]) == pool)
            // The key-account team's only member is frozen: its leads go to the general pool; with
            // the pool gone too, to the fallback queue.
            try await setStatus(slug, [ka], "frozen")
            #expect(try await assigned(["title": "d", "source": "douyin", "industry": "auto"]) == pool)
            try await setStatus(slug, [pool], "disabled")
            #expect(try await assigned(["title": "d2", "source": "douyin", "industry": "auto"]) == queue)
            // Nobody anywhere: the lead stays with its creator and the run says it was queued.
            try await setStatus(slug, [queue], "disabled")
            let me = try await app.call(.get, "/api/v1/me", key: admin).json?["user"]?["id"]?.stringValue
            let stuck = try await assigned(["title": "e", "source": "douyin", "industry": "auto"])
            #expect(stuck == me && stuck != nil)
            let runs = try await app.call(.get, "/api/v1/automation-runs?automation=route_leads", key: admin).data
            let sources = runs.compactMap { $0["detail"]?["actions"]?.arrayValue?.first?["source"]?.stringValue }
            #expect(Set(sources) == ["routes[0]", "routes[1]", "pool", "fallback", "queue"], "\(sources)")
        }
    }
}
