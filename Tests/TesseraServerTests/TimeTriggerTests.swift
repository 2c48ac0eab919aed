import Foundation
import PostgresNIO
import TesseraCore
import TesseraStore
import TesseraTestSupport
import Testing

/// Time triggers with a controllable clock: timers are outbox rows with a due time, replaced by
/// every write, run against the record as it is when they come due. Serialized: a test that moves
/// its clock forward makes other tests' timers due for its worker too.
@Suite("Time triggers", .serialized)
struct TimeTriggerTests {
    static let task: JSONValue = [
        "name": "task",
        "fields": [["name": "title", "type": "text"], ["name": "due_at", "type": "datetime"], ["name": "reminded", "type": "boolean"],
                   ["name": "last_contact_at", "type": "datetime"], ["name": "stale", "type": "boolean"]],
    ]

    static func iso(_ hours: Double) -> JSONValue {
        .string(Date().addingTimeInterval(hours * 3600).formatted(.iso8601))
    }

    func pendingTimers(_ slug: String, record: String) async throws -> Int {
        try await TestDatabase.withClient { client in
            try await client.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM t_\(slug)._outbox WHERE event = 'timer' AND status = 'pending' AND record_id = '\(record)'"))
                .collect().first?.decode(Int.self) ?? -1
        }
    }

    @Test("a time trigger fires at the field's value plus its offset; a changed field moves the timer; a delete cancels it")
    func time() async throws {
        let clock = AutomationClock()
        try await TestApp.run(configure: { $0.automationClock = clock }) { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            try await app.createEntity(admin, Self.task)
            let created = try await app.call(.post, "/api/v1/meta/automations", key: admin, json: [
                "name": "remind", "entity": "task", "trigger": ["on": "time", "field": "due_at", "offset": "-1h"],
                "actions": [["type": "set", "values": ["reminded": true]], ["type": "notify", "to": "owner", "message": ["en": "Due in an hour"]]],
            ])
            #expect(created.status == 201, "\(created.text)")
            try await app.call(.post, "/api/v1/meta/automations", key: admin, json: [
                "name": "bad", "entity": "task", "trigger": ["on": "time", "field": "title", "offset": "1h"], "actions": [["type": "set", "values": ["reminded": true]]],
            ]).expectError(422)
            let id = try #require(try await app.create(admin, "task", ["title": "send quote", "due_at": Self.iso(3)])["id"]?.stringValue)
            let gone = try #require(try await app.create(admin, "task", ["title": "cancelled", "due_at": Self.iso(4)])["id"]?.stringValue)
            #expect(try await pendingTimers(slug, record: id) == 1)
            clock.advance(by: .seconds(3600))          // 2 h before the due time: not yet
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await app.call(.get, "/api/v1/data/task/\(id)", key: admin).json?["reminded"] == .null)
            // Moved to +5 h: the timer moves with it (still one).
            #expect(try await app.call(.patch, "/api/v1/data/task/\(id)", key: admin, json: ["due_at": Self.iso(5)]).status == 200)
            #expect(try await pendingTimers(slug, record: id) == 1)
            #expect(try await app.call(.delete, "/api/v1/data/task/\(gone)", key: admin).status == 204)
            #expect(try await pendingTimers(slug, record: gone) == 0)
            clock.advance(by: .seconds(3 * 3600 + 60))  // now +4 h 1 min: one hour before +5 h has passed
            try await eventually("the reminder set") {
                try await app.call(.get, "/api/v1/data/task/\(id)", key: admin).json?["reminded"] == true
            }
            // Its own write leaves due_at alone, so the fired timer is not scheduled again.
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await app.call(.get, "/api/v1/inbox", key: admin).data.count == 1)
            let runs = try await app.call(.get, "/api/v1/automation-runs?automation=remind", key: admin).data
            #expect(runs.compactMap { $0["result"]?.stringValue } == ["ok"])
        }
    }

    @Test("an inactivity trigger fires only after the field has stayed old for the whole duration")
    func inactive() async throws {
        let clock = AutomationClock()
        try await TestApp.run(configure: { $0.automationClock = clock }) { app in
            let admin = try await app.createTenant()
            try await app.createEntity(admin, Self.task)
            #expect(try await app.call(.post, "/api/v1/meta/automations", key: admin, json: [
                "name": "went_quiet", "entity": "task", "trigger": ["on": "inactive", "field": "last_contact_at", "after": "72h"],
                "condition": "record.stale != true", "actions": [["type": "set", "values": ["stale": true]]],
            ]).status == 201)
            let id = try #require(try await app.create(admin, "task", ["title": "lead", "last_contact_at": Self.iso(0)])["id"]?.stringValue)
            clock.advance(by: .seconds(71 * 3600))
            // Contact at the 71st hour resets the clock.
            #expect(try await app.call(.patch, "/api/v1/data/task/\(id)", key: admin, json: ["last_contact_at": Self.iso(71)]).status == 200)
            clock.advance(by: .seconds(2 * 3600))      // 73 h after the first contact, 2 h after the last
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await app.call(.get, "/api/v1/data/task/\(id)", key: admin).json?["stale"] == .null)
            clock.advance(by: .seconds(71 * 3600))     // 73 h after the last contact
            try await eventually("the lead marked stale") {
                try await app.call(.get, "/api/v1/data/task/\(id)", key: admin).json?["stale"] == true
            }
        }
    }
}
