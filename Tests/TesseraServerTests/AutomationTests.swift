import Foundation
import PostgresNIO
import TesseraCore
import TesseraTestSupport
import Testing

/// Automations end to end: defined as metadata, their events written with the record, run by
/// the worker service of the test application.
@Suite("Automations")
struct AutomationTests {
    static let ticket: JSONValue = [
        "name": "ticket",
        "fields": [
            ["name": "title", "type": "text", "required": true],
            ["name": "priority", "type": "select", "options": [["key": "low", "label": ["en": "Low"]], ["key": "high", "label": ["en": "High"]]]],
            ["name": "flagged", "type": "boolean"],
            ["name": "note", "type": "text"],
            ["name": "hits", "type": "number"],
        ],
    ]
    static let task: JSONValue = [
        "name": "task", "fields": [["name": "title", "type": "text"], ["name": "ticket", "type": "relation", "target": "ticket"]],
    ]

    func outboxCount(_ slug: String) async throws -> Int {
        try await TestDatabase.withClient { client in
            try await client.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM t_\(slug)._outbox")).collect().first?.decode(Int.self) ?? -1
        }
    }

    @Test("automations are checked when saved, need manage_metadata, and keep their entities' fields in place")
    func metadata() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant()
            try await app.createEntity(admin, Self.ticket)
            let good: JSONValue = [
                "name": "flag_high", "entity": "ticket", "trigger": ["on": "update", "fields": ["priority"]],
                "condition": "record.priority == 'high' && old.priority != 'high'",
                "actions": [["type": "set", "values": ["flagged": true, "note": ["expression": "'was ' + old.priority"]]]],
            ]
            let created = try await app.call(.post, "/api/v1/meta/automations", key: admin, json: good)
            #expect(created.status == 201 && created.json?["active"] == true, "\(created.text)")
            try await app.call(.post, "/api/v1/meta/automations", key: admin, json: good).expectError(409)
            let bad = try await app.call(
                .post, "/api/v1/meta/automations", key: admin,
                json: [
                    "name": "bad", "entity": "ticket", "trigger": ["on": "update", "fields": ["ghost"]], "condition": "record.priority >",
                    "actions": [
                        ["type": "set", "values": ["flagged": "yes", "ghost": 1]], ["type": "lock", "for": "2h"],
                        ["type": "notify", "to": "role:nobody", "message": ["en": "x"]],
                    ],
                ])
            let fields = Set(bad.expectError(422)?["details"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
            #expect(
                fields.isSuperset(of: [
                    "trigger.fields", "condition", "actions[0].values.flagged", "actions[0].values.ghost", "actions[1].for", "actions[2].to",
                ]), "\(bad.text)")
            try await app.call(
                .post, "/api/v1/meta/automations", key: admin,
                json: [
                    "name": "later", "entity": "ticket", "trigger": ["on": "schedule"],
                    "actions": [["type": "set", "values": ["flagged": true]]],
                ]
            ).expectError(422)
            let (_, rep) = try await app.makeUser(admin, roles: [])
            try await app.call(.post, "/api/v1/meta/automations", key: rep, json: good).expectError(403)
            // A field an automation uses cannot be dropped from under it.
            try await app.call(.delete, "/api/v1/meta/entities/ticket/fields/note", key: admin).expectError(422)
            let off = try await app.call(.patch, "/api/v1/meta/automations/flag_high", key: admin, json: ["active": false])
            #expect(off.status == 200 && off.json?["active"] == false)
            #expect(try await app.call(.get, "/api/v1/meta/automations", key: admin).data.count == 1)
            #expect(try await app.call(.delete, "/api/v1/meta/automations/flag_high", key: admin).status == 204)
            #expect(try await app.call(.delete, "/api/v1/meta/entities/ticket/fields/note", key: admin).status == 204)
        }
    }

    @Test("an outbox event the worker cannot read goes to the dead letters with its reason; the events after it still run")
    func unreadableEvent() async throws {
        try await TestApp.run { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            try await app.createEntity(admin, Self.ticket)
            let automation: JSONValue = [
                "name": "flag", "entity": "ticket", "trigger": ["on": "create"], "actions": [["type": "set", "values": ["flagged": true]]],
            ]
            #expect(try await app.call(.post, "/api/v1/meta/automations", key: admin, json: automation).status == 201)
            // A row written before values were bounded: its number has 201 digits once jsonb writes it out.
            let poison = try await TestDatabase.withClient { client in
                try await client.query(
                    PostgresQuery(
                        unsafeSQL: """
                            INSERT INTO t_\(slug)._outbox (automation, entity, record_id, event, new, due_at)
                            VALUES ('flag', 'ticket', gen_random_uuid(), 'create', '{"hits": 1e200}'::jsonb, now() - interval '1 minute') RETURNING id
                            """)
                ).collect().first?.decode(Int64.self)
            }
            let id = try #require(try await app.create(admin, "ticket", ["title": "after the poison"])["id"]?.stringValue)
            try await eventually("the event after it runs") {
                try await app.call(.get, "/api/v1/data/ticket/\(id)", key: admin).json?["flagged"] == true
            }
            let dead = try await app.call(.get, "/api/v1/automation-events/dead", key: admin)
            let entry = dead.data.first { $0["id"]?.intValue == poison.map(Int.init) }
            #expect(entry?["last_error"]?.stringValue?.hasPrefix("unreadable event") == true, "\(dead.text)")
        }
    }

    @Test("a create runs set, create and notify actions once, in one transaction, visible in history, the run log and the inbox")
    func endToEnd() async throws {
        try await TestApp.run { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            try await app.createEntity(admin, Self.ticket)
            try await app.createEntity(admin, Self.task)
            #expect(
                try await app.call(
                    .post, "/api/v1/meta/automations", key: admin,
                    json: [
                        "name": "urgent", "entity": "ticket", "trigger": ["on": "create"], "condition": "record.priority == 'high'",
                        "actions": [
                            ["type": "set", "values": ["flagged": true, "note": ["expression": "'escalated: ' + record.title"]]],
                            [
                                "type": "create", "entity": "task",
                                "values": ["title": ["expression": "'call back ' + record.title"], "ticket": ["expression": "record.id"]],
                            ],
                            ["type": "notify", "to": "owner", "message": ["zh-CN": "紧急工单", "en": "Urgent ticket"]],
                            ["type": "notify", "to": "manager", "message": ["en": "Your rep has an urgent ticket"]],
                        ],
                    ]
                ).status == 201)
            let (bossID, boss) = try await app.makeUser(admin, name: "Boss", roles: ["admin"])
            let (repID, rep) = try await app.makeUser(admin, name: "Rep", roles: ["admin"], manager: bossID)
            let low = try #require(try await app.create(rep, "ticket", ["title": "printer", "priority": "low"])["id"]?.stringValue)
            let high = try #require(try await app.create(rep, "ticket", ["title": "server down", "priority": "high"])["id"]?.stringValue)
            // The events were written with the records (one per listening automation).
            #expect(try await outboxCount(slug) == 2)
            try await eventually("the high ticket flagged") {
                try await app.call(.get, "/api/v1/data/ticket/\(high)", key: rep).json?["flagged"] == true
            }
            let ticket = try await app.call(.get, "/api/v1/data/ticket/\(high)", key: rep).json
            #expect(ticket?["note"] == "escalated: server down")
            #expect(try await app.call(.get, "/api/v1/data/ticket/\(low)", key: rep).json?["flagged"] == .null)
            let tasks = try await app.call(.get, "/api/v1/data/task", key: admin).data
            #expect(tasks.count == 1 && tasks[0]["title"] == "call back server down" && tasks[0]["ticket"]?.stringValue == high)
            #expect(tasks.first?["owner_id"]?.stringValue == repID)
            let inbox = try await app.call(.get, "/api/v1/inbox?unread=true", key: rep).data
            #expect(inbox.count == 1 && inbox.first?["message"]?["zh-CN"] == "紧急工单" && inbox.first?["record_id"]?.stringValue == high)
            #expect(try await app.call(.get, "/api/v1/inbox", key: boss).data.count == 1)
            let messageID = try #require(inbox.first?["id"]?.intValue)
            #expect(try await app.call(.post, "/api/v1/inbox/\(messageID)/read", key: rep).status == 204)
            #expect(try await app.call(.get, "/api/v1/inbox?unread=true", key: rep).data.isEmpty)
            try await app.call(.post, "/api/v1/inbox/\(messageID)/read", key: boss).expectError(404)
            // History says which automation wrote; the run log says what ran.
            let history = try await app.call(.get, "/api/v1/data/ticket/\(high)/history", key: rep).data
            #expect(history.first?["via"] == "automation:urgent" && history.first?["action"] == "update")
            let runs = try await app.call(.get, "/api/v1/automation-runs?automation=urgent", key: admin).data
            #expect(Set(runs.compactMap { $0["result"]?.stringValue }) == ["ok", "skipped"] && runs.count == 2, "\(runs)")
            let forHigh = try await app.call(.get, "/api/v1/automation-runs?record=\(high)", key: admin).data
            #expect(forHigh.count == 1 && forHigh[0]["detail"]?["actions"]?.arrayValue?.count == 4)
            try await app.call(.get, "/api/v1/automation-runs?record=nope", key: admin).expectError(400)
            let (_, plain) = try await app.makeUser(admin, roles: [])
            try await app.call(.get, "/api/v1/automation-runs", key: plain).expectError(403)
            #expect(try await app.call(.get, "/api/v1/inbox", key: plain).data.isEmpty)
        }
    }

    @Test("a refused write leaves no event; an automation that re-triggers itself stops at the depth bound, dead-lettered")
    func loopsAndRefusals() async throws {
        try await TestApp.run { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            try await app.createEntity(admin, Self.ticket)
            #expect(
                try await app.call(
                    .post, "/api/v1/meta/automations", key: admin,
                    json: [
                        "name": "again", "entity": "ticket", "trigger": ["on": "update", "fields": ["hits"]],
                        "actions": [["type": "set", "values": ["hits": ["expression": "record.hits + 1"]]]],
                    ]
                ).status == 201)
            try await app.call(.post, "/api/v1/data/ticket", key: admin, json: ["priority": "low"]).expectError(422)
            let id = try #require(try await app.create(admin, "ticket", ["title": "loop", "hits": 0])["id"]?.stringValue)
            #expect(try await outboxCount(slug) == 0)
            #expect(try await app.call(.patch, "/api/v1/data/ticket/\(id)", key: admin, json: ["hits": 1]).status == 200)
            try await eventually("the loop dead-lettered") {
                try await !app.call(.get, "/api/v1/automation-events/dead", key: admin).data.isEmpty
            }
            let count = try await app.call(.get, "/api/v1/data/ticket/\(id)", key: admin).json?["hits"]?.intValue
            #expect(count == 1 + 8, "the user's write then 8 automation steps")
            let dead = try await app.call(.get, "/api/v1/automation-events/dead", key: admin).data
            #expect(dead.count == 1 && dead.first?["last_error"]?.stringValue?.contains("deep") == true, "\(dead)")
            let runs = try await app.call(.get, "/api/v1/automation-runs?result=dead", key: admin).data
            #expect(runs.count == 1 && runs.first?["error"]?.stringValue?.contains("triggers itself") == true)
            // Replaying runs it again (and it stops again).
            let deadID = try #require(dead.first?["id"]?.intValue)
            #expect(try await app.call(.post, "/api/v1/automation-events/\(deadID)/replay", key: admin).status == 204)
            try await eventually("the replay dead-lettered again") {
                try await app.call(.get, "/api/v1/automation-runs?result=dead", key: admin).data.count == 2
            }
            try await app.call(.post, "/api/v1/automation-events/\(deadID + 1000)/replay", key: admin).expectError(404)
        }
    }
}
