import Foundation
import PostgresNIO
import TesseraApp
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
        "fields": [
            ["name": "title", "type": "text"], ["name": "due_at", "type": "datetime"], ["name": "reminded", "type": "boolean"],
            ["name": "last_contact_at", "type": "datetime"], ["name": "stale", "type": "boolean"],
        ],
    ]

    static func iso(_ hours: Double) -> JSONValue {
        .string(Date().addingTimeInterval(hours * 3600).formatted(.iso8601))
    }

    func pendingTimers(_ slug: String, record: String) async throws -> Int {
        try await TestDatabase.withClient { client in
            try await client.query(
                PostgresQuery(
                    unsafeSQL: "SELECT count(*)::int FROM t_\(slug)._outbox WHERE event = 'timer' AND status = 'pending' AND record_id = '\(record)'")
            )
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
            let created = try await app.call(
                .post, "/api/v1/meta/automations", key: admin,
                json: [
                    "name": "remind", "entity": "task", "trigger": ["on": "time", "field": "due_at", "offset": "-1h"],
                    "actions": [
                        ["type": "set", "values": ["reminded": true]], ["type": "notify", "to": "owner", "message": ["en": "Due in an hour"]],
                    ],
                ])
            #expect(created.status == 201, "\(created.text)")
            try await app.call(
                .post, "/api/v1/meta/automations", key: admin,
                json: [
                    "name": "bad", "entity": "task", "trigger": ["on": "time", "field": "title", "offset": "1h"],
                    "actions": [["type": "set", "values": ["reminded": true]]],
                ]
            ).expectError(422)
            let id = try #require(try await app.create(admin, "task", ["title": "send quote", "due_at": Self.iso(3)])["id"]?.stringValue)
            let gone = try #require(try await app.create(admin, "task", ["title": "cancelled", "due_at": Self.iso(4)])["id"]?.stringValue)
            #expect(try await pendingTimers(slug, record: id) == 1)
            clock.advance(by: .seconds(3600))  // 2 h before the due time: not yet
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

    /// The due times (µs since the epoch) of a record's pending timers, of one automation when it is
    /// named, and the tenant's time zone.
    static func pendingDue(_ slug: String, record: String, automation: String? = nil) async throws -> (due: [Int64], zone: String) {
        try await TestDatabase.withClient { client in
            let only = automation.map { " AND automation = '\($0)'" } ?? ""
            let due = try await client.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT (extract(epoch FROM due_at) * 1000000)::bigint FROM t_\(slug)._outbox
                        WHERE event = 'timer' AND status = 'pending' AND record_id = '\(record)'\(only) ORDER BY due_at
                        """)
            ).collect().map { try $0.decode(Int64.self) }
            let zone = try await client.query("SELECT time_zone FROM tessera.tenants WHERE slug = \(slug)").collect().first?.decode(String.self)
            return (due, zone ?? "?")
        }
    }

    @Test("a time trigger in working days: due by the tenant's calendar; a holiday declared meanwhile makes it wait for the new due time")
    func workingDays() async throws {
        let clock = AutomationClock()
        try await TestApp.run(configure: { $0.automationClock = clock }) { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            try await app.createEntity(admin, Self.task)
            let created = try await app.call(
                .post, "/api/v1/meta/automations", key: admin,
                json: [
                    "name": "chase", "entity": "task", "trigger": ["on": "time", "field": "due_at", "offset": "2wd"],
                    "actions": [["type": "set", "values": ["reminded": true]]],
                ])
            #expect(created.status == 201, "\(created.text)")
            // Working days must rise like hours do, and a fixed step cannot follow one in working days.
            try await app.call(
                .post, "/api/v1/meta/automations", key: admin,
                json: [
                    "name": "bad", "entity": "task", "trigger": ["on": "time", "field": "due_at", "offset": "2.5wd"],
                    "actions": [["type": "set", "values": ["reminded": true]]],
                ]
            ).expectError(422)
            let dueAt = Date().addingTimeInterval(3600)
            let id = try #require(
                try await app.create(admin, "task", ["title": "proposal", "due_at": .string(dueAt.formatted(.iso8601))])["id"]?.stringValue)
            let pending = try await Self.pendingDue(slug, record: id)
            let zone = try #require(TimeZoneRules(identifier: pending.zone))
            let start = Int64(dueAt.timeIntervalSince1970.rounded(.down)) * 1_000_000  // the ISO text keeps whole seconds
            let expected = BusinessCalendar().adding(workingDays: 2, to: start, zone: zone)
            #expect(pending.due == [expected], "SQL scheduled \(pending.due.map(TimeText.timestamp)), Swift counts \(TimeText.timestamp(expected))")

            // The day it would fall due is declared a holiday: it falls due one working day later.
            let holiday = TimeText.date(zone.localDate(expected))
            let set = try await app.call(.patch, "/api/v1/settings", key: admin, json: ["calendar": ["holidays": [.string(holiday)]]])
            #expect(set.status == 200, "\(set.text)")
            var calendar = BusinessCalendar()
            calendar.holidays = [zone.localDate(expected)]
            let later = calendar.adding(workingDays: 2, to: start, zone: zone)
            #expect(later > expected)
            try await Task.sleep(for: .seconds(6))  // the worker reads tenants' settings again after 5 s
            clock.advance(by: .microseconds(expected - clock.now() + 60_000_000))
            try await eventually("the timer waits again at the new due time") {
                try await Self.pendingDue(slug, record: id).due == [later]
            }
            #expect(try await app.call(.get, "/api/v1/data/task/\(id)", key: admin).json?["reminded"] == .null)
            clock.advance(by: .microseconds(later - clock.now() + 60_000_000))
            try await eventually("the reminder set at the new due time") {
                try await app.call(.get, "/api/v1/data/task/\(id)", key: admin).json?["reminded"] == true
            }
            #expect(try await Self.pendingDue(slug, record: id).due.isEmpty)
            let runs = try await app.call(.get, "/api/v1/automation-runs?automation=chase", key: admin).data
            // The early look is logged as skipped; the actions ran once.
            #expect(runs.compactMap { $0["result"]?.stringValue }.sorted() == ["ok", "skipped"], "\(runs)")
        }
    }

    @Test("an inactivity trigger fires only after the field has stayed old for the whole duration")
    func inactive() async throws {
        let clock = AutomationClock()
        try await TestApp.run(configure: { $0.automationClock = clock }) { app in
            let admin = try await app.createTenant()
            try await app.createEntity(admin, Self.task)
            #expect(
                try await app.call(
                    .post, "/api/v1/meta/automations", key: admin,
                    json: [
                        "name": "went_quiet", "entity": "task", "trigger": ["on": "inactive", "field": "last_contact_at", "after": "72h"],
                        "condition": "record.stale != true", "actions": [["type": "set", "values": ["stale": true]]],
                    ]
                ).status == 201)
            let id = try #require(try await app.create(admin, "task", ["title": "lead", "last_contact_at": Self.iso(0)])["id"]?.stringValue)
            clock.advance(by: .seconds(71 * 3600))
            // Contact at the 71st hour resets the clock.
            #expect(try await app.call(.patch, "/api/v1/data/task/\(id)", key: admin, json: ["last_contact_at": Self.iso(71)]).status == 200)
            clock.advance(by: .seconds(2 * 3600))  // 73 h after the first contact, 2 h after the last
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await app.call(.get, "/api/v1/data/task/\(id)", key: admin).json?["stale"] == .null)
            clock.advance(by: .seconds(71 * 3600))  // 73 h after the last contact
            try await eventually("the lead marked stale") {
                try await app.call(.get, "/api/v1/data/task/\(id)", key: admin).json?["stale"] == true
            }
        }
    }

    @Test("the sales pack: a milestone unpaid 2 days after its due date is marked overdue for the rep and finance; a lead left 24 h turns red")
    func salesPackTimers() async throws {
        let clock = AutomationClock()
        try await TestApp.run(configure: { $0.automationClock = clock }) { app in
            let admin = try await app.createTenant(packs: ["sales"])
            let (_, rep) = try await app.makeUser(admin, name: "销售", roles: ["sales_rep"])
            let (_, finance) = try await app.makeUser(admin, name: "财务", roles: ["finance"])
            let customer = try #require(try await app.create(rep, "customer", ["name": "苏州某自动化设备有限公司"])["id"]?.stringValue)
            let contract = try #require(
                try await app.create(rep, "contract", ["title": "产线改造合同", "customer": .string(customer), "amount": 500000])["id"]?.stringValue)
            let today = Date().formatted(.iso8601.year().month().day())
            let milestone = try #require(
                try await app.create(
                    rep, "payment_milestone",
                    [
                        "contract": .string(contract), "name": "预付款", "kind": "deposit", "amount": 150000, "due_date": .string(today),
                    ])["id"]?.stringValue)
            let lead = try await Self.workedLead(app, key: rep)
            clock.advance(by: .seconds(19 * 3600))
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await app.call(.get, "/api/v1/data/lead/\(lead)", key: rep).json?["sla_flag"] == "on_track")
            clock.advance(by: .seconds(4 * 3600))  // 23 h: yellow, not yet red
            try await eventually("the lead turned yellow") {
                try await app.call(.get, "/api/v1/data/lead/\(lead)", key: rep).json?["sla_flag"] == "due_soon"
            }
            clock.advance(by: .seconds(2 * 24 * 3600 + 3600))  // 3 days on: past due date + 2 days in any time zone
            try await eventually("the lead turned red") {
                try await app.call(.get, "/api/v1/data/lead/\(lead)", key: rep).json?["sla_flag"] == "overdue"
            }
            try await eventually("the milestone marked overdue") {
                try await app.call(.get, "/api/v1/data/payment_milestone/\(milestone)", key: rep).json?["status"] == "overdue"
            }
            try await eventually("rep and finance told") {
                let toRep = try await app.call(.get, "/api/v1/inbox", key: rep).data.count
                let toFinance = try await app.call(.get, "/api/v1/inbox", key: finance).data.count
                return toRep == 3 && toFinance == 1  // the rep: the yellow reminder, the red lead, the milestone
            }
        }
    }

    @Test("an SLA reminds at 4 h and escalates at 12 h unless the response came first; the response cancels the pending steps")
    func sla() async throws {
        let clock = AutomationClock()
        try await TestApp.run(configure: { $0.automationClock = clock }) { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            try await app.createEntity(
                admin,
                [
                    "name": "ticket",
                    "fields": [
                        ["name": "title", "type": "text"], ["name": "first_response_at", "type": "datetime"],
                        ["name": "escalated_to", "type": "user"],
                    ],
                ])
            let created = try await app.call(
                .post, "/api/v1/meta/automations", key: admin,
                json: [
                    "name": "first_response", "entity": "ticket", "trigger": ["on": "sla", "start": "created_at", "stop": "first_response_at"],
                    "steps": [
                        ["after": "4h", "actions": [["type": "notify", "to": "owner", "message": ["en": "Respond please: 4 h passed"]]]],
                        [
                            "after": "12h",
                            "actions": [["type": "escalate", "levels": 1, "field": "escalated_to", "message": ["en": "12 h without a response"]]],
                        ],
                    ],
                ])
            #expect(created.status == 201, "\(created.text)")
            for bad: JSONValue in [
                [
                    "name": "x", "entity": "ticket", "trigger": ["on": "sla", "start": "title", "stop": "first_response_at"],
                    "steps": [["after": "1h", "actions": [["type": "set", "values": ["title": "x"]]]]],
                ],
                [
                    "name": "x", "entity": "ticket", "trigger": ["on": "sla", "start": "created_at", "stop": "ghost"],
                    "steps": [["after": "1h", "actions": [["type": "set", "values": ["title": "x"]]]]],
                ],
                [
                    "name": "x", "entity": "ticket", "trigger": ["on": "sla", "start": "created_at", "stop": "first_response_at"],
                    "steps": [
                        ["after": "4h", "actions": [["type": "set", "values": ["title": "x"]]]],
                        ["after": "2h", "actions": [["type": "set", "values": ["title": "y"]]]],
                    ],
                ],
                [
                    "name": "x", "entity": "ticket", "trigger": ["on": "sla", "start": "created_at", "stop": "first_response_at"],
                    "actions": [["type": "set", "values": ["title": "x"]]],
                ],
            ] {
                try await app.call(.post, "/api/v1/meta/automations", key: admin, json: bad).expectError(422)
            }
            let (boss, bossKey) = try await app.makeUser(admin, name: "Supervisor", roles: ["admin"])
            let (_, rep) = try await app.makeUser(admin, name: "Rep", roles: ["admin"], manager: boss)
            let silent = try #require(try await app.create(rep, "ticket", ["title": "nobody answers"])["id"]?.stringValue)
            let quick = try #require(try await app.create(rep, "ticket", ["title": "answered in 2 h"])["id"]?.stringValue)
            let late = try #require(try await app.create(rep, "ticket", ["title": "answered in 5 h"])["id"]?.stringValue)
            #expect(try await pendingTimers(slug, record: silent) == 2)
            clock.advance(by: .seconds(2 * 3600))
            #expect(try await app.call(.patch, "/api/v1/data/ticket/\(quick)", key: rep, json: ["first_response_at": Self.iso(2)]).status == 200)
            #expect(try await pendingTimers(slug, record: quick) == 0)
            clock.advance(by: .seconds(2 * 3600 + 60))  // 4 h 1 min
            try await eventually("two reminders (silent and late)") {
                try await app.call(.get, "/api/v1/inbox", key: rep).data.count == 2
            }
            clock.advance(by: .seconds(3600))  // 5 h: the late one answers
            #expect(try await app.call(.patch, "/api/v1/data/ticket/\(late)", key: rep, json: ["first_response_at": Self.iso(5)]).status == 200)
            clock.advance(by: .seconds(7 * 3600))  // 12 h 1 min
            try await eventually("the silent ticket escalated to the supervisor") {
                try await app.call(.get, "/api/v1/data/ticket/\(silent)", key: admin).json?["escalated_to"]?.stringValue == boss
            }
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await app.call(.get, "/api/v1/inbox", key: bossKey).data.count == 1)
            #expect(try await app.call(.get, "/api/v1/data/ticket/\(late)", key: admin).json?["escalated_to"] == .null)
            #expect(try await app.call(.get, "/api/v1/inbox", key: rep).data.count == 2)
            for id in [silent, quick, late] { #expect(try await pendingTimers(slug, record: id) == 0) }
        }
    }

    @Test("a cron schedule ticks in the tenant's time zone: the actions run once per matching live record, and the next tick is set")
    func schedule() async throws {
        let clock = AutomationClock()
        try await TestApp.run(configure: { $0.automationClock = clock }) { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            try await app.createEntity(admin, Self.task)
            try await app.call(
                .post, "/api/v1/meta/automations", key: admin,
                json: [
                    "name": "x", "entity": "task", "trigger": ["on": "schedule", "cron": "0 25 * * *"],
                    "actions": [["type": "set", "values": ["stale": true]]],
                ]
            ).expectError(422)
            let created = try await app.call(
                .post, "/api/v1/meta/automations", key: admin,
                json: [
                    "name": "morning_sweep", "entity": "task", "trigger": ["on": "schedule", "cron": "0 9 * * *"],
                    "condition": "has(record.due_at) && record.due_at < now()", "actions": [["type": "set", "values": ["stale": true]]],
                ])
            #expect(created.status == 201, "\(created.text)")
            func ticks() async throws -> [String] {
                try await TestDatabase.withClient { client in
                    try await client.query(
                        PostgresQuery(
                            unsafeSQL:
                                """
                                SELECT to_char(due_at AT TIME ZONE 'Asia/Shanghai', 'HH24:MI') FROM t_\(slug)._outbox WHERE event = 'tick' AND \
                                status = 'pending'
                                """
                        )
                    )
                    .collect().map { try $0.decode(String.self) }
                }
            }
            #expect(try await ticks() == ["09:00"])
            let overdue = try #require(try await app.create(admin, "task", ["title": "overdue", "due_at": Self.iso(-1)])["id"]?.stringValue)
            let future = try #require(try await app.create(admin, "task", ["title": "future", "due_at": Self.iso(72)])["id"]?.stringValue)
            let deleted = try #require(try await app.create(admin, "task", ["title": "deleted", "due_at": Self.iso(-1)])["id"]?.stringValue)
            #expect(try await app.call(.delete, "/api/v1/data/task/\(deleted)", key: admin).status == 204)
            clock.advance(by: .seconds(24 * 3600 + 60))
            try await eventually("the overdue task swept") {
                try await app.call(.get, "/api/v1/data/task/\(overdue)", key: admin).json?["stale"] == true
            }
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await app.call(.get, "/api/v1/data/task/\(future)", key: admin).json?["stale"] == .null)
            let runs = try await app.call(.get, "/api/v1/automation-runs?automation=morning_sweep", key: admin).data
            #expect(runs.filter { $0["result"] == "ok" }.count == 2, "\(runs)")  // the tick, and one record
            #expect(try await ticks() == ["09:00"])
            // Switched off, it has no pending tick; switched on again, one.
            #expect(try await app.call(.patch, "/api/v1/meta/automations/morning_sweep", key: admin, json: ["active": false]).status == 200)
            #expect(try await ticks().isEmpty)
            #expect(try await app.call(.patch, "/api/v1/meta/automations/morning_sweep", key: admin, json: ["active": true]).status == 200)
            #expect(try await ticks().count == 1)
        }
    }

    /// A follow-up record as the pack requires it.
    /// A sales-pack lead being worked, last contacted now.
    static func workedLead(_ app: TestApp, key: String) async throws -> String {
        try #require(
            try await app.create(
                key, "lead",
                [
                    "company": "苏州某自动化设备有限公司", "contact_name": "周工", "phone": "13700000000", "source_channel": "exhibition",
                    "status": "following", "last_contact_at": iso(0),
                ])["id"]?.stringValue)
    }

    /// A sales-pack opportunity of that customer, with the contact its stage gates ask for.
    static func openOpportunity(_ app: TestApp, key: String, customer: String) async throws -> String {
        let contact = try #require(try await app.create(key, "contact", ["customer": .string(customer), "name": "周工"])["id"]?.stringValue)
        return try #require(
            try await app.create(
                key, "opportunity",
                [
                    "name": "产线改造", "customer": .string(customer), "amount": 500000, "expected_close_date": "2027-03-31",
                    "primary_contact": .string(contact),
                ])["id"]?.stringValue)
    }

    /// A follow-up made `at` hours after the test began (on the automation clock's time).
    static func followUp(lead: String? = nil, customer: String? = nil, at hours: Double = 0) -> JSONValue {
        var body: [(String, JSONValue)] = [
            ("method", "phone"), ("followed_at", iso(hours)), ("source_channel", "web_form"), ("first_touch", "phone"), ("pain_points", ["price"]),
            ("funnel_stage", "first_contact"), ("next_follow_up_at", iso(hours + 48)), ("content", "电话沟通了报价和交期"),
        ]
        if let lead { body.append(("lead", .string(lead))) }
        if let customer { body.append(("customer", .string(customer))) }
        return .object(body)
    }

    @Test(
        """
        the sales pack's third cut: leads routed and assigned, first-response SLA, follow-ups touching leads and customers, 7 and 14 days \
        without interaction, 48 h without the technical agreement
        """
    )
    func salesPackThirdCut() async throws {
        let clock = AutomationClock()
        try await TestApp.run(configure: { $0.automationClock = clock }) { app in
            let admin = try await app.createTenant(packs: ["sales"])
            let team = try #require(try await app.call(.post, "/api/v1/teams", key: admin, json: ["name": "华东大客户组"]).id)
            let (regional, regionalKey) = try await app.makeUser(admin, name: "区域经理", roles: ["regional_manager"])
            let (supervisor, supervisorKey) = try await app.makeUser(admin, name: "主管", roles: ["sales_supervisor"], manager: regional)
            let (ka, kaKey) = try await app.makeUser(admin, name: "大客户销售", roles: ["sales_rep"], team: team, manager: supervisor)
            var reps = [ka]
            for i in 0..<2 { reps.append(try await app.makeUser(admin, name: "销售\(i)", roles: ["sales_rep"], manager: supervisor).id) }
            func lead(_ source: String, _ industry: String) async throws -> String {
                try #require(
                    try await app.create(
                        admin, "lead",
                        [
                            "company": "苏州某设备公司", "contact_name": "周工", "phone": "13700000000",
                            "source_channel": .string(source), "industry": .string(industry),
                        ])["id"]?.stringValue)
            }
            func read(_ entity: String, _ id: String) async throws -> JSONValue? {
                try await app.call(.get, "/api/v1/data/\(entity)/\(id)", key: admin).json
            }
            // Douyin + auto parts → 华东大客户组; medical has no team yet → any active rep.
            let routed = try await lead("ad_leads", "auto_parts")
            let pooled = try await lead("web_form", "medical")
            try await eventually("both leads assigned") {
                let a = try await read("lead", routed), b = try await read("lead", pooled)
                return a?["status"] == "to_contact" && b?["status"] == "to_contact" && a?["assigned_at"] != .null
            }
            #expect(try await read("lead", routed)?["owner_id"]?.stringValue == ka)
            let pooledOwner = try #require(try await read("lead", pooled)?["owner_id"]?.stringValue)
            #expect(reps.contains(pooledOwner))
            #expect(try await app.call(.get, "/api/v1/inbox", key: kaKey).data.count >= 1)
            // The routed lead gets its first response at 2 h (a follow-up); the other never does.
            clock.advance(by: .seconds(2 * 3600))
            #expect(try await app.call(.post, "/api/v1/data/follow_up", key: kaKey, json: Self.followUp(lead: routed)).status == 201)
            try await eventually("first response recorded") { try await read("lead", routed)?["first_response_at"] != .null }
            clock.advance(by: .seconds(10 * 3600 + 60))  // 12 h 1 min after assignment
            try await eventually("the silent lead escalated to the supervisor") {
                let flagged = try await read("lead", pooled)?["sla_flag"] == "overdue"
                let told = try await app.call(.get, "/api/v1/inbox", key: supervisorKey).data.contains { $0["record_id"]?.stringValue == pooled }
                return flagged && told
            }
            let runs = try await app.call(.get, "/api/v1/automation-runs?automation=lead_first_response_sla", key: admin).data
            let firedForAnswered = runs.filter { $0["result"] == "ok" && $0["record_id"]?.stringValue == routed }
            #expect(firedForAnswered.isEmpty, "\(runs)")

            // A customer touched by a follow-up: red after 7 days, the regional manager after 14.
            let customer = try #require(try await app.create(kaKey, "customer", ["name": "杭州智联机电"])["id"]?.stringValue)
            #expect(try await app.call(.post, "/api/v1/data/follow_up", key: kaKey, json: Self.followUp(customer: customer)).status == 201)
            try await eventually("the customer touched") { try await read("customer", customer)?["last_interaction_at"] != .null }
            clock.advance(by: .seconds(7 * 86_400 + 60))
            try await eventually("red after 7 days") { try await read("customer", customer)?["interaction_flag"] == "overdue" }
            #expect(try await read("customer", customer)?["intervention_by"] == .null)
            clock.advance(by: .seconds(7 * 86_400))
            try await eventually("the regional manager steps in after 14 days") {
                try await read("customer", customer)?["intervention_by"]?.stringValue == regional
            }
            #expect(try await app.call(.get, "/api/v1/inbox", key: regionalKey).data.contains { $0["record_id"]?.stringValue == customer })

            // An opportunity 48 h into technical exchange without the signed agreement goes back a stage.
            let opportunity = try await Self.openOpportunity(app, key: kaKey, customer: customer)
            let moved = try await app.call(.patch, "/api/v1/data/opportunity/\(opportunity)", key: kaKey, json: ["stage": "technical_exchange"])
            #expect(moved.status == 200, "\(moved.text)")
            try await eventually("the stage clock set") {
                try await app.call(.get, "/api/v1/automation-runs?automation=opportunity_stage_clock&result=ok&record=\(opportunity)", key: admin)
                    .data.count == 1
            }
            clock.advance(by: .seconds(47 * 3600))
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await read("opportunity", opportunity)?["stage"] == "technical_exchange")
            clock.advance(by: .seconds(3600 + 60))
            try await eventually("moved back to initial contact") { try await read("opportunity", opportunity)?["stage"] == "initial_contact" }
            #expect(try await app.call(.get, "/api/v1/inbox", key: kaKey).data.contains { $0["record_id"]?.stringValue == opportunity })
        }
    }

    @Test("the sales pack's flags follow their condition both ways: yellow, then red, back on track after contact, and red again at the next lapse")
    func salesPackFlagsBothWays() async throws {
        let clock = AutomationClock()
        try await TestApp.run(configure: { $0.automationClock = clock }) { app in
            let admin = try await app.createTenant(packs: ["sales"])
            let (_, rep) = try await app.makeUser(admin, name: "销售", roles: ["sales_rep"])
            var hours = 0.0
            func advance(_ h: Double) {
                hours += h
                clock.advance(by: .seconds(Int64(h * 3600)))
            }
            func flag(_ entity: String, _ id: String, _ field: String = "sla_flag") async throws -> JSONValue? {
                try await app.call(.get, "/api/v1/data/\(entity)/\(id)", key: rep).json?[field]
            }
            func expectFlag(_ entity: String, _ id: String, field: String = "sla_flag", is value: JSONValue) async throws {
                try await eventually("\(entity).\(field) == \(value) at \(hours) h") { try await flag(entity, id, field) == value }
            }
            let lead = try await Self.workedLead(app, key: rep)
            let customer = try #require(try await app.create(rep, "customer", ["name": "杭州智联机电"])["id"]?.stringValue)
            let opportunity = try await Self.openOpportunity(app, key: rep, customer: customer)
            #expect(try await app.call(.post, "/api/v1/data/follow_up", key: rep, json: Self.followUp(customer: customer)).status == 201)
            try await eventually("the customer touched") {
                try await app.call(.get, "/api/v1/data/customer/\(customer)", key: rep).json?["last_interaction_at"] != .null
            }
            try await eventually("the opportunity's progress clock set") {
                try await app.call(.get, "/api/v1/data/opportunity/\(opportunity)", key: rep).json?["last_progress_at"] != .null
            }

            // Lead: yellow at 20 h, red at 24 h, back on track when a follow-up is recorded.
            advance(20.02)
            try await expectFlag("lead", lead, is: "due_soon")
            advance(4.02)
            try await expectFlag("lead", lead, is: "overdue")
            let contacted = try await app.call(.post, "/api/v1/data/follow_up", key: rep, json: Self.followUp(lead: lead, at: hours))
            #expect(contacted.status == 201, "\(contacted.text)")
            try await expectFlag("lead", lead, is: "on_track")

            // The lead's next lapse is noticed: yellow 20 h after the contact, red after 24 h.
            advance(44.5 - hours)
            try await expectFlag("lead", lead, is: "due_soon")
            #expect(try await flag("opportunity", opportunity) == "on_track")
            // Opportunity: yellow at 48 h, red at 72 h, back on track when its stage moves.
            advance(48.5 - hours)
            try await expectFlag("opportunity", opportunity, is: "due_soon")
            try await expectFlag("lead", lead, is: "overdue")
            advance(72.5 - hours)
            try await expectFlag("opportunity", opportunity, is: "overdue")
            let moved = try await app.call(.patch, "/api/v1/data/opportunity/\(opportunity)", key: rep, json: ["stage": "technical_exchange"])
            #expect(moved.status == 200, "\(moved.text)")
            try await expectFlag("opportunity", opportunity, is: "on_track")

            // Customer: yellow at 5 days, red at 7, back on track after a follow-up.
            advance(120.5 - hours)
            try await expectFlag("customer", customer, field: "interaction_flag", is: "due_soon")
            advance(48)
            try await expectFlag("customer", customer, field: "interaction_flag", is: "overdue")
            let touched = try await app.call(.post, "/api/v1/data/follow_up", key: rep, json: Self.followUp(customer: customer, at: hours))
            #expect(touched.status == 201, "\(touched.text)")
            try await expectFlag("customer", customer, field: "interaction_flag", is: "on_track")
            // A late worker (both marks passed at once) leaves the lead red, not yellow.
            let again = try await app.call(.post, "/api/v1/data/follow_up", key: rep, json: Self.followUp(lead: lead, at: hours))
            #expect(again.status == 201, "\(again.text)")
            try await expectFlag("lead", lead, is: "on_track")
            advance(25)
            try await expectFlag("lead", lead, is: "overdue")
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await flag("lead", lead) == "overdue")
            // Every flag change is an automation run, none failed.
            let failed = try await app.call(.get, "/api/v1/automation-runs?result=error", key: admin).data
            #expect(failed.isEmpty, "\(failed)")
        }
    }

    func deadlineEvents(_ slug: String, status: String) async throws -> Int {
        try await TestDatabase.withClient { client in
            try await client.query(
                PostgresQuery(
                    unsafeSQL: "SELECT count(*)::int FROM t_\(slug)._outbox WHERE event = 'approval_deadline' AND status = '\(status)'")
            )
            .collect().first?.decode(Int.self) ?? -1
        }
    }

    @Test("an approval step's deadline reminds the waiting approvers, then escalates to their managers; a step answered in time runs none")
    func approvalDeadlines() async throws {
        let clock = AutomationClock()
        try await TestApp.run(configure: { $0.automationClock = clock }) { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug)
            try await app.createEntity(admin, ApprovalTests.contract)
            for role in [ApprovalTests.role("rep", read: "own", update: "own"), ApprovalTests.role("finance", read: "all", update: "none")] {
                #expect(try await app.call(.post, "/api/v1/meta/roles", key: admin, json: role).status == 201)
            }
            let director = try await app.makeUser(admin, name: "总监", roles: ["finance"])
            let manager = try await app.makeUser(admin, name: "经理", roles: ["finance"], manager: director.id)
            let finance = try await app.makeUser(admin, name: "财务", roles: ["finance"])
            let rep = try await app.makeUser(admin, name: "销售", roles: ["rep"], manager: manager.id)
            let remind: JSONValue = ["type": "notify", "to": "approvers", "message": ["zh-CN": "审批即将超时", "en": "Approval due soon"]]
            let process: JSONValue = [
                "name": "timed", "entity": "contract",
                "steps": [
                    [
                        "name": "manager", "approvers": [["manager": 1]],
                        "deadline": [
                            ["after": "24h", "actions": [remind]],
                            [
                                "after": "48h",
                                "actions": [
                                    ["type": "escalate", "levels": 1, "message": ["en": "An approval of your team is overdue"]],
                                    ["type": "set", "values": ["notes": "overdue"]],
                                ],
                            ],
                        ],
                    ],
                    ["name": "finance", "approvers": [["user": .string(finance.id)]], "deadline": [["after": "24h", "actions": [remind]]]],
                ],
            ]
            // Deadlines are checked: only inbox notices, escalation by levels and set; marks in order.
            for bad: JSONValue in [
                [["after": "24h", "actions": [["type": "webhook", "url": "https://example.com/x"]]]],
                [["after": "24h", "actions": [["type": "escalate", "role": "finance", "message": ["en": "x"]]]]],
                [["after": "48h", "actions": [remind]], ["after": "24h", "actions": [remind]]],
                [["after": "soon", "actions": [remind]]],
                [["after": "1h", "actions": [["type": "notify", "to": "everyone", "message": ["en": "x"]]]]],
                [],
            ] {
                let step: JSONValue = ["name": "s", "approvers": [["manager": 1]], "deadline": bad]
                let reply = try await app.call(
                    .post, "/api/v1/meta/approvals", key: admin, json: ["name": "bad", "entity": "contract", "steps": [step]])
                reply.expectError(422)
                #expect(
                    reply.json?["error"]?["details"]?.arrayValue?.first?["field"]?.stringValue?.hasPrefix("steps[0].deadline") == true,
                    "\(reply.text)")
            }
            #expect(try await app.call(.post, "/api/v1/meta/approvals", key: admin, json: process).status == 201)
            let id = try #require(try await app.create(rep.key, "contract", ["title": "年度框架", "amount": 100])["id"]?.stringValue)
            let approval = try #require(
                try await app.call(.post, "/api/v1/data/contract/\(id)/approvals", key: rep.key, json: ["process": "timed"]).id)
            #expect(try await deadlineEvents(slug, status: "pending") == 2)
            func inbox(_ key: String) async throws -> [String] {
                try await app.call(.get, "/api/v1/inbox", key: key).data.compactMap { $0["message"]?["en"]?.stringValue }
            }
            #expect(try await inbox(manager.key) == ["Waiting for your approval: timed"])

            clock.advance(by: .seconds(23 * 3600))
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await inbox(manager.key).count == 1)
            clock.advance(by: .seconds(2 * 3600))  // 25 h: the reminder
            try await eventually("the reminder") { try await inbox(manager.key).contains("Approval due soon") }
            #expect(try await inbox(director.key).isEmpty)
            clock.advance(by: .seconds(24 * 3600))  // 49 h: the escalation
            try await eventually("the escalation") {
                try await app.call(.get, "/api/v1/approvals?for=me", key: director.key).data.count == 1
            }
            #expect(try await inbox(director.key) == ["An approval of your team is overdue"])
            #expect(try await app.call(.get, "/api/v1/data/contract/\(id)", key: rep.key).json?["notes"] == "overdue")
            // The manager may still answer, or the director for them; the director does.
            #expect(try await app.call(.post, "/api/v1/approvals/\(approval)/approve", key: director.key, json: [:]).json?["step"] == "finance")
            #expect(try await app.call(.get, "/api/v1/approvals?for=me", key: manager.key).data.isEmpty)
            // Finance answers within its day: its mark finds nothing to do.
            #expect(try await app.call(.post, "/api/v1/approvals/\(approval)/approve", key: finance.key, json: [:]).json?["status"] == "approved")
            clock.advance(by: .seconds(25 * 3600))
            try await eventually("every mark handled") { try await deadlineEvents(slug, status: "pending") == 0 }
            #expect(try await deadlineEvents(slug, status: "done") == 3)
            #expect(try await inbox(finance.key) == ["Waiting for your approval: timed"])
            let log = try #require(try await app.call(.get, "/api/v1/approvals/\(approval)", key: rep.key).json?["log"]?.arrayValue)
            #expect(log.filter { $0["action"] == "deadline" }.count == 2)
            let runs = try await app.call(.get, "/api/v1/automation-runs?automation=approval:timed", key: admin).data
            #expect(runs.compactMap { $0["result"]?.stringValue }.sorted() == ["ok", "ok", "skipped"], "\(runs)")
        }
    }
}
