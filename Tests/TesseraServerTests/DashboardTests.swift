import Foundation
import TesseraCore
import TesseraTestSupport
import Testing

/// Dashboards (issue 15, part 3 without the SVG charts) and the health score: metadata checked
/// when saved, offered by role, and every widget's data in one answer, each as its own API call
/// would answer the caller.
@Suite("Dashboards")
struct DashboardTests {
    static let health: JSONValue = [
        "entity": "deal",
        "parts": [
            [
                "name": "on_time", "label": ["zh-CN": "阶段按时更新", "en": "Stages updated on time"], "weight": 0.6, "target": 0.95,
                "on_time": ["within": ["lead": "12h", "qualified": "24h"], "otherwise": "48h"],
            ],
            ["name": "complete", "label": ["en": "Tags complete"], "weight": 0.4, "target": 0.9, "completeness": ["name", "secret"]],
        ],
        "thresholds": [
            ["min": 90, "color": "#22c55e", "label": ["en": "Healthy"]], ["min": 50, "color": "#f59e0b", "label": ["en": "Watch"]],
            ["min": 0, "color": "#ef4444", "label": ["en": "At risk"]],
        ],
    ]

    static let board: JSONValue = [
        "name": "director", "label": ["zh-CN": "总监看板", "en": "Director"], "roles": ["rep"],
        "widgets": [
            ["name": "by_stage", "kind": "bar", "aggregate": ["entity": "deal", "query": "group=stage&metrics=count"]],
            ["name": "funnel", "kind": "funnel", "funnel": ["entity": "deal", "query": ""]],
            ["name": "dwell", "kind": "table", "dwell": ["entity": "deal", "query": "stuck=72h"]],
            ["name": "all_deals", "kind": "table", "view": "all_deals"],
            ["name": "health", "kind": "health", "health": health],
            [
                "name": "this_month", "kind": "number", "aggregate": ["entity": "deal", "query": "metrics=count"], "period": "this_month",
                "period_field": "created_at",
            ],
        ],
    ]

    static func setUp(_ app: TestApp) async throws -> StageMetricsTests.Fixture {
        let f = try await StageMetricsTests.fixture(app)
        let view: JSONValue = ["name": "all_deals", "entity": "deal", "type": "list", "columns": ["name", "stage"], "shared": true]
        #expect(try await app.call(.post, "/api/v1/meta/views", key: f.admin, json: view).status == 201)
        for name in ["r1", "r2"] {
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(f.ids[name]!)", key: f.admin, json: ["secret": "x"]).status == 200)
        }
        return f
    }

    @Test("dashboards are checked when saved (one 422 naming every problem), changed only by those who manage metadata, offered by role")
    func metadata() async throws {
        try await TestApp.run { app in
            let f = try await Self.setUp(app)
            try await app.call(.post, "/api/v1/meta/dashboards", key: f.rep.key, json: Self.board).expectError(403)
            let created = try await app.call(.post, "/api/v1/meta/dashboards", key: f.admin, json: Self.board)
            #expect(created.status == 201, "\(created.text)")
            try await app.call(.post, "/api/v1/meta/dashboards", key: f.admin, json: Self.board).expectError(409)
            let bad: JSONValue = [
                "name": "bad", "roles": ["ghost"],
                "widgets": [
                    ["name": "a", "kind": "bar", "aggregate": ["entity": "ghost", "query": ""]],
                    ["name": "b", "kind": "bar", "aggregate": ["entity": "deal", "query": "metrics=sum(name)"]],
                    ["name": "c", "kind": "funnel", "aggregate": ["entity": "deal", "query": ""]],
                    ["name": "d", "kind": "table", "view": "all_deals", "period": "this_month"],
                    ["name": "e", "kind": "number", "aggregate": ["entity": "deal", "query": ""], "period": "someday"],
                    ["name": "f", "kind": "number", "aggregate": ["entity": "deal", "query": ""], "period": "last_7_days"],
                    [
                        "name": "g", "kind": "health",
                        "health": [
                            "entity": "deal",
                            "parts": [
                                ["name": "x", "weight": 0.5, "on_time": ["within": ["nowhere": "1h"]]],
                                ["name": "y", "weight": 0.2, "completeness": ["ghost"]],
                            ],
                            "thresholds": [["min": 0, "color": "red"]],
                        ],
                    ],
                    ["name": "a", "kind": "table", "view": "ghost"], ["name": "h", "kind": "bar"],
                ],
            ]
            let refused = try await app.call(.post, "/api/v1/meta/dashboards", key: f.admin, json: bad)
            refused.expectError(422)
            let fields = Set((refused.json?["error"]?["details"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue })
            for field in [
                "roles[0]", "widgets[0].aggregate.entity", "widgets[1].aggregate.query.metrics", "widgets[2]", "widgets[3].period",
                "widgets[4].period",
                "widgets[5].period_field", "widgets[6].health.parts[0].on_time.within.nowhere", "widgets[6].health.parts[1].completeness",
                "widgets[6].health.parts", "widgets[6].health.thresholds", "widgets[7].view", "widgets[7].name", "widgets[8]",
            ] {
                #expect(fields.contains(field), "\(field) not in \(fields)")
            }
            // Offered by role: the rep (role rep) sees it, another role does not; admins see every one.
            let other = try await app.call(
                .post, "/api/v1/meta/roles", key: f.admin, json: ["name": "viewer", "permissions": ["deal": ["read": "all"]]])
            #expect(other.status == 201, "\(other.text)")
            let viewer = try await app.makeUser(f.admin, roles: ["viewer"])
            #expect(try await app.call(.get, "/api/v1/meta/dashboards", key: f.rep.key).data.count == 1)
            #expect(try await app.call(.get, "/api/v1/meta/dashboards", key: viewer.key).data.isEmpty)
            try await app.call(.get, "/api/v1/meta/dashboards/director", key: viewer.key).expectError(404)
            try await app.call(.get, "/api/v1/dashboards/director/data", key: viewer.key).expectError(404)
            // An edit is checked like a create; a view a dashboard shows cannot be deleted under it.
            try await app.call(.patch, "/api/v1/meta/dashboards/director", key: f.admin, json: ["widgets": []]).expectError(422)
            let renamed = try await app.call(.patch, "/api/v1/meta/dashboards/director", key: f.admin, json: ["label": ["en": "Board"]])
            #expect(renamed.status == 200 && renamed.json?["label"] == ["en": "Board"], "\(renamed.text)")
            try await app.call(.delete, "/api/v1/meta/views/all_deals", key: f.admin).expectError(422)
            #expect(try await app.call(.delete, "/api/v1/meta/dashboards/director", key: f.admin).status == 204)
            try await app.call(.get, "/api/v1/meta/dashboards/director", key: f.admin).expectError(404)
        }
    }

    @Test("a personal dashboard is its author's alone: anyone makes one, nobody else sees it, two people may use one name")
    func personal() async throws {
        try await TestApp.run { app in
            let f = try await Self.setUp(app)
            let mine: JSONValue = [
                "name": "mine", "personal": true,
                "widgets": [["name": "count", "kind": "number", "aggregate": ["entity": "deal", "query": "metrics=count"]]],
            ]
            let created = try await app.call(.post, "/api/v1/meta/dashboards", key: f.rep.key, json: mine)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json?["owner"]?.stringValue == f.rep.id)
            // Shared ones need manage_metadata; the owner is the credential's; a personal one lists no roles.
            try await app.call(.post, "/api/v1/meta/dashboards", key: f.rep.key, json: mine.setting("personal", false)).expectError(403)
            try await app.call(.post, "/api/v1/meta/dashboards", key: f.rep.key, json: mine.setting("owner", .string(f.rep.id))).expectError(422)
            try await app.call(.post, "/api/v1/meta/dashboards", key: f.rep.key, json: mine.setting("name", "x").setting("roles", ["rep"]))
                .expectError(422)
            try await app.call(.post, "/api/v1/meta/dashboards", key: f.rep.key, json: mine).expectError(409)
            // Nobody else sees it, not even an admin; the admin may have a "mine" of their own.
            #expect(try await app.call(.get, "/api/v1/meta/dashboards", key: f.admin).data.isEmpty)
            try await app.call(.get, "/api/v1/meta/dashboards/mine", key: f.admin).expectError(404)
            try await app.call(.get, "/api/v1/dashboards/mine/data", key: f.admin).expectError(404)
            #expect(try await app.call(.post, "/api/v1/meta/dashboards", key: f.admin, json: mine).status == 201)
            // Its data is the author's: their scope holds one deal.
            let data = try await app.call(.get, "/api/v1/dashboards/mine/data", key: f.rep.key)
            #expect(data.json?["widgets"]?.arrayValue?.first?["data"]?["data"]?.arrayValue?.first?["count"]?.intValue == 1, "\(data.text)")
            #expect(
                try await app.call(.get, "/api/v1/dashboards/mine/data", key: f.admin).json?["widgets"]?.arrayValue?.first?["data"]?["data"]?
                    .arrayValue?.first?["count"]?.intValue == 5)
            let renamed = try await app.call(.patch, "/api/v1/meta/dashboards/mine", key: f.rep.key, json: ["label": ["en": "Mine"]])
            #expect(renamed.status == 200 && renamed.json?["owner"]?.stringValue == f.rep.id, "\(renamed.text)")
            #expect(try await app.call(.delete, "/api/v1/meta/dashboards/mine", key: f.rep.key).status == 204)
            #expect(try await app.call(.get, "/api/v1/meta/dashboards/mine", key: f.admin).json?["owner"] != nil)
            try await app.call(.get, "/api/v1/meta/dashboards/mine", key: f.rep.key).expectError(404)
        }
    }

    @Test("a dashboard's data: every widget in one answer as its own call would give it; the health score on a known history")
    func data() async throws {
        try await TestApp.run { app in
            let f = try await Self.setUp(app)
            #expect(try await app.call(.post, "/api/v1/meta/dashboards", key: f.admin, json: Self.board).status == 201)
            let reply = try await app.call(.get, "/api/v1/dashboards/director/data", key: f.admin)
            #expect(reply.status == 200, "\(reply.text)")
            let widgets = reply.json?["widgets"]?.arrayValue ?? []
            #expect(widgets.compactMap { $0["name"]?.stringValue } == ["by_stage", "funnel", "dwell", "all_deals", "health", "this_month"])
            func widget(_ name: String) -> JSONValue? { widgets.first { $0["name"]?.stringValue == name } }
            // Each is what its own route answers.
            let aggregate = try await app.call(.get, "/api/v1/data/deal/aggregate?group=stage&metrics=count", key: f.admin).json
            #expect(widget("by_stage")?["data"] == aggregate)
            let funnel = try await app.call(.get, "/api/v1/metrics/funnel?entity=deal", key: f.admin).json
            #expect(widget("funnel")?["data"]?["stages"] == funnel?["stages"])
            #expect(widget("dwell")?["data"]?["top_stuck"] == ["lead", "qualified"])
            #expect(widget("all_deals")?["data"]?["data"]?.arrayValue?.count == 5, "\(widget("all_deals") ?? .null)")
            #expect(widget("this_month")?["period"]?["from"]?.stringValue?.hasSuffix("-01") == true)
            #expect(widget("this_month")?["data"]?["data"]?.arrayValue?.first?["count"]?.intValue == 5)
            // On time: lead 3 of 5 stays within 12 h, qualified 2 of 3 within 24 h, quote 1 of 1 within 48 h
            // (won is final): 6 of 9. Complete (name and secret): 2 of 5. Score 0.6 × 6/9 + 0.4 × 2/5 = 56 %.
            let health = widget("health")?["data"]
            let parts = health?["parts"]?.arrayValue ?? []
            #expect(parts.first?["hits"]?.intValue == 6 && parts.first?["counted"]?.intValue == 9, "\(health ?? .null)")
            #expect(parts.last?["hits"]?.intValue == 2 && parts.last?["counted"]?.intValue == 5)
            #expect(parts.first?["met"] == false && health?["score"]?.doubleValue == 56)
            #expect(health?["color"] == "#f59e0b" && health?["level"] == ["en": "Watch"])
            // The rep: their scope (r5 only) throughout; a widget reading a field they cannot see fails alone.
            var mixed = Self.board
            if case .object(var m) = mixed {
                m = m.map { $0.0 == "name" ? ("name", "rep_board") : $0 }
                m = m.map {
                    $0.0 == "widgets"
                        ? (
                            "widgets",
                            .array(
                                (Self.board["widgets"]?.arrayValue ?? []) + [
                                    [
                                        "name": "secret_sum", "kind": "number",
                                        "aggregate": ["entity": "deal", "query": "metrics=count_distinct(secret)"],
                                    ]
                                ])
                        )
                        : $0
                }
                mixed = .object(m)
            }
            #expect(try await app.call(.post, "/api/v1/meta/dashboards", key: f.admin, json: mixed).status == 201)
            let repReply = try await app.call(.get, "/api/v1/dashboards/rep_board/data", key: f.rep.key)
            #expect(repReply.status == 200, "\(repReply.text)")
            let repWidgets = repReply.json?["widgets"]?.arrayValue ?? []
            #expect(repWidgets.first { $0["name"] == "secret_sum" }?["error"]?["code"] == "forbidden")
            #expect(repWidgets.first { $0["name"] == "by_stage" }?["data"]?["data"]?.arrayValue?.first?["count"]?.intValue == 1)
            #expect(repWidgets.first { $0["name"] == "health" }?["error"]?["code"] == "forbidden", "the completeness part reads secret")
        }
    }

    @Test("the sales pack's boards: the director's, the supervisor's and finance's answer every widget for their roles")
    func salesPack() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant(packs: ["sales"])
            let director = try await app.makeUser(admin, name: "总监", roles: ["sales_director"])
            let supervisor = try await app.makeUser(admin, name: "主管", roles: ["sales_supervisor"])
            let finance = try await app.makeUser(admin, name: "财务", roles: ["finance"])
            let rep = try await app.makeUser(admin, name: "销售", roles: ["sales_rep"], manager: supervisor.id)
            _ = try await app.create(
                rep.key, "lead",
                [
                    "company": "杭州某医疗器械有限公司", "contact_name": "王经理", "phone": "13900000000", "source_channel": "field_prospecting",
                    "industry": "medical", "estimated_amount": 1_200_000,
                ])
            // One opportunity, just created (on time), without a source channel (not complete).
            let customer = try #require(try await app.create(rep.key, "customer", ["name": "宁波精工"])["id"])
            _ = try await app.create(
                rep.key, "opportunity", ["name": "产线改造", "customer": customer, "amount": 300_000, "expected_close_date": "2027-03-31"])
            let names = try await app.call(.get, "/api/v1/meta/dashboards", key: director.key).data.compactMap { $0["name"]?.stringValue }
            #expect(Set(names) == ["director", "supervisor", "finance"])
            #expect(try await app.call(.get, "/api/v1/meta/dashboards", key: rep.key).data.isEmpty)
            for (key, board) in [(director.key, "director"), (supervisor.key, "supervisor"), (finance.key, "finance")] {
                let reply = try await app.call(.get, "/api/v1/dashboards/\(board)/data", key: key)
                #expect(reply.status == 200, "\(board): \(reply.text)")
                let widgets = reply.json?["widgets"]?.arrayValue ?? []
                #expect(widgets.count >= 3, "\(board): \(reply.text)")
                for widget in widgets {
                    #expect(widget["error"] == nil && widget["data"] != nil, "\(board).\(widget["name"] ?? .null): \(widget)")
                }
            }
            let board = try await app.call(.get, "/api/v1/dashboards/director/data", key: director.key).json
            let widgets: [JSONValue] = board?["widgets"]?.arrayValue ?? []
            let heatmap: JSONValue? = widgets.first { $0["name"] == "heatmap" }
            let heat: JSONValue? = heatmap?["data"]?["data"]?.arrayValue?.first
            #expect(heat?["industry"] == "medical", "\(heat ?? .null)")
            #expect(heat?["estimated_amount"] == ">=1000000" && heat?["count"]?.intValue == 1)
            let health: JSONValue? = widgets.first { $0["name"] == "health" }
            // Stages on time 1 of 1 (weight 0.6), tags complete 0 of 1 (0.4): 60 %, below "watch" (75).
            #expect(health?["data"]?["score"]?.doubleValue == 60 && health?["data"]?["color"] == "#ef4444", "\(health ?? .null)")
        }
    }
}
