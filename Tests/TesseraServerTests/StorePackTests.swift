import Foundation
import TesseraApp
import TesseraCore
import TesseraStore
import TesseraTestSupport
import Testing

/// The store-sales pack (门店销售管理系统, issue 16 part 1) end to end through the API, on the
/// automation clock: three levels of people, a guide's promise going overdue and escalating,
/// the daily report and its achievement rate, three days below target, the missing report at
/// closing, and the three-party confirmation.
@Suite("Store pack")
struct StorePackTests {
    struct Chain {
        let admin: String
        let supervisor: (id: String, key: String)
        let manager: (id: String, key: String)
        let guide: (id: String, key: String)
        let store: String
        let member: String
    }

    /// A region, a store run by its manager, the manager's guide (one team) and the guide's member.
    static func chain(_ app: TestApp) async throws -> Chain {
        let admin = try await app.createTenant(packs: ["store"])
        let team = try #require(try await app.call(.post, "/api/v1/teams", key: admin, json: ["name": "西湖店"]).id)
        let supervisor = try await app.makeUser(admin, name: "督导", roles: ["regional_supervisor"])
        let manager = try await app.makeUser(admin, name: "店长", roles: ["store_manager"], team: team, manager: supervisor.id)
        let guide = try await app.makeUser(admin, name: "导购", roles: ["shopping_guide"], team: team, manager: manager.id)
        let region = try #require(try await app.create(admin, "region", ["name": "华东区", "supervisor": .string(supervisor.id)])["id"]?.stringValue)
        let store = try #require(
            try await app.create(
                admin, "store",
                [
                    "name": "西湖店", "region": .string(region), "owner_id": .string(manager.id), "manager": .string(manager.id),
                    "supervisor": .string(supervisor.id), "daily_target": 10000, "closing_time": "22:00",
                    "address": ["lat": 30.25, "lng": 120.15, "address": "杭州市西湖区"],
                ])["id"]?.stringValue)
        let member = try await app.call(
            .post, "/api/v1/data/member", key: guide.key, json: ["name": "陈女士", "phone": "13900000001", "home_store": .string(store)])
        #expect(member.status == 201, "\(member.text)")
        return Chain(admin: admin, supervisor: supervisor, manager: manager, guide: guide, store: store, member: try #require(member.id))
    }

    static func iso(_ hours: Double) -> JSONValue { .string(Date().addingTimeInterval(hours * 3600).formatted(.iso8601)) }

    /// The caller's inbox; with `from`, only what that automation sent. (Every test application's worker
    /// runs any tenant's events, and another test's clock may be past this tenant's 22:00 tick.)
    func inbox(_ app: TestApp, _ key: String, from automation: String? = nil) async throws -> [JSONValue] {
        try await app.call(.get, "/api/v1/inbox", key: key).data.filter { automation == nil || $0["automation"]?.stringValue == automation }
    }

    @Test("a guide's overdue promise escalates guide → store manager → supervisor; a kept one stops the clock; three parties confirm a price promise")
    func promises() async throws {
        let clock = AutomationClock()
        try await TestApp.run(configure: { $0.automationClock = clock }) { app in
            let c = try await Self.chain(app)
            let promise: JSONValue = [
                "member": .string(c.member), "store": .string(c.store), "kind": "stock_arrival", "content": "新款到货后第一时间电话通知",
                "due_at": Self.iso(2),
            ]
            let late = try #require(try await app.call(.post, "/api/v1/data/promise", key: c.guide.key, json: promise).id)
            var kept = promise
            kept = kept.setting("content", "送货上门并安装")
            let keptID = try #require(try await app.call(.post, "/api/v1/data/promise", key: c.guide.key, json: kept).id)
            // The store's manager and supervisor come with the promise.
            try await eventually("the chain filled in") {
                let p = try await app.call(.get, "/api/v1/data/promise/\(late)", key: c.guide.key).json
                return p?["store_manager"]?.stringValue == c.manager.id && p?["supervisor"]?.stringValue == c.supervisor.id
            }
            // One is kept in time: recording when marks it kept.
            let done = try await app.call(.patch, "/api/v1/data/promise/\(keptID)", key: c.guide.key, json: ["fulfilled_at": Self.iso(1)])
            #expect(done.status == 200, "\(done.text)")
            try await eventually("kept") { try await app.call(.get, "/api/v1/data/promise/\(keptID)", key: c.guide.key).json?["status"] == "kept" }
            func overdue(_ field: String) async throws -> JSONValue? {
                try await app.call(.get, "/api/v1/data/promise/\(late)", key: c.admin).json?[field]
            }
            clock.advance(by: .seconds(2 * 3600 + 120))  // due + 2 min
            try await eventually("overdue, the guide told") { try await overdue("status") == "overdue" }
            let escalation = "promise_overdue_escalation"
            try await eventually("the guide's notice") { try await inbox(app, c.guide.key, from: escalation).count == 1 }
            #expect(try await overdue("escalated_to") == .null)
            clock.advance(by: .seconds(4 * 3600))  // due + 4 h
            try await eventually("escalated to the store manager") { try await overdue("escalated_to")?.stringValue == c.manager.id }
            try await eventually("the manager's notice") { try await inbox(app, c.manager.key, from: escalation).count == 1 }
            clock.advance(by: .seconds(20 * 3600))  // due + 24 h
            try await eventually("escalated to the supervisor") { try await overdue("escalated_to")?.stringValue == c.supervisor.id }
            try await eventually("the supervisor's notice") { try await inbox(app, c.supervisor.key, from: escalation).count == 1 }
            // The kept promise never escalated; the guide sees only their own promises.
            #expect(try await app.call(.get, "/api/v1/data/promise/\(keptID)", key: c.admin).json?["escalated_to"] == .null)
            #expect(try await inbox(app, c.guide.key, from: escalation).count == 1)
            let other = try await app.makeUser(c.admin, name: "另一导购", roles: ["shopping_guide"])
            try await app.call(.get, "/api/v1/data/promise/\(late)", key: other.key).expectError(404)
            // A price guarantee needs the guide, the store manager and the supervisor to sign.
            var price = promise
            price = price.setting("kind", "price").setting("content", "30天内降价补差").setting("due_at", Self.iso(24 * 30))
            let priceID = try #require(try await app.call(.post, "/api/v1/data/promise", key: c.guide.key, json: price).id)
            try await eventually("the chain filled in") {
                try await app.call(.get, "/api/v1/data/promise/\(priceID)", key: c.guide.key).json?["supervisor"]?.stringValue == c.supervisor.id
            }
            let submitted = try await app.call(
                .post, "/api/v1/data/promise/\(priceID)/approvals", key: c.guide.key, json: ["process": "promise_confirmation"])
            #expect(submitted.status == 201, "\(submitted.text)")
            let approval = try #require(submitted.id)
            for key in [c.guide.key, c.manager.key, c.supervisor.key] {
                let answer = try await app.call(.post, "/api/v1/approvals/\(approval)/approve", key: key, json: ["comment": "已阅知"])
                #expect(answer.status == 200, "\(answer.text)")
            }
            try await eventually("confirmed by three parties") {
                try await app.call(.get, "/api/v1/data/promise/\(priceID)", key: c.guide.key).json?["confirmed"] == true
            }
        }
    }

    @Test("the daily report: achievement, conversion and ticket computed; one per day; three days below target tell the supervisor")
    func dailyReport() async throws {
        try await TestApp.run { app in
            let c = try await Self.chain(app)
            let today = Date()
            func day(_ offset: Int) -> JSONValue {
                .string(String(today.addingTimeInterval(Double(offset) * 86_400).formatted(.iso8601).prefix(10)))
            }
            func report(_ offset: Int, sales: Double) async throws -> TestApp.Reply {
                try await app.call(
                    .post, "/api/v1/data/store_daily", key: c.manager.key,
                    json: [
                        "store": .string(c.store), "report_date": day(offset), "target_amount": 10000, "sales_amount": .number(sales),
                        "traffic": 200, "transactions": 40,
                    ])
            }
            let first = try await report(-2, sales: 8000)
            #expect(first.status == 201, "\(first.text)")
            #expect(first.json?["achievement_rate"]?.doubleValue == 80 && first.json?["conversion_rate"]?.doubleValue == 20)
            #expect(first.json?["average_ticket"]?.doubleValue == 200)
            // One report per store and day.
            let again = try await report(-2, sales: 9000)
            #expect((400..<500).contains(again.status), "\(again.text)")
            again.expectError(again.status)
            func store(_ field: String) async throws -> JSONValue? {
                try await app.call(.get, "/api/v1/data/store/\(c.store)", key: c.admin).json?[field]
            }
            try await eventually("the store remembers its report") { try await store("below_target_days") == 1 }
            #expect(try await store("last_report_date") == day(-2))
            #expect(try await report(-1, sales: 9500).status == 201)
            try await eventually("two days below target") { try await store("below_target_days") == 2 }
            #expect(try await inbox(app, c.supervisor.key, from: "store_below_target_3d").isEmpty)
            #expect(try await report(0, sales: 7000).status == 201)
            try await eventually("the supervisor is told on the third day") {
                try await inbox(app, c.supervisor.key, from: "store_below_target_3d").count == 1
            }
            #expect(try await store("below_target_days") == 3)
            #expect(try await store("last_report_date") == day(0))
            // The supervisor sees it among the stores below target; a good day starts the count again.
            let below = try await app.call(.get, "/api/v1/views/stores_below_target/data", key: c.supervisor.key)
            #expect(below.data.contains { $0["id"]?.stringValue == c.store }, "\(below.text)")
            #expect(try await report(1, sales: 12000).status == 201)
            try await eventually("back to zero") { try await store("below_target_days") == 0 }
            // Transactions cannot exceed visitors; the guide reads reports but cannot write them.
            let impossible = try await app.call(
                .post, "/api/v1/data/store_daily", key: c.manager.key,
                json: [
                    "store": .string(c.store), "report_date": day(2), "target_amount": 1, "sales_amount": 1, "traffic": 5,
                    "transactions": 6,
                ])
            impossible.expectError(422)
            #expect(try await app.call(.get, "/api/v1/data/store_daily", key: c.guide.key).data.count == 4)
            try await app.call(
                .post, "/api/v1/data/store_daily", key: c.guide.key,
                json: ["store": .string(c.store), "report_date": day(3), "target_amount": 1, "sales_amount": 1]
            ).expectError(403)
        }
    }

    @Test("at closing time a store without today's report reminds its manager; a store that reported is left alone")
    func missingReport() async throws {
        let clock = AutomationClock()
        try await TestApp.run(configure: { $0.automationClock = clock }) { app in
            let c = try await Self.chain(app)
            let other = try await app.makeUser(c.admin, name: "另一店长", roles: ["store_manager"], manager: c.supervisor.id)
            let region = try #require(try await app.call(.get, "/api/v1/data/region", key: c.admin).data.first?["id"]?.stringValue)
            _ = try await app.create(
                c.admin, "store", ["name": "滨江店", "region": .string(region), "owner_id": .string(other.id), "daily_target": 8000])
            // The next 22:00 in the tenant's zone (Asia/Shanghai), and the day it falls on there.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
            let now = Date()
            var tick = calendar.date(bySettingHour: 22, minute: 0, second: 0, of: now)!
            if tick <= now { tick = calendar.date(byAdding: .day, value: 1, to: tick)! }
            let parts = calendar.dateComponents([.year, .month, .day], from: tick)
            let date = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
            let reported = try await app.call(
                .post, "/api/v1/data/store_daily", key: c.manager.key,
                json: ["store": .string(c.store), "report_date": .string(date), "target_amount": 10000, "sales_amount": 10500])
            #expect(reported.status == 201, "\(reported.text)")
            try await eventually("the store remembers its report") {
                try await app.call(.get, "/api/v1/data/store/\(c.store)", key: c.admin).json?["last_report_date"] == .string(date)
            }
            clock.advance(by: .seconds(tick.timeIntervalSince(now) + 60))
            try await eventually("the other store's manager reminded") { try await inbox(app, other.key, from: "daily_report_missing").count == 1 }
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await inbox(app, c.manager.key, from: "daily_report_missing").isEmpty)
        }
    }
}
