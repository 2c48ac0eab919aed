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
            #expect(try await TimeTriggerTests.pendingDue(slug, record: slowTicket).due.contains(opened + 48 * 3_600_000_000))
            #expect(try await app.call(.get, "/api/v1/data/customer/\(slow)", key: admin).json?["churn_risk"] == "none")
            clock.advance(by: .seconds(49 * 3600))
            try await eventually("the slow customer flagged") {
                try await app.call(.get, "/api/v1/data/customer/\(slow)", key: admin).json?["churn_risk"] == "tech_experience"
            }
            #expect(try await app.call(.get, "/api/v1/data/customer/\(fine)", key: admin).json?["churn_risk"] != "tech_experience")
            let inbox = try await app.call(.get, "/api/v1/inbox", key: success.key).data
            #expect(inbox.contains { $0["automation"] == "slow_system_ticket_48h" }, "\(inbox)")
        }
    }

    @Test("a customer silent 7 days or more with a question still open is flagged at the morning check, and unflagged when back in touch")
    func inactiveWithOpenQuestions() async throws {
        let clock = AutomationClock()
        try await TestApp.run(configure: { $0.automationClock = clock }) { app in
            let admin = try await app.createTenant(packs: ["sales", "crm"])
            let success = try await app.makeUser(admin, name: "客户成功", roles: ["customer_success"])
            let now = Date()
            func customer(_ name: String, lastSeen: Date?) async throws -> String {
                var values: JSONValue = ["name": .string(name)]
                if let lastSeen { values = values.setting("last_interaction_at", .string(lastSeen.formatted(.iso8601))) }
                return try #require(try await app.create(admin, "customer", values)["id"]?.stringValue)
            }
            let silent = try await customer("沉默客户", lastSeen: now.addingTimeInterval(-8 * 86400))
            let recent = try await customer("活跃客户", lastSeen: now.addingTimeInterval(-86400))
            let answered = try await customer("问题已解决", lastSeen: now.addingTimeInterval(-20 * 86400))
            for (who, status) in [(silent, "open"), (recent, "open"), (answered, "resolved")] {
                var ticket: JSONValue = [
                    "customer": .string(who), "subject": "怎么配置审批", "category": "question", "opened_at": .string(now.formatted(.iso8601)),
                    "status": .string(status),
                ]
                if status == "resolved" { ticket = ticket.setting("resolved_at", .string(now.formatted(.iso8601))) }
                _ = try await app.create(admin, "ticket", ticket)
            }
            func risk(_ id: String) async throws -> JSONValue? {
                try await app.call(.get, "/api/v1/data/customer/\(id)", key: admin).json?["churn_risk"]
            }
            // The check runs every morning at 9:00: a day on, it has run at least once.
            clock.advance(by: .seconds(25 * 3600))
            try await eventually("the silent customer flagged") { try await risk(silent) == "inactive" }
            #expect(try await risk(recent) == "none")
            #expect(try await risk(answered) == "none")
            let inbox = try await app.call(.get, "/api/v1/inbox", key: success.key).data
            #expect(inbox.filter { $0["automation"] == "inactive_customer_open_questions" }.count == 1, "\(inbox)")
            // Back in touch: the flag goes.
            let touched = try await app.call(
                .patch, "/api/v1/data/customer/\(silent)", key: admin, json: ["last_interaction_at": .string(Date().formatted(.iso8601))])
            #expect(touched.status == 200, "\(touched.text)")
            try await eventually("the flag cleared") { try await risk(silent) == "none" }
        }
    }

    /// Sales, finance, pre-sales and a customer success manager in a tenant with both packs.
    struct Team {
        let admin: String
        let rep: (id: String, key: String)
        let finance: (id: String, key: String)
        let customer: String
    }

    static func team(_ app: TestApp, _ slug: String = TestDatabase.uniqueSlug()) async throws -> Team {
        let admin = try await app.createTenant(slug, packs: ["sales", "crm"])
        let rep = try await app.makeUser(admin, name: "销售", roles: ["sales_rep"])
        let finance = try await app.makeUser(admin, name: "财务", roles: ["finance"])
        let customer = try #require(try await app.create(rep.key, "customer", ["name": "杭州智联机电"])["id"]?.stringValue)
        return Team(admin: admin, rep: rep, finance: finance, customer: customer)
    }

    @Test("the 360° customer: contacts, opportunities, contracts, invoices, payments, activities and tickets on one form, as each role may see them")
    func customer360() async throws {
        try await TestApp.run { app in
            let t = try await Self.team(app)
            let success = try await app.makeUser(t.admin, name: "客户成功", roles: ["customer_success"])
            let otherRep = try await app.makeUser(t.admin, name: "另一位销售", roles: ["sales_rep"])
            let customer = JSONValue.string(t.customer)
            for name in ["王总", "李工"] { _ = try await app.create(t.rep.key, "contact", ["name": .string(name), "customer": customer]) }
            _ = try await app.create(
                t.rep.key, "opportunity", ["name": "二期扩产", "customer": customer, "amount": 480000, "expected_close_date": "2027-05-31"])
            let contract = try #require(
                try await app.create(t.rep.key, "contract", ["title": "二期", "customer": customer, "amount": 480000])["id"]?.stringValue)
            let milestone = try #require(
                try await app.create(
                    t.rep.key, "payment_milestone",
                    ["contract": .string(contract), "name": "首付款", "kind": "deposit", "amount": 144000, "due_date": "2027-06-15"])["id"]?
                    .stringValue)
            try await eventually("the milestone takes its contract's customer") {
                try await app.call(.get, "/api/v1/data/payment_milestone/\(milestone)", key: t.admin).json?["customer"] == customer
            }
            let now = Date()
            _ = try await app.create(
                t.rep.key, "follow_up",
                [
                    "customer": customer, "method": "phone", "followed_at": .string(now.formatted(.iso8601)), "source_channel": "referral",
                    "first_touch": "phone", "pain_points": ["delivery_cycle"], "funnel_stage": "quotation", "content": "确认二期报价",
                    "next_follow_up_at": .string(now.addingTimeInterval(3 * 86400).formatted(.iso8601)),
                ])
            _ = try await app.create(
                t.rep.key, "visit",
                ["customer": customer, "planned_at": .string(now.addingTimeInterval(86400).formatted(.iso8601)), "city": "杭州"])
            _ = try await app.create(
                success.key, "ticket",
                ["customer": customer, "subject": "系统卡顿", "category": "slow_system", "opened_at": .string(now.formatted(.iso8601))])
            let path = "/api/v1/data/customer/\(t.customer)/form"
            func counts(_ key: String) async throws -> [String: Int] {
                let form = try await app.call(.get, path, key: key)
                #expect(form.status == 200 && form.json?["form"] == "customer_360", "\(form.text)")
                var out: [String: Int] = [:]
                for section in form.json?["sections"]?.arrayValue ?? [] {
                    if let name = section["name"]?.stringValue, let count = section["related"]?["count"]?.intValue { out[name] = count }
                }
                return out
            }
            let everything = [
                "contacts": 2, "opportunities": 1, "contracts": 1, "invoices": 1, "payments": 1, "follow_ups": 1, "visits": 1, "tickets": 1,
            ]
            #expect(try await counts(t.admin) == everything)
            // Customer success reads the whole picture; the owning rep has no tickets (customer success keeps them).
            #expect(try await counts(success.key) == everything)
            var repView = everything
            repView["tickets"] = nil
            #expect(try await counts(t.rep.key) == repView)
            // The invoices list shows the invoice columns; another rep does not reach the customer at all.
            let form = try await app.call(.get, path, key: t.admin)
            let invoice = form.json?["sections"]?.arrayValue?.first { $0["name"] == "invoices" }?["related"]?["data"]?.arrayValue?.first
            #expect(Set(invoice?.objectValue?.map(\.0) ?? []) == ["id", "contract_no", "title", "invoice_status", "invoiced_at", "invoice_on_time"])
            try await app.call(.get, path, key: otherRep.key).expectError(404)
        }
    }

    @Test("signed means the stamped scan confirmed by finance: refused without it, refused by hand, reached only through the signing confirmation")
    func signed() async throws {
        try await TestApp.run { app in
            let t = try await Self.team(app)
            let created = try await app.create(t.rep.key, "contract", ["title": "产线集成", "customer": .string(t.customer), "amount": 620000])
            let id = try #require(created["id"]?.stringValue)
            let path = "/api/v1/data/contract/\(id)"
            // An email about the price is not a signature: no scan, no confirmation, no "signed".
            let bare = try await app.call(.patch, path, key: t.rep.key, json: ["status": "signed"])
            #expect(
                bare.expectError(422)?["details"]?.arrayValue?.contains { $0["rule"] == "signed_means_stamped_and_confirmed" } == true, "\(bare.text)"
            )
            try await app.call(
                .post, "/api/v1/data/contract", key: t.rep.key,
                json: [
                    "title": "直接签", "customer": .string(t.customer), "amount": 1000, "status": "signed",
                ]
            ).expectError(422)
            // Nobody ticks finance's confirmation by hand, admins included: 403 naming the field.
            for key in [t.rep.key, t.finance.key, t.admin] {
                let ticked = try await app.call(.patch, path, key: key, json: ["finance_confirmed": true])
                #expect(ticked.expectError(403)?["details"]?.arrayValue?.first?["rule"] == "read_only", "\(ticked.text)")
            }
            // The scan alone is not enough either.
            let scan = try #require(
                try await app.call(
                    .post, "/api/v1/files?name=contract.pdf", key: t.rep.key, raw: "%PDF-1.4 stamped", headers: [.contentType: "application/pdf"]
                ).id)
            #expect(
                try await app.call(.patch, path, key: t.rep.key, json: ["signed_scan": [.string(scan)], "status": "pending_signature"]).status == 200)
            try await app.call(.patch, path, key: t.rep.key, json: ["status": "signed"]).expectError(422)
            let record = try await app.call(.get, path, key: t.rep.key).json
            #expect(record?["status"] == "pending_signature" && record?["finance_confirmed"] == false)
            // The one path: the owner submits, finance approves, and the contract is signed.
            let submitted = try await app.call(.post, "\(path)/approvals", key: t.rep.key, json: ["process": "signing_confirmation"])
            let approval = try #require(submitted.id, "\(submitted.text)")
            // While it is pending the scan is frozen.
            try await app.call(.patch, path, key: t.rep.key, json: ["signed_scan": []]).expectError(423)
            let approved = try await app.call(.post, "/api/v1/approvals/\(approval)/approve", key: t.finance.key, json: [:])
            #expect(approved.json?["status"] == "approved", "\(approved.text)")
            let signed = try #require(try await app.call(.get, path, key: t.rep.key).json)
            #expect(signed["status"] == "signed" && signed["finance_confirmed"] == true && signed["finance_confirmed_at"]?.stringValue != nil)
            #expect(signed["signed_date"]?.stringValue?.count == 10, "\(signed)")
            // The morning board lists it as signed and not delivered, until it is delivered.
            let board = "/api/v1/views/morning_signed_not_delivered/data"
            #expect(try await app.call(.get, board, key: t.rep.key).data.compactMap { $0["id"]?.stringValue } == [id])
            #expect(try await app.call(.patch, path, key: t.rep.key, json: ["delivered_at": "2027-01-15"]).status == 200)
            #expect(try await app.call(.get, board, key: t.rep.key).data.isEmpty)
        }
    }

    @Test("paid means a bank entry naming the contract number for at least 95%; the milestone takes its contract's customer")
    func paid() async throws {
        try await TestApp.run { app in
            let t = try await Self.team(app)
            let contract = try await app.create(t.rep.key, "contract", ["title": "验收款合同", "customer": .string(t.customer), "amount": 100000])
            let number = try #require(contract["contract_no"]?.stringValue)
            let milestone = try #require(
                try await app.create(
                    t.rep.key, "payment_milestone",
                    [
                        "contract": contract["id"]!, "name": "验收款30%", "kind": "acceptance", "amount": 30000, "due_date": "2027-03-01",
                    ])["id"]?.stringValue)
            let path = "/api/v1/data/payment_milestone/\(milestone)"
            try await eventually("the customer copied from the contract") {
                try await app.call(.get, path, key: t.rep.key).json?["customer"]?.stringValue == t.customer
            }
            try await app.call(.patch, path, key: t.rep.key, json: ["customer": .null]).expectError(403)
            func pay(_ values: JSONValue) async throws -> TestApp.Reply { try await app.call(.patch, path, key: t.finance.key, json: values) }
            // No bank entry: refused, naming the missing parts.
            let missing = try await pay(["status": "paid"])
            let fields = Set((missing.expectError(422)?["details"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue })
            #expect(fields.isSuperset(of: ["paid_at", "paid_amount", "bank_reference"]), "\(missing.text)")
            // An entry that does not name the contract, or covers less than 95%: refused by the one check.
            for (reference, amount) in [("货款 杭州智联", 30000), ("\(number) 验收款", 28400)] {
                let wrong = try await pay([
                    "status": "paid", "paid_at": "2027-03-02", "paid_amount": .number(Double(amount)), "bank_reference": .string(reference),
                ])
                #expect(wrong.expectError(422)?["details"]?.arrayValue?.contains { $0["rule"] == "paid_matches_statement" } == true, "\(wrong.text)")
            }
            #expect(try await app.call(.get, path, key: t.rep.key).json?["status"] == "not_due")
            let paid = try await pay(["status": "paid", "paid_at": "2027-03-02", "paid_amount": 28500, "bank_reference": .string("\(number) 验收款")])
            #expect(paid.status == 200 && paid.json?["status"] == "paid", "\(paid.text)")
        }
    }

    @Test("the three hand-off deadlines (4 h, 2 working days, 1 working day) and their repair rate on the dashboard")
    func handoffs() async throws {
        try await TestApp.run { app in
            let slug = TestDatabase.uniqueSlug()
            let t = try await Self.team(app, slug)
            let now = Date()
            func at(_ hoursAgo: Double) -> JSONValue { .string(now.addingTimeInterval(-hoursAgo * 3600).formatted(.iso8601)) }
            // ① Leads: contacted 1 h after assignment, and one still waiting 10 h on; one just assigned is not counted yet.
            var leads: [String: String] = [:]
            for (name, assigned, response) in [("按时", 10.0, 9.0 as Double?), ("超时", 10.0, nil), ("刚分配", 1.0, nil)] {
                var lead: JSONValue = [
                    "company": .string(name), "contact_name": "张工", "source_channel": "field_prospecting", "status": "to_contact",
                    "assigned_at": at(assigned),
                ]
                if let response { lead = lead.setting("first_response_at", at(response)) }
                leads[name] = try #require(try await app.create(t.admin, "lead", lead)["id"]?.stringValue)
            }
            for (name, expected) in [("按时", JSONValue.number(100)), ("超时", .number(0)), ("刚分配", .null)] {
                let lead = try await app.call(.get, "/api/v1/data/lead/\(leads[name]!)", key: t.admin).json
                #expect(lead?["first_contact_on_time"] ?? .null == expected, "\(name): \(String(describing: lead))")
            }
            // ② Technical questions: a proposal at once is on time; one open ten days (past any 2 working days) is late.
            let onTime = try #require(
                try await app.create(
                    t.admin, "ticket",
                    [
                        "customer": .string(t.customer), "subject": "接口协议确认", "category": "technical", "opened_at": at(0.1),
                    ])["id"]?.stringValue)
            let late = try #require(
                try await app.create(
                    t.admin, "ticket",
                    [
                        "customer": .string(t.customer), "subject": "产线节拍评估", "category": "technical", "opened_at": at(240),
                    ])["id"]?.stringValue)
            // A proposal needs its document.
            try await app.call(.patch, "/api/v1/data/ticket/\(onTime)", key: t.admin, json: ["proposal_at": at(0)]).expectError(422)
            let doc = try #require(
                try await app.call(
                    .post, "/api/v1/files?name=proposal.pdf", key: t.admin, raw: "%PDF-1.4 proposal", headers: [.contentType: "application/pdf"]
                ).id)
            let sent = try await app.call(
                .patch, "/api/v1/data/ticket/\(onTime)", key: t.admin, json: ["proposal_at": at(0), "proposal_doc": [.string(doc)]])
            #expect(sent.status == 200 && sent.json?["proposal_on_time"] == 100, "\(sent.text)")
            #expect(try await app.call(.get, "/api/v1/data/ticket/\(late)", key: t.admin).json?["proposal_on_time"] == 0)
            // The proposal stops its SLA: the answered ticket has no pending steps, the late one still has its reminders.
            let sla = "technical_question_proposal_2wd"
            #expect(try await TimeTriggerTests.pendingDue(slug, record: onTime, automation: sla).due.isEmpty)
            #expect(try await TimeTriggerTests.pendingDue(slug, record: late, automation: sla).due.count == 2)
            // ③ Acceptance to invoice: the confirmed acceptance stamps the contract and starts its 1-working-day clock.
            let contract = try #require(
                try await app.create(t.rep.key, "contract", ["title": "二期", "customer": .string(t.customer), "amount": 200000])["id"]?.stringValue)
            let milestone = try #require(
                try await app.create(
                    t.rep.key, "payment_milestone",
                    [
                        "contract": .string(contract), "name": "验收款", "kind": "acceptance", "amount": 60000, "due_date": "2027-04-01",
                    ])["id"]?.stringValue)
            #expect(
                try await app.call(.patch, "/api/v1/data/payment_milestone/\(milestone)", key: t.admin, json: ["acceptance_confirmed": true]).status
                    == 200)
            let contractPath = "/api/v1/data/contract/\(contract)"
            try await eventually("the contract stamped accepted") {
                try await app.call(.get, contractPath, key: t.admin).json?["accepted_at"]?.stringValue != nil
            }
            let acceptedText = try #require(try await app.call(.get, contractPath, key: t.admin).json?["accepted_at"]?.stringValue)
            let accepted = try #require(TimeText.parseTimestamp(acceptedText))
            try await eventually("the invoice clock started") { try await TimeTriggerTests.pendingDue(slug, record: contract).due.count == 2 }
            let due = try await TimeTriggerTests.pendingDue(slug, record: contract).due
            #expect(due[0] > accepted && due[1] > due[0], "\(due) after \(accepted)")
            #expect(try await app.call(.get, contractPath, key: t.admin).json?["invoice_on_time"] == .null)
            // Invoiced through the sales pack's flow: the time is stamped, the clock stops, the hand-off is on time.
            for step: JSONValue in [["approval_state": "approved"], ["invoice_status": "legal_approved"], ["invoice_status": "issued"]] {
                let r = try await app.call(.patch, contractPath, key: t.admin, json: step)
                #expect(r.status == 200, "\(r.text)")
            }
            try await eventually("the invoice stamped") { try await app.call(.get, contractPath, key: t.admin).json?["invoice_on_time"] == 100 }
            try await eventually("the invoice clock stopped") { try await TimeTriggerTests.pendingDue(slug, record: contract).due.isEmpty }
            // The repair rates: ① 50 % (one of two decided), ② 50 %, ③ 100 %.
            let board = try await app.call(.get, "/api/v1/dashboards/handoffs/data", key: t.admin)
            func rate(_ widget: String, _ metric: String) -> Double? {
                board.json?["widgets"]?.arrayValue?.first { $0["name"]?.stringValue == widget }?["data"]?["data"]?.arrayValue?.first?[metric]?
                    .doubleValue
            }
            #expect(rate("first_contact", "avg(first_contact_on_time)") == 50, "\(board.text)")
            #expect(rate("proposal", "avg(proposal_on_time)") == 50)
            #expect(rate("invoice", "avg(invoice_on_time)") == 100)
        }
    }
}
