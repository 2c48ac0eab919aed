import Foundation
import TesseraCore
import TesseraStore
import TesseraTestSupport
import Testing

/// The CRM pack (CRM系统, issue 16 part 2) on top of the sales pack, through the API and on the
/// automation clock. Serialized: the clock moves the timers of every test's worker.
@Suite("CRM pack", .serialized)
struct CrmPackTests {
    @Test("every stage change logs the action taken and fresh customer feedback of at most 50 characters")
    func stageLog() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant(packs: ["sales", "crm"])
            let customer = try #require(try await app.create(admin, "customer", ["name": "杭州某软件有限公司"])["id"]?.stringValue)
            // Creating needs no log; the first stage is where it starts.
            let id = try #require(
                try await app.create(
                    admin, "opportunity", ["name": "ERP升级", "customer": .string(customer), "amount": 300000, "expected_close_date": "2027-06-30"])[
                        "id"]?.stringValue)
            let path = "/api/v1/data/opportunity/\(id)"
            let lost: JSONValue = ["stage": "lost", "lost_reason": "budget_cut"]
            // A stage change without the log is refused, and nothing changes.
            let bare = try await app.call(.patch, path, key: admin, json: lost)
            #expect(bare.expectError(422)?["details"]?.arrayValue?.contains { $0["rule"] == "stage_change_logged" } == true, "\(bare.text)")
            #expect(try await app.call(.get, path, key: admin).json?["stage"] == "initial_contact")
            // Feedback over 50 characters is refused.
            let long = lost.setting("advance_action", "arrange_demo").setting("customer_feedback", .string(String(repeating: "预", count: 51)))
            let tooLong = try await app.call(.patch, path, key: admin, json: long)
            #expect(tooLong.expectError(422)?["details"]?.arrayValue?.first?["field"] == "customer_feedback", "\(tooLong.text)")
            let logged = lost.setting("advance_action", "arrange_demo").setting("customer_feedback", "客户预算冻结到明年")
            let moved = try await app.call(.patch, path, key: admin, json: logged)
            #expect(moved.status == 200 && moved.json?["stage"] == "lost", "\(moved.text)")
            // Editing other fields needs no log; the next move needs new feedback, not the last one.
            #expect(try await app.call(.patch, path, key: admin, json: ["lost_reason_detail": "明年再谈"]).status == 200)
            try await app.call(.patch, path, key: admin, json: ["stage": "initial_contact"]).expectError(422)
            let back = try await app.call(.patch, path, key: admin, json: ["stage": "initial_contact", "customer_feedback": "预算解冻，重新启动"])
            #expect(back.status == 200, "\(back.text)")
            // The log is the record's history: both moves with their feedback.
            let history = try await app.call(.get, "\(path)/history", key: admin)
            let feedback = history.data.flatMap { $0["changes"]?.arrayValue ?? [] }.filter { $0["field"] == "customer_feedback" }.compactMap {
                $0["new"]?.stringValue
            }
            #expect(Set(feedback) == ["客户预算冻结到明年", "预算解冻，重新启动"], "\(history.text)")
        }
    }

    @Test("a slow-system ticket open over 48 hours marks its customer a technical-experience risk and calls in customer success")
    func churnFlag() async throws {
        let clock = AutomationClock()
        try await TestApp.run(configure: { $0.automationClock = clock }) { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug, packs: ["sales", "crm"])
            let success = try await app.makeUser(admin, name: "客户成功", roles: ["customer_success"])
            let slow = try #require(try await app.create(admin, "customer", ["name": "卡顿客户"])["id"]?.stringValue)
            let fine = try #require(try await app.create(admin, "customer", ["name": "咨询客户"])["id"]?.stringValue)
            let now = Date().formatted(.iso8601)
            let slowTicket = try #require(
                try await app.create(
                    admin, "ticket", ["customer": .string(slow), "subject": "报表打开要一分钟", "category": "slow_system", "opened_at": .string(now)])["id"]?
                    .stringValue)
            _ = try await app.create(
                admin, "ticket", ["customer": .string(fine), "subject": "如何导出", "category": "question", "opened_at": .string(now)])
            let fixed = try #require(
                try await app.create(
                    admin, "ticket", ["customer": .string(fine), "subject": "列表慢", "category": "slow_system", "opened_at": .string(now)])["id"]?
                    .stringValue)
            // Resolved in time: no flag for its customer.
            #expect(
                try await app.call(.patch, "/api/v1/data/ticket/\(fixed)", key: admin, json: ["status": "resolved", "resolved_at": .string(now)])
                    .status
                    == 200)
            // Due 48 hours after it was opened. (Not "not yet at 47 h": other tests' workers, on clocks of
            // their own, may run this tenant's timers early.)
            let opened = try #require(TimeText.parseTimestamp(now))
            #expect(try await TimeTriggerTests.pendingDue(slug, record: slowTicket).due == [opened + 48 * 3_600_000_000])
            #expect(try await app.call(.get, "/api/v1/data/customer/\(slow)", key: admin).json?["churn_risk"] == "none")
            clock.advance(by: .seconds(49 * 3600))
            try await eventually("the slow customer flagged") {
                try await app.call(.get, "/api/v1/data/customer/\(slow)", key: admin).json?["churn_risk"] == "tech_experience"
            }
            #expect(try await app.call(.get, "/api/v1/data/customer/\(fine)", key: admin).json?["churn_risk"] == "none")
            let inbox = try await app.call(.get, "/api/v1/inbox", key: success.key).data
            #expect(inbox.contains { $0["automation"] == "slow_system_ticket_48h" }, "\(inbox)")
        }
    }
}
