import Foundation
import TesseraCore
import TesseraTestSupport
import Testing

/// The actions beyond set/create/notify: lock, stage_back, escalate; and the update trigger that
/// fires only when its condition becomes true.
@Suite("Automation actions")
struct AutomationActionTests {
    static let deal: JSONValue = [
        "name": "deal",
        "fields": [
            ["name": "title", "type": "text"],
            ["name": "priority", "type": "select", "options": [["key": "low"], ["key": "high"]]],
            ["name": "stuck", "type": "boolean"],
            ["name": "helper", "type": "user"],
            ["name": "stage", "type": "select", "options": [["key": "lead"], ["key": "solution"], ["key": "quote"]], "stage": ["exempt": []]],
        ],
    ]

    /// A new tenant with the `deal` entity; returns its admin key.
    static func dealTenant(_ app: TestApp) async throws -> String {
        let admin = try await app.createTenant()
        try await app.createEntity(admin, Self.deal)
        return admin
    }

    /// Saves an automation and expects 201.
    func automate(_ app: TestApp, _ key: String, _ json: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let reply = try await app.call(.post, "/api/v1/meta/automations", key: key, json: json)
        #expect(reply.status == 201, "\(reply.text)", sourceLocation: sourceLocation)
    }

    func runs(_ app: TestApp, _ key: String, _ automation: String) async throws -> [JSONValue] {
        try await app.call(.get, "/api/v1/automation-runs?automation=\(automation)", key: key).data
    }

    @Test("lock: when a deal becomes high priority it is locked for its owner; others get 423 until it is unlocked; only the change to high fires")
    func lock() async throws {
        try await TestApp.run { app in
            let admin = try await Self.dealTenant(app)
            try await automate(
                app, admin,
                [
                    "name": "guard_hot_deals", "entity": "deal", "trigger": ["on": "update", "fields": ["priority"], "becomes_true": true],
                    "condition": "record.priority == 'high'", "actions": [["type": "lock", "duration": "2h"]],
                ])
            try await app.call(
                .post, "/api/v1/meta/automations", key: admin,
                json: [
                    "name": "x", "entity": "deal", "trigger": ["on": "update", "becomes_true": true],
                    "actions": [["type": "lock", "duration": "2h"]],
                ]
            ).expectError(422)
            try await app.call(
                .post, "/api/v1/meta/automations", key: admin,
                json: [
                    "name": "x", "entity": "deal", "trigger": ["on": "create"], "actions": [["type": "lock", "duration": "40d"]],
                ]
            ).expectError(422)
            #expect(
                try await app.call(
                    .post, "/api/v1/meta/roles", key: admin,
                    json: [
                        "name": "dealer", "permissions": ["deal": ["create": "all", "read": "all", "update": "all", "delete": "all"]],
                    ]
                ).status == 201)
            let (_, owner) = try await app.makeUser(admin, name: "Owner", roles: ["dealer"])
            let (_, other) = try await app.makeUser(admin, name: "Other", roles: ["dealer"])
            let id = try #require(try await app.create(owner, "deal", ["title": "big one", "priority": "low"])["id"]?.stringValue)
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(id)", key: owner, json: ["priority": "high"]).status == 200)
            try await eventually("the lock applied") {
                try await app.call(.patch, "/api/v1/data/deal/\(id)", key: other, json: ["title": "big one"]).status == 423
            }
            let refused = try await app.call(.patch, "/api/v1/data/deal/\(id)", key: other, json: ["title": "mine now"])
            #expect(refused.expectError(423, "record_locked")?["message"]?.stringValue?.contains("Owner") == true, "\(refused.text)")
            try await app.call(.delete, "/api/v1/data/deal/\(id)", key: other).expectError(423, "record_locked")
            try await app.call(.post, "/api/v1/data/deal/\(id)/lock", key: other, json: ["duration": "1h"]).expectError(423)
            // Others still read it; the owner still writes it, and another change while high does not fire again.
            #expect(try await app.call(.get, "/api/v1/data/deal/\(id)", key: other).json?["title"] == "big one")
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(id)", key: owner, json: ["title": "big one, v2", "stuck": true]).status == 200)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await runs(app, admin, "guard_hot_deals").filter { $0["result"] == "ok" }.count == 1)
            // The owner unlocks; then anyone may lock by hand ("lock for follow-up"), and then the owner is the one refused.
            try await app.call(.delete, "/api/v1/data/deal/\(id)/lock", key: other).expectError(403)
            #expect(try await app.call(.delete, "/api/v1/data/deal/\(id)/lock", key: owner).status == 204)
            let locked = try await app.call(.post, "/api/v1/data/deal/\(id)/lock", key: other, json: ["duration": "30m"])
            #expect(locked.status == 200 && locked.json?["until"] != nil, "\(locked.text)")
            try await app.call(.patch, "/api/v1/data/deal/\(id)", key: owner, json: ["title": "again"]).expectError(423)
            try await app.call(.post, "/api/v1/data/deal/\(id)/lock", key: other, json: ["duration": "forever"]).expectError(422)
            try await app.call(.post, "/api/v1/data/deal/\(id)/lock", key: other, json: ["duration": "1h", "holder": "me"]).expectError(422)
            // A tenant admin may clear anyone's lock.
            #expect(try await app.call(.delete, "/api/v1/data/deal/\(id)/lock", key: admin).status == 204)
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(id)", key: owner, json: ["title": "free"]).status == 200)
            // Locking needs the right to change the record: a colleague who may read it but change only their own is refused.
            #expect(
                try await app.call(
                    .post, "/api/v1/meta/roles", key: admin,
                    json: [
                        "name": "own_dealer", "permissions": ["deal": ["create": "all", "read": "all", "update": "own", "delete": "own"]],
                    ]
                ).status == 201)
            let (_, colleague) = try await app.makeUser(admin, name: "Colleague", roles: ["own_dealer"])
            try await app.call(.post, "/api/v1/data/deal/\(id)/lock", key: colleague, json: ["duration": "1h"]).expectError(403)
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(id)", key: owner, json: ["title": "still free"]).status == 200)
            // Unlocking what nobody locks leaves it so.
            #expect(try await app.call(.delete, "/api/v1/data/deal/\(id)/lock", key: colleague).status == 204)
        }
    }

    @Test("stage_back moves the record one stage back, and does nothing at the first stage")
    func stageBack() async throws {
        try await TestApp.run { app in
            let admin = try await Self.dealTenant(app)
            try await automate(
                app, admin,
                [
                    "name": "back_off", "entity": "deal", "trigger": ["on": "update", "fields": ["stuck"]], "condition": "record.stuck == true",
                    "actions": [["type": "stage_back"], ["type": "set", "values": ["stuck": false]]],
                ])
            try await app.createEntity(admin, ["name": "plain", "fields": [["name": "title", "type": "text"]]])
            try await app.call(
                .post, "/api/v1/meta/automations", key: admin,
                json: [
                    "name": "x", "entity": "plain", "trigger": ["on": "create"], "actions": [["type": "stage_back"]],
                ]
            ).expectError(422)
            let id = try #require(try await app.create(admin, "deal", ["title": "d", "stage": "lead"])["id"]?.stringValue)
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(id)", key: admin, json: ["stage": "solution"]).status == 200)
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(id)", key: admin, json: ["stage": "quote"]).status == 200)
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(id)", key: admin, json: ["stuck": true]).status == 200)
            try await eventually("moved back to solution") {
                let record = try await app.call(.get, "/api/v1/data/deal/\(id)", key: admin).json
                return record?["stage"] == "solution" && record?["stuck"] == false
            }
            let first = try #require(try await app.create(admin, "deal", ["title": "e", "stage": "lead"])["id"]?.stringValue)
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(first)", key: admin, json: ["stuck": true]).status == 200)
            try await eventually("handled at the first stage") {
                try await app.call(.get, "/api/v1/data/deal/\(first)", key: admin).json?["stuck"] == false
            }
            #expect(try await app.call(.get, "/api/v1/data/deal/\(first)", key: admin).json?["stage"] == "lead")
            let stages = try await app.call(.get, "/api/v1/data/deal/\(id)/stages", key: admin).data.compactMap { $0["to"]?.stringValue }
            #expect(stages == ["lead", "solution", "quote", "solution"])
        }
    }

    @Test("escalate goes up the owner's chain by levels (skipping people no longer active) or to the nearest manager with a role, and pulls them in")
    func escalate() async throws {
        try await TestApp.run { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            try await app.createEntity(admin, Self.deal)
            let (director, directorKey) = try await app.makeUser(admin, name: "Director", roles: ["admin"])
            let (regional, regionalKey) = try await app.makeUser(admin, name: "Regional", roles: [], manager: director)
            let (supervisor, supervisorKey) = try await app.makeUser(admin, name: "Supervisor", roles: [], manager: regional)
            let (_, rep) = try await app.makeUser(admin, name: "Rep", roles: ["admin"], manager: supervisor)
            try await automate(
                app, admin,
                [
                    "name": "two_up", "entity": "deal", "trigger": ["on": "update", "fields": ["stuck"]], "condition": "record.stuck == true",
                    "actions": [
                        ["type": "escalate", "levels": 2, "field": "helper", "message": ["zh-CN": "请介入", "en": "Please step in"]],
                        ["type": "escalate", "role": "admin", "message": ["en": "FYI"]],
                    ],
                ])
            try await app.call(
                .post, "/api/v1/meta/automations", key: admin,
                json: [
                    "name": "x", "entity": "deal", "trigger": ["on": "create"],
                    "actions": [["type": "escalate", "levels": 2, "role": "admin", "field": "title", "message": ["en": "x"]]],
                ]
            ).expectError(422)
            let id = try #require(try await app.create(rep, "deal", ["title": "d"])["id"]?.stringValue)
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(id)", key: rep, json: ["stuck": true]).status == 200)
            try await eventually("the regional manager pulled in") {
                try await app.call(.get, "/api/v1/data/deal/\(id)", key: admin).json?["helper"]?.stringValue == regional
            }
            try await eventually("both told") {
                let r = try await app.call(.get, "/api/v1/inbox", key: regionalKey).data.count
                let d = try await app.call(.get, "/api/v1/inbox", key: directorKey).data.count
                return r == 1 && d == 1
            }
            #expect(try await app.call(.get, "/api/v1/inbox", key: supervisorKey).data.isEmpty)
            // The regional manager leaves: two levels up is now the next active manager, the director.
            #expect(try await app.call(.patch, "/api/v1/users/\(regional)", key: admin, json: ["status": "disabled"]).status == 200)
            let next = try #require(try await app.create(rep, "deal", ["title": "e"])["id"]?.stringValue)
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(next)", key: rep, json: ["stuck": true]).status == 200)
            try await eventually("the director pulled in") {
                try await app.call(.get, "/api/v1/data/deal/\(next)", key: admin).json?["helper"]?.stringValue == director
            }
        }
    }

    @Test("update_related sets fields of the record a relation points to; no related record, nothing to do")
    func updateRelated() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant()
            try await app.createEntity(
                admin,
                [
                    "name": "company",
                    "fields": [
                        ["name": "name", "type": "text"], ["name": "last_touch_at", "type": "datetime"],
                        ["name": "last_note", "type": "text"],
                    ],
                ])
            try await app.createEntity(
                admin,
                ["name": "note", "fields": [["name": "text", "type": "text"], ["name": "company", "type": "relation", "target": "company"]]])
            try await automate(
                app, admin,
                [
                    "name": "touch_company", "entity": "note", "trigger": ["on": "create"],
                    "actions": [
                        [
                            "type": "update_related", "relation": "company",
                            "values": ["last_touch_at": ["expression": "record.created_at"], "last_note": ["expression": "record.text"]],
                        ]
                    ],
                ])
            let bad = try await app.call(
                .post, "/api/v1/meta/automations", key: admin,
                json: [
                    "name": "x", "entity": "note", "trigger": ["on": "create"],
                    "actions": [
                        ["type": "update_related", "relation": "text", "values": ["name": "x"]],
                        ["type": "update_related", "relation": "company", "values": ["ghost": "x", "last_touch_at": "not a time"]],
                    ],
                ])
            let fields = Set(bad.expectError(422)?["details"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
            #expect(fields.isSuperset(of: ["actions[0].relation", "actions[1].values.ghost", "actions[1].values.last_touch_at"]), "\(bad.text)")
            let company = try #require(try await app.create(admin, "company", ["name": "苏州精工"])["id"]?.stringValue)
            let note = try await app.create(admin, "note", ["text": "电话沟通报价", "company": .string(company)])
            _ = try await app.create(admin, "note", ["text": "no company"])
            try await eventually("the company touched") {
                try await app.call(.get, "/api/v1/data/company/\(company)", key: admin).json?["last_note"] == "电话沟通报价"
            }
            #expect(try await app.call(.get, "/api/v1/data/company/\(company)", key: admin).json?["last_touch_at"] == note["created_at"])
            try await eventually("both notes handled") {
                try await app.call(.get, "/api/v1/automation-runs?automation=touch_company&result=ok", key: admin).data.count == 2
            }
        }
    }
}
