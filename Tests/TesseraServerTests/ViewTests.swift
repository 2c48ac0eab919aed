import Foundation
import TesseraCore
import Testing

/// A tenant with one deal entity (a stage, amounts, dates), a rep who sees only their own deals
/// and not their cost, and deals owned by two reps.
struct ViewFixture {
    let app: TestApp
    let admin: String
    let rep: (id: String, key: String)
    let other: (id: String, key: String)

    static let deal: JSONValue = [
        "name": "deal",
        "fields": [
            ["name": "name", "type": "text", "required": true],
            [
                "name": "stage", "type": "select",
                "options": [
                    ["key": "new", "label": ["en": "New", "zh-CN": "新建"]], ["key": "qualified", "label": ["en": "Qualified"]],
                    ["key": "won", "label": ["en": "Won"]],
                ],
            ],
            ["name": "amount", "type": "money"],
            ["name": "cost", "type": "money"],
            ["name": "note", "type": "long_text"],
            ["name": "tags", "type": "multi_select", "options": [["key": "a", "label": ["en": "A"]]]],
            ["name": "close_on", "type": "date"],
            ["name": "starts_at", "type": "datetime"],
            ["name": "ends_at", "type": "datetime"],
            ["name": "helper", "type": "user"],
        ],
    ]

    static func make(_ app: TestApp) async throws -> ViewFixture {
        let admin = try await app.createTenant()
        try await app.createEntity(admin, deal)
        let role: JSONValue = [
            "name": "rep",
            "permissions": ["deal": ["create": "own", "read": "own", "update": "own", "delete": "own", "fields": ["cost": "none"]]],
        ]
        #expect(try await app.call(.post, "/api/v1/meta/roles", key: admin, json: role).status == 201)
        let rep = try await app.makeUser(admin, name: "Rep One", roles: ["rep"])
        let other = try await app.makeUser(admin, name: "Rep Two", roles: ["rep"])
        return ViewFixture(app: app, admin: admin, rep: rep, other: other)
    }

    /// A deal owned by `owner`, created by the admin.
    @discardableResult
    func deal(_ name: String, owner: String, stage: String? = "new", amount: Int = 100, extra: [(String, JSONValue)] = []) async throws -> String {
        var body: [(String, JSONValue)] = [
            ("name", .string(name)), ("owner_id", .string(owner)), ("amount", .number(amount)), ("cost", .number(amount / 2)),
        ]
        if let stage { body.append(("stage", .string(stage))) }
        return try #require(try await app.create(admin, "deal", .object(body + extra))["id"]?.stringValue)
    }

    /// Creates a view with the admin key (or `key`) and expects `status`.
    @discardableResult
    func view(
        _ json: JSONValue, key: String? = nil, status: Int = 201, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws
        -> TestApp.Reply
    {
        let reply = try await app.call(.post, "/api/v1/meta/views", key: key ?? admin, json: json)
        #expect(reply.status == status, "view: \(reply.text)", sourceLocation: sourceLocation)
        return reply
    }

    func names(_ rows: [JSONValue]) -> [String] { rows.compactMap { $0["name"]?.stringValue } }
}

@Suite("Views")
struct ViewTests {
    @Test("a list view: its filter AND the caller's filters AND their scope, only its visible columns, sorted and paged")
    func listView() async throws {
        try await TestApp.run { app in
            let f = try await ViewFixture.make(app)
            try await f.deal("r1-big", owner: f.rep.id, amount: 5000)
            try await f.deal("r1-mid", owner: f.rep.id, stage: "qualified", amount: 2000)
            try await f.deal("r1-small", owner: f.rep.id, amount: 10)
            try await f.deal("r2-big", owner: f.other.id, amount: 9000)
            try await f.view([
                "name": "big_deals", "entity": "deal", "type": "list", "shared": true, "label": ["zh-CN": "大单", "en": "Big deals"],
                "columns": [["field": "name", "width": 220], "amount", "cost"], "filter": "record.amount >= 1000",
                "sort": [["field": "amount", "dir": "desc"]], "page_size": 1,
            ])
            // The admin sees every big deal; the rep only their own, even through a shared view.
            let all = try await app.call(.get, "/api/v1/views/big_deals/data?limit=10", key: f.admin)
            #expect(all.status == 200, "\(all.text)")
            #expect(f.names(all.data) == ["r2-big", "r1-big", "r1-mid"])
            let mine = try await app.call(.get, "/api/v1/views/big_deals/data", key: f.rep.key)
            #expect(f.names(mine.data) == ["r1-big"], "\(mine.text)")
            // Hidden fields never appear: not in the rows, not among the columns.
            #expect(mine.data[0]["cost"] == nil && mine.data[0]["amount"] != nil && mine.data[0]["id"] != nil)
            #expect(mine.data[0]["stage"] == nil, "only the view's columns come back")
            #expect(mine.json?["view"]?["columns"]?.arrayValue?.compactMap { $0["field"]?.stringValue } == ["name", "amount"])
            #expect(mine.json?["view"]?["columns"]?.arrayValue?.first?["width"]?.intValue == 220)
            #expect(all.json?["view"]?["columns"]?.arrayValue?.count == 3)
            // page_size and the cursor page through the rest.
            let next = try #require(mine.json?["next_cursor"]?.stringValue)
            let second = try await app.call(.get, "/api/v1/views/big_deals/data?cursor=\(next)", key: f.rep.key)
            #expect(f.names(second.data) == ["r1-mid"] && second.json?["next_cursor"] == .null, "\(second.text)")
            // The caller's own filters narrow the view further; `where=` too.
            let narrowed = try await app.call(.get, "/api/v1/views/big_deals/data?stage=eq.qualified&limit=10", key: f.rep.key)
            #expect(f.names(narrowed.data) == ["r1-mid"])
            let whereNarrowed = try await app.call(.get, "/api/v1/views/big_deals/data?limit=10&where=record.amount%20%3E%203000", key: f.admin)
            #expect(f.names(whereNarrowed.data) == ["r2-big", "r1-big"])
            // A filter on a hidden field is refused, not silently dropped.
            try await app.call(.get, "/api/v1/views/big_deals/data?cost=gt.1", key: f.rep.key).expectError(400, "invalid_query")
            // "my deals" with user and the PostgREST grammar.
            try await f.view([
                "name": "my_new", "entity": "deal", "type": "list", "shared": true, "columns": ["name"],
                "filter": "record.owner_id == user.id", "filters": ["stage": "eq.new"], "sort": [["field": "name"]],
            ])
            #expect(f.names(try await app.call(.get, "/api/v1/views/my_new/data", key: f.rep.key).data) == ["r1-big", "r1-small"])
            #expect(f.names(try await app.call(.get, "/api/v1/views/my_new/data", key: f.other.key).data) == ["r2-big"])
            #expect(try await app.call(.get, "/api/v1/views/my_new/data", key: f.admin).data.isEmpty)
            try await app.call(.get, "/api/v1/views/nope/data", key: f.rep.key).expectError(404)
        }
    }

    @Test("a view that filters by a field the caller cannot see is refused to them")
    func hiddenFilter() async throws {
        try await TestApp.run { app in
            let f = try await ViewFixture.make(app)
            try await f.deal("cheap", owner: f.rep.id, amount: 100)
            try await f.view([
                "name": "low_cost", "entity": "deal", "type": "list", "shared": true, "columns": ["name"], "filter": "record.cost < 100",
            ])
            try await f.view([
                "name": "by_cost", "entity": "deal", "type": "list", "shared": true, "columns": ["name"], "sort": [["field": "cost"]],
            ])
            #expect(try await app.call(.get, "/api/v1/views/low_cost/data", key: f.admin).data.count == 1)
            let refused = try await app.call(.get, "/api/v1/views/low_cost/data", key: f.rep.key).expectError(403, "forbidden")
            #expect(refused?["message"]?.stringValue?.contains("cost") == true)
            try await app.call(.get, "/api/v1/views/by_cost/data", key: f.rep.key).expectError(403, "forbidden")
        }
    }

    @Test("a kanban board: one lane per option in option order plus the empty lane, counts, sums and pages; lanes follow reorder and relabel")
    func kanban() async throws {
        try await TestApp.run { app in
            let f = try await ViewFixture.make(app)
            try await f.deal("a", owner: f.rep.id, stage: "new", amount: 100)
            try await f.deal("b", owner: f.rep.id, stage: "new", amount: 250)
            let c = try await f.deal("c", owner: f.rep.id, stage: "won", amount: 1000)
            try await f.deal("d", owner: f.rep.id, stage: nil, amount: 5)
            try await f.deal("x", owner: f.other.id, stage: "qualified", amount: 7000)
            try await f.view([
                "name": "board", "entity": "deal", "type": "kanban", "shared": true, "lanes": "stage", "card": ["name", "amount"],
                "aggregate": ["fn": "sum", "field": "amount"], "sort": [["field": "name"]], "page_size": 1,
            ])
            let board = try await app.call(.get, "/api/v1/views/board/data", key: f.rep.key)
            #expect(board.status == 200, "\(board.text)")
            let lanes = try #require(board.json?["lanes"]?.arrayValue)
            #expect(lanes.map { $0["key"]?.stringValue ?? "-" } == ["new", "qualified", "won", "-"])
            #expect(lanes.map { $0["count"]?.intValue ?? -1 } == [2, 0, 1, 1], "the rep's own deals only: \(board.text)")
            #expect(lanes[0]["sum_amount"]?.doubleValue == 350 && lanes[1]["sum_amount"] == .null)
            #expect(lanes[0]["label"]?["zh-CN"]?.stringValue == "新建")
            #expect(f.names(lanes[0]["data"]?.arrayValue ?? []) == ["a"])
            // One lane, paged.
            let cursor = try #require(lanes[0]["next_cursor"]?.stringValue)
            let page = try await app.call(.get, "/api/v1/views/board/data?lane=new&cursor=\(cursor)", key: f.rep.key)
            let only = try #require(page.json?["lanes"]?.arrayValue)
            #expect(only.count == 1 && f.names(only[0]["data"]?.arrayValue ?? []) == ["b"], "\(page.text)")
            let empty = try await app.call(.get, "/api/v1/views/board/data?lane=", key: f.rep.key)
            #expect(f.names(empty.json?["lanes"]?.arrayValue?.first?["data"]?.arrayValue ?? []) == ["d"], "\(empty.text)")
            try await app.call(.get, "/api/v1/views/board/data?lane=lost", key: f.rep.key).expectError(400, "invalid_query")
            // Moving a card is a PATCH of the lane field.
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(c)", key: f.rep.key, json: ["stage": "new"]).status == 200)
            let moved = try #require(try await app.call(.get, "/api/v1/views/board/data", key: f.rep.key).json?["lanes"]?.arrayValue)
            #expect(moved.map { $0["count"]?.intValue ?? -1 } == [3, 0, 0, 1])
            // Reordered and relabelled options reorder and relabel the lanes.
            let options: JSONValue = [
                "options": [
                    ["key": "won", "label": ["en": "Closed won"]], ["key": "new", "label": ["en": "New"]],
                    ["key": "qualified", "label": ["en": "Qualified"]],
                ]
            ]
            let patched = try await app.call(.patch, "/api/v1/meta/entities/deal/fields/stage", key: f.admin, json: options)
            #expect(patched.status == 200, "\(patched.text)")
            let after = try #require(try await app.call(.get, "/api/v1/views/board/data", key: f.rep.key).json?["lanes"]?.arrayValue)
            #expect(after.map { $0["key"]?.stringValue ?? "-" } == ["won", "new", "qualified", "-"])
            #expect(after[0]["label"]?["en"]?.stringValue == "Closed won")
        }
    }

    @Test("a kanban board by a user field has a lane per user the rows name")
    func userLanes() async throws {
        try await TestApp.run { app in
            let f = try await ViewFixture.make(app)
            try await f.deal("a", owner: f.rep.id)
            try await f.deal("b", owner: f.rep.id)
            try await f.deal("c", owner: f.other.id)
            try await f.view(["name": "by_owner", "entity": "deal", "type": "kanban", "shared": true, "lanes": "owner_id", "card": ["name"]])
            let lanes = try #require(try await app.call(.get, "/api/v1/views/by_owner/data", key: f.admin).json?["lanes"]?.arrayValue)
            #expect(lanes.map { $0["key"]?.stringValue ?? "-" } == [f.rep.id, f.other.id, "-"])
            #expect(lanes.map { $0["name"]?.stringValue ?? "-" } == ["Rep One", "Rep Two", "-"])
            #expect(lanes.map { $0["count"]?.intValue ?? -1 } == [2, 1, 0])
        }
    }

    @Test("a grouped list carries its counts per group in the field's order, and its rows come group by group")
    func groupedList() async throws {
        try await TestApp.run { app in
            let f = try await ViewFixture.make(app)
            try await f.deal("w", owner: f.rep.id, stage: "won", amount: 10)
            try await f.deal("n1", owner: f.rep.id, stage: "new", amount: 1)
            try await f.deal("n2", owner: f.rep.id, stage: "new", amount: 2)
            try await f.deal("z", owner: f.rep.id, stage: nil, amount: 3)
            try await f.view([
                "name": "grouped", "entity": "deal", "type": "list", "shared": true, "columns": ["name"], "group_by": "stage",
                "aggregate": ["fn": "max", "field": "amount"], "sort": [["field": "name"]],
            ])
            let reply = try await app.call(.get, "/api/v1/views/grouped/data", key: f.rep.key)
            let groups = try #require(reply.json?["groups"]?.arrayValue, "\(reply.text)")
            #expect(groups.map { $0["key"]?.stringValue ?? "-" } == ["new", "won", "-"])
            #expect(groups.map { $0["count"]?.intValue ?? -1 } == [2, 1, 1])
            #expect(groups[0]["max_amount"]?.doubleValue == 2 && groups[0]["label"]?["en"]?.stringValue == "New")
            #expect(f.names(reply.data) == ["n1", "n2", "w", "z"])
        }
    }

    @Test("a calendar: records overlapping from…to, bounded to 92 days")
    func calendar() async throws {
        try await TestApp.run { app in
            let f = try await ViewFixture.make(app)
            func at(_ s: String, _ e: String?) -> [(String, JSONValue)] {
                [("starts_at", .string(s))] + (e.map { [("ends_at", .string($0))] } ?? [])
            }
            try await f.deal("inside", owner: f.rep.id, extra: at("2026-12-08T09:00:00+08:00", "2026-12-08T10:00:00+08:00"))
            try await f.deal("spans-in", owner: f.rep.id, extra: at("2026-12-05T09:00:00+08:00", "2026-12-07T10:00:00+08:00"))
            try await f.deal("point", owner: f.rep.id, extra: at("2026-12-10T09:00:00+08:00", nil))
            try await f.deal("before", owner: f.rep.id, extra: at("2026-12-01T09:00:00+08:00", "2026-12-02T10:00:00+08:00"))
            try await f.deal("after", owner: f.rep.id, extra: at("2026-12-14T00:00:00+08:00", nil))
            try await f.deal("theirs", owner: f.other.id, extra: at("2026-12-08T09:00:00+08:00", nil))
            try await f.view([
                "name": "week", "entity": "deal", "type": "calendar", "shared": true, "columns": ["name"], "start": "starts_at", "end": "ends_at",
            ])
            let week = try await app.call(.get, "/api/v1/views/week/data?from=2026-12-07&to=2026-12-14", key: f.rep.key)
            #expect(f.names(week.data) == ["spans-in", "inside", "point"], "\(week.text)")
            #expect(week.data.first?["starts_at"] != nil && week.data.first?["ends_at"] != nil)
            try await app.call(.get, "/api/v1/views/week/data", key: f.rep.key).expectError(400, "invalid_query")
            try await app.call(.get, "/api/v1/views/week/data?from=2026-01-01&to=2026-06-01", key: f.rep.key).expectError(400, "invalid_query")
            try await app.call(.get, "/api/v1/views/week/data?from=2026-12-14&to=2026-12-07", key: f.rep.key).expectError(400, "invalid_query")
            try await app.call(.get, "/api/v1/views/week/data?from=soon&to=2026-12-07", key: f.rep.key).expectError(400, "invalid_query")
            // A date-field calendar.
            try await f.deal("closing", owner: f.rep.id, extra: [("close_on", "2026-12-09")])
            try await f.view(["name": "closing", "entity": "deal", "type": "calendar", "shared": true, "columns": ["name"], "start": "close_on"])
            let closing = try await app.call(.get, "/api/v1/views/closing/data?from=2026-12-09&to=2026-12-10", key: f.rep.key)
            #expect(f.names(closing.data) == ["closing"], "\(closing.text)")
        }
    }

    @Test("bad views are refused with a 422 naming what is wrong; nothing is saved")
    func badViews() async throws {
        try await TestApp.run { app in
            let f = try await ViewFixture.make(app)
            func refused(_ json: JSONValue, _ field: String, key: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let reply = try await f.view(json, key: key, status: 422, sourceLocation: sourceLocation)
                reply.expectError(422, "invalid_metadata", sourceLocation: sourceLocation)
                let fields = reply.json?["error"]?["details"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
                #expect(fields.contains(field), "expected a problem at \(field): \(reply.text)", sourceLocation: sourceLocation)
            }
            let base: [(String, JSONValue)] = [("name", "v"), ("entity", "deal"), ("shared", true)]
            try await refused(.object(base + [("type", "list"), ("columns", ["name", "nope"])]), "columns[1]")
            try await refused(.object(base + [("type", "list"), ("columns", ["name"]), ("group_by", "note")]), "group_by")
            try await refused(.object(base + [("type", "calendar"), ("columns", ["name"]), ("start", "name")]), "start")
            try await refused(.object(base + [("type", "kanban"), ("card", ["name"]), ("lanes", "amount")]), "lanes")
            try await refused(.object(base + [("type", "kanban"), ("card", ["name"])]), "lanes")
            try await refused(.object(base + [("type", "list"), ("columns", ["name"]), ("sort", [["field": "tags"]])]), "sort[0].field")
            try await refused(.object(base + [("type", "list"), ("columns", ["name"]), ("filter", "record.amount > 'x'")]), "filter")
            try await refused(.object(base + [("type", "list"), ("columns", ["name"]), ("filters", ["stage": "eq.lost"])]), "filters.stage")
            try await refused(.object(base + [("type", "list"), ("columns", ["name"]), ("roles", ["ghost"])]), "roles")
            try await refused(
                .object(base + [("type", "kanban"), ("card", ["name"]), ("lanes", "stage"), ("aggregate", ["fn": "sum", "field": "name"])]),
                "aggregate.field")
            try await refused(.object(base + [("type", "grid"), ("columns", ["name"])]), "type")
            try await refused(.object(base + [("type", "list"), ("columns", [])]), "columns")
            try await refused(
                .object([("name", "v"), ("entity", "deal"), ("type", "list"), ("columns", ["name"]), ("owner", .string(f.other.id))]), "owner",
                key: f.rep.key)
            try await app.call(
                .post, "/api/v1/meta/views", key: f.admin, json: ["name": "v", "entity": "ghost", "type": "list", "columns": ["name"]]
            ).expectError(422)
            // Sharing needs manage_metadata.
            try await f.view(.object(base + [("type", "list"), ("columns", ["name"])]), key: f.rep.key, status: 403)
            // One default per entity and audience.
            try await f.view(.object(base + [("type", "list"), ("columns", ["name"]), ("default", true), ("roles", ["rep"])]))
            try await refused(
                .object([("name", "w"), ("entity", "deal"), ("shared", true), ("type", "list"), ("columns", ["name"]), ("default", true)]), "default")
            #expect(try await app.call(.get, "/api/v1/meta/views", key: f.admin).data.count == 1, "only the one good view was saved")
            // A duplicate name is a 409.
            try await f.view(.object(base + [("type", "list"), ("columns", ["name"])]), status: 409)
        }
    }

    @Test("personal views are their author's alone; shared ones are offered to their roles")
    func personalViews() async throws {
        try await TestApp.run { app in
            let f = try await ViewFixture.make(app)
            try await f.deal("mine", owner: f.rep.id)
            let made = try await f.view(["name": "my_list", "entity": "deal", "type": "list", "columns": ["name"]], key: f.rep.key)
            #expect(made.json?["shared"] == .bool(false) && made.json?["owner"]?.stringValue == f.rep.id)
            #expect(f.names(try await app.call(.get, "/api/v1/views/my_list/data", key: f.rep.key).data) == ["mine"])
            for key in [f.other.key, f.admin] {
                try await app.call(.get, "/api/v1/meta/views/my_list", key: key).expectError(404)
                try await app.call(.get, "/api/v1/views/my_list/data", key: key).expectError(404)
                try await app.call(.patch, "/api/v1/meta/views/my_list", key: key, json: ["page_size": 5]).expectError(404)
                try await app.call(.delete, "/api/v1/meta/views/my_list", key: key).expectError(404)
                #expect(try await app.call(.get, "/api/v1/meta/views", key: key).data.isEmpty)
            }
            // The other rep may have a view of the same name: views never clash across authors.
            try await f.view(["name": "my_list", "entity": "deal", "type": "list", "columns": ["name", "amount"]], key: f.other.key)
            #expect(try await app.call(.get, "/api/v1/meta/views/my_list", key: f.rep.key).json?["columns"]?.arrayValue?.count == 1)
            // The author changes it; `shared` and `owner` cannot change.
            #expect(try await app.call(.patch, "/api/v1/meta/views/my_list", key: f.rep.key, json: ["page_size": 5]).json?["page_size"] == 5)
            try await app.call(.patch, "/api/v1/meta/views/my_list", key: f.rep.key, json: ["shared": true]).expectError(422)
            // Shared views: offered by role, changed only by those who manage metadata.
            try await f.view(["name": "for_reps", "entity": "deal", "type": "list", "shared": true, "roles": ["rep"], "columns": ["name"]])
            try await f.view(["name": "for_admins", "entity": "deal", "type": "list", "shared": true, "roles": ["admin"], "columns": ["name"]])
            let offered = try await app.call(.get, "/api/v1/meta/views?entity=deal", key: f.rep.key).data.compactMap { $0["name"]?.stringValue }
            #expect(offered == ["for_reps", "my_list"])
            try await app.call(.get, "/api/v1/views/for_admins/data", key: f.rep.key).expectError(404)
            try await app.call(.patch, "/api/v1/meta/views/for_reps", key: f.rep.key, json: ["page_size": 5]).expectError(403)
            try await app.call(.delete, "/api/v1/meta/views/for_reps", key: f.rep.key).expectError(403)
            #expect(try await app.call(.delete, "/api/v1/meta/views/my_list", key: f.rep.key).status == 204)
            try await app.call(.get, "/api/v1/meta/views/my_list", key: f.rep.key).expectError(404)
            // A user who cannot read the entity cannot make a personal view of it.
            let (_, nobody) = try await app.makeUser(f.admin, name: "Nobody", roles: [])
            try await f.view(["name": "peek", "entity": "deal", "type": "list", "columns": ["name"]], key: nobody, status: 403)
            // Views are in the metadata log.
            let log = try await app.call(.get, "/api/v1/meta/log", key: f.admin)
            #expect(log.data.contains { $0["action"]?.stringValue == "view.create" && $0["target"]?.stringValue == "for_reps" })
        }
    }

    @Test("removing a field a shared view uses, or a role it is shared with, is refused with the view's name; a personal view goes with the field")
    func fieldGuard() async throws {
        try await TestApp.run { app in
            let f = try await ViewFixture.make(app)
            try await f.view([
                "name": "board", "entity": "deal", "type": "kanban", "shared": true, "roles": ["rep"], "lanes": "stage", "card": ["name", "amount"],
            ])
            let refused = try await app.call(.delete, "/api/v1/meta/entities/deal/fields/amount", key: f.admin).expectError(422)
            #expect(refused?["message"]?.stringValue?.contains("board") == true, "\(String(describing: refused))")
            try await app.call(.delete, "/api/v1/meta/entities/deal/fields/stage", key: f.admin).expectError(422)
            try await app.call(.delete, "/api/v1/meta/roles/rep", key: f.admin).expectError(422)
            #expect(try await app.call(.get, "/api/v1/meta/entities/deal", key: f.admin).json?["fields"]?.arrayValue?.count == 10)
            #expect(try await app.call(.patch, "/api/v1/meta/views/board", key: f.admin, json: ["card": ["name"]]).status == 200)
            // A rep's personal view does not hold the field back: it goes with it (the admin cannot see it to change it).
            try await f.view(["name": "mine", "entity": "deal", "type": "list", "columns": ["name", "amount"]], key: f.rep.key)
            #expect(try await app.call(.delete, "/api/v1/meta/entities/deal/fields/amount", key: f.admin).status == 204)
            try await app.call(.get, "/api/v1/meta/views/mine", key: f.rep.key).expectError(404)
        }
    }

    @Test("the sales pack's views install shared, are offered by role, and serve: the lead pool, a rep's due leads, the board by stage")
    func salesPackViews() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant(packs: ["sales"])
            let (rep, repKey) = try await app.makeUser(admin, name: "Rep", roles: ["sales_rep"])
            let names = try await app.call(.get, "/api/v1/meta/views", key: admin).data.compactMap { $0["name"]?.stringValue }
            #expect(
                Set(names) == [
                    "lead_pool", "my_due_leads", "red_leads", "opportunity_board", "visits_this_week", "overdue_milestones", "leads_by_rep",
                    "contracts_in_approval",
                ])
            let offered = try await app.call(.get, "/api/v1/meta/views?entity=lead", key: repKey).data.compactMap { $0["name"]?.stringValue }
            #expect(offered == ["my_due_leads", "red_leads"], "a rep is offered the views shared with reps or with everyone")
            let soon = TimeText.timestamp(Timestamp.nowMicroseconds() + 3_600_000_000)
            let later = TimeText.timestamp(Timestamp.nowMicroseconds() + 72 * 3_600_000_000)
            for (company, at, phone) in [("Due Co", soon, "13800000001"), ("Later Co", later, "13800000002")] {
                _ = try await app.create(
                    admin, "lead",
                    [
                        "company": .string(company), "contact_name": "Li", "phone": .string(phone), "source_channel": "referral",
                        "owner_id": .string(rep), "status": "following", "next_follow_up_at": .string(at),
                    ])
            }
            let due = try await app.call(.get, "/api/v1/views/my_due_leads/data", key: repKey)
            #expect(due.status == 200, "\(due.text)")
            #expect(due.data.compactMap { $0["company"]?.stringValue } == ["Due Co"], "\(due.text)")
            let board = try await app.call(.get, "/api/v1/views/opportunity_board/data", key: admin)
            let lanes = try #require(board.json?["lanes"]?.arrayValue, "\(board.text)")
            #expect(
                lanes.map { $0["key"]?.stringValue ?? "-" }
                    == ["initial_contact", "technical_exchange", "quotation", "negotiation", "contract_review", "won", "lost", "-"])
            #expect(lanes.last?["key"] == .null && lanes.allSatisfy { $0["sum_amount"] != nil })
        }
    }
}
