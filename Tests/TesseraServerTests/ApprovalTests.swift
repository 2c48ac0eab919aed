import Foundation
import HTTPTypes
import TesseraCore
import Testing

/// Approvals (issue 14): processes as versioned metadata, submitting, the inbox, answers by step
/// and mode, frozen fields, three-party signatures, recall, delegation and concurrent answers.
@Suite("Approvals")
struct ApprovalTests {
    static let contract: JSONValue = [
        "name": "contract",
        "fields": [
            ["name": "title", "type": "text", "required": true], ["name": "amount", "type": "money"],
            [
                "name": "state", "type": "select", "default": "draft",
                "options": [
                    ["key": "draft", "label": ["en": "Draft"]], ["key": "approved", "label": ["en": "Approved"]],
                    ["key": "rejected", "label": ["en": "Rejected"]],
                ],
            ],
            ["name": "notes", "type": "long_text"], ["name": "presales", "type": "user"],
        ],
    ]

    static func role(_ name: String, read: String, update: String) -> JSONValue {
        .object([
            ("name", .string(name)),
            ("permissions", ["contract": .object([("create", "own"), ("read", .string(read)), ("update", .string(update)), ("delete", "own")])]),
        ])
    }

    /// A chain as the seeds want it: the sales manager, then finance, then legal (skipped under 100,000).
    static let chain: JSONValue = [
        "name": "contract_approval", "label": ["zh-CN": "合同审批", "en": "Contract approval"], "entity": "contract",
        "entry_when": "record.amount > 0", "frozen": ["amount", "title"],
        "steps": [
            ["name": "manager", "approvers": [["role": "sales_manager"]]],
            ["name": "finance", "approvers": [["role": "finance"]]],
            ["name": "legal", "approvers": [["role": "legal"]], "skip_when": "record.amount < 100000"],
        ],
        "on_approve": [["type": "set", "values": ["state": "approved"]]],
        "on_reject": [["type": "set", "values": ["state": "rejected"]]],
    ]

    struct Fixture {
        let app: TestApp
        let admin: String
        let rep: (id: String, key: String)
        let otherRep: (id: String, key: String)
        let manager: (id: String, key: String)
        let manager2: (id: String, key: String)
        let finance: (id: String, key: String)
        let legal: (id: String, key: String)
    }

    static func fixture(_ app: TestApp) async throws -> Fixture {
        let admin = try await app.createTenant()
        try await app.createEntity(admin, contract)
        for role in [
            Self.role("rep", read: "own", update: "own"), Self.role("sales_manager", read: "all", update: "none"),
            Self.role("finance", read: "all", update: "none"), Self.role("legal", read: "all", update: "none"),
        ] {
            let reply = try await app.call(.post, "/api/v1/meta/roles", key: admin, json: role)
            #expect(reply.status == 201, "\(reply.text)")
        }
        return Fixture(
            app: app, admin: admin, rep: try await app.makeUser(admin, name: "销售", roles: ["rep"]),
            otherRep: try await app.makeUser(admin, name: "另一销售", roles: ["rep"]),
            manager: try await app.makeUser(admin, name: "经理", roles: ["sales_manager"]),
            manager2: try await app.makeUser(admin, name: "副经理", roles: ["sales_manager"]),
            finance: try await app.makeUser(admin, name: "财务", roles: ["finance"]),
            legal: try await app.makeUser(admin, name: "法务", roles: ["legal"]))
    }

    func submit(_ app: TestApp, _ key: String, _ id: String, _ process: String = "contract_approval") async throws -> TestApp.Reply {
        try await app.call(.post, "/api/v1/data/contract/\(id)/approvals", key: key, json: ["process": .string(process), "comment": "请审批"])
    }

    func answer(_ app: TestApp, _ key: String, _ approval: String, _ action: String, _ body: JSONValue = [:]) async throws -> TestApp.Reply {
        try await app.call(.post, "/api/v1/approvals/\(approval)/\(action)", key: key, json: body)
    }

    func pending(_ app: TestApp, _ key: String) async throws -> [JSONValue] {
        try await app.call(.get, "/api/v1/approvals?for=me&status=pending", key: key).data
    }

    @Test("processes are metadata: checked when saved (422 naming what is wrong), versioned on every edit, listed with their versions")
    func metadata() async throws {
        try await TestApp.run { app in
            let f = try await Self.fixture(app)
            let created = try await app.call(.post, "/api/v1/meta/approvals", key: f.admin, json: Self.chain)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json?["version"] == 1)
            // A rep cannot define processes.
            try await app.call(.post, "/api/v1/meta/approvals", key: f.rep.key, json: Self.chain).expectError(403)
            try await app.call(.post, "/api/v1/meta/approvals", key: f.admin, json: Self.chain).expectError(409)
            let bad: JSONValue = [
                "name": "bad", "entity": "contract", "frozen": ["nope"], "entry_when": "record.amount >",
                "steps": [
                    ["name": "a", "approvers": [["role": "ghost"]], "mode": "most"], ["name": "a", "approvers": [["field": "title"]]],
                    ["name": "b", "approvers": []], ["name": "c", "approvers": [["manager": 40]]],
                ],
                "on_approve": [["type": "webhook", "url": "https://example.com/x"]],
            ]
            let refused = try await app.call(.post, "/api/v1/meta/approvals", key: f.admin, json: bad)
            refused.expectError(422)
            let fields = Set((refused.json?["error"]?["details"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue })
            for field in [
                "frozen[0]", "entry_when", "steps[0].approvers[0].role", "steps[0].mode", "steps[1].name", "steps[1].approvers[0].field",
                "steps[2].approvers", "steps[3].approvers[0].manager", "on_approve[0]",
            ] {
                #expect(fields.contains(field), "\(field) not in \(fields)")
            }
            try await app.call(.post, "/api/v1/meta/approvals", key: f.admin, json: ["name": "x", "entity": "ghost", "steps": []]).expectError(422)
            // An edit is a new version; the body's own version is ignored; the name cannot change.
            let patched = try await app.call(
                .patch, "/api/v1/meta/approvals/contract_approval", key: f.admin, json: ["version": 99, "frozen": ["amount"]])
            #expect(patched.status == 200, "\(patched.text)")
            #expect(patched.json?["version"] == 2)
            try await app.call(.patch, "/api/v1/meta/approvals/contract_approval", key: f.admin, json: ["name": "renamed"]).expectError(422)
            let versions = try await app.call(.get, "/api/v1/meta/approvals/contract_approval/versions", key: f.admin).data
            #expect(versions.compactMap { $0["version"]?.intValue } == [2, 1])
            #expect(versions.last?["definition"]?["frozen"] == ["amount", "title"])
            try await app.call(.get, "/api/v1/meta/approvals/ghost/versions", key: f.admin).expectError(404)
            // A field a process uses cannot go while it uses it.
            try await app.call(.delete, "/api/v1/meta/entities/contract/fields/amount", key: f.admin).expectError(422)
            #expect(try await app.call(.delete, "/api/v1/meta/approvals/contract_approval", key: f.admin).status == 204)
            try await app.call(.get, "/api/v1/meta/approvals/contract_approval", key: f.admin).expectError(404)
            // Created again, it goes on counting: its history is not overwritten.
            let again = try await app.call(.post, "/api/v1/meta/approvals", key: f.admin, json: Self.chain)
            #expect(again.json?["version"] == 3, "\(again.text)")
            let history = try await app.call(.get, "/api/v1/meta/approvals/contract_approval/versions", key: f.admin).data
            #expect(history.compactMap { $0["version"]?.intValue } == [3, 2, 1])
            #expect(history.dropFirst().first?["definition"]?["frozen"] == ["amount"])
        }
    }

    @Test("a chain runs step by step: the inbox, skip conditions, frozen fields (423), the outcome, history and notifications")
    func sequential() async throws {
        try await TestApp.run { app in
            let f = try await Self.fixture(app)
            #expect(try await app.call(.post, "/api/v1/meta/approvals", key: f.admin, json: Self.chain).status == 201)
            let id = try #require(try await app.create(f.rep.key, "contract", ["title": "产线改造", "amount": 50000])["id"]?.stringValue)
            let zero = try #require(try await app.create(f.rep.key, "contract", ["title": "空", "amount": 0])["id"]?.stringValue)
            try await submit(app, f.rep.key, zero).expectError(422, "entry_condition")
            try await submit(app, f.rep.key, id, "ghost").expectError(404)
            // Someone who cannot change the record cannot submit it.
            try await submit(app, f.otherRep.key, id).expectError(404)
            let submitted = try await submit(app, f.rep.key, id)
            #expect(submitted.status == 201, "\(submitted.text)")
            let approval = try #require(submitted.id)
            #expect(submitted.json?["status"] == "pending" && submitted.json?["step"] == "manager")
            try await submit(app, f.rep.key, id).expectError(409, "approval_pending")

            // Both managers see it; finance does not yet.
            #expect(try await pending(app, f.manager.key).map { $0["id"] } == [.string(approval)])
            #expect(try await pending(app, f.manager2.key).count == 1)
            #expect(try await pending(app, f.finance.key).isEmpty)
            // Frozen fields hold; the others do not; the record cannot be deleted meanwhile.
            let frozen = try await app.call(.patch, "/api/v1/data/contract/\(id)", key: f.rep.key, json: ["amount": 1])
            frozen.expectError(423, "approval_pending")
            #expect(frozen.text.contains(approval))
            #expect(try await app.call(.patch, "/api/v1/data/contract/\(id)", key: f.rep.key, json: ["notes": "补充说明"]).status == 200)
            try await app.call(.delete, "/api/v1/data/contract/\(id)", key: f.rep.key).expectError(423, "approval_pending")
            // Only the current step's approvers answer.
            try await answer(app, f.finance.key, approval, "approve").expectError(404)
            try await answer(app, f.rep.key, approval, "approve").expectError(403)
            try await answer(app, f.manager.key, approval, "approve", ["comment": 5]).expectError(422)
            let first = try await answer(app, f.manager.key, approval, "approve", ["comment": "同意"])
            #expect(first.status == 200, "\(first.text)")
            #expect(first.json?["step"] == "finance")
            // The other manager's task closed as no longer needed.
            #expect(try await pending(app, f.manager2.key).isEmpty)
            let tasks = first.json?["tasks"]?.arrayValue ?? []
            #expect(tasks.filter { $0["step"] == 0 }.compactMap { $0["status"]?.stringValue }.sorted() == ["approved", "closed"])
            try await answer(app, f.manager2.key, approval, "approve").expectError(403)
            let done = try await answer(app, f.finance.key, approval, "approve")
            #expect(done.status == 200, "\(done.text)")
            // Legal is skipped under 100,000: approved, and the outcome set the state.
            #expect(done.json?["status"] == "approved")
            #expect(try await pending(app, f.legal.key).isEmpty)
            let record = try await app.call(.get, "/api/v1/data/contract/\(id)", key: f.rep.key).json
            #expect(record?["state"] == "approved")
            let actions = (done.json?["log"]?.arrayValue ?? []).compactMap { $0["action"]?.stringValue }
            #expect(actions == ["submit", "step", "approve", "step", "approve", "skip", "approved"], "\(actions)")
            try await answer(app, f.finance.key, approval, "approve").expectError(409, "not_pending")
            // Frozen no longer: the approval is over.
            #expect(try await app.call(.patch, "/api/v1/data/contract/\(id)", key: f.rep.key, json: ["amount": 60000]).status == 200)
            // The record's history and the submitter's inbox tell the story.
            let history = try await app.call(.get, "/api/v1/data/contract/\(id)/history", key: f.admin).data
            let kinds = history.compactMap { $0["action"]?.stringValue }
            #expect(kinds.contains("approval.submit") && kinds.contains("approval.approved"), "\(kinds)")
            let inbox = try await app.call(.get, "/api/v1/inbox", key: f.rep.key).data
            #expect(inbox.contains { $0["message"]?["en"]?.stringValue?.hasPrefix("Approved") == true })
            // The record lists its approvals; a rep who cannot read the record sees none of it.
            #expect(try await app.call(.get, "/api/v1/data/contract/\(id)/approvals", key: f.rep.key).data.count == 1)
            try await app.call(.get, "/api/v1/data/contract/\(id)/approvals", key: f.otherRep.key).expectError(404)
            try await app.call(.get, "/api/v1/approvals/\(approval)", key: f.otherRep.key).expectError(404)
            #expect(try await app.call(.get, "/api/v1/approvals?for=submitted", key: f.rep.key).data.count == 1)
        }
    }

    @Test("a rejection ends the approval and runs its outcome; the record can be submitted again; recall and delegation")
    func rejectRecallDelegate() async throws {
        try await TestApp.run { app in
            let f = try await Self.fixture(app)
            #expect(try await app.call(.post, "/api/v1/meta/approvals", key: f.admin, json: Self.chain).status == 201)
            let id = try #require(try await app.create(f.rep.key, "contract", ["title": "大单", "amount": 500000])["id"]?.stringValue)
            let first = try #require(try await submit(app, f.rep.key, id).id)
            #expect(try await answer(app, f.manager.key, first, "reject", ["comment": "价格太低"]).json?["status"] == "rejected")
            #expect(try await app.call(.get, "/api/v1/data/contract/\(id)", key: f.rep.key).json?["state"] == "rejected")
            #expect(try await pending(app, f.manager2.key).isEmpty)
            // Submitted again; recalled by its submitter only.
            let second = try #require(try await submit(app, f.rep.key, id).id)
            try await answer(app, f.manager.key, second, "recall").expectError(403)
            #expect(try await answer(app, f.rep.key, second, "recall").json?["status"] == "recalled")
            #expect(try await pending(app, f.manager.key).isEmpty)
            // Delegation: the manager hands the task to the legal counsel, who then answers it.
            let third = try #require(try await submit(app, f.rep.key, id).id)
            try await answer(app, f.manager.key, third, "delegate", ["to": "not-a-user"]).expectError(422)
            try await answer(app, f.manager.key, third, "delegate", ["to": .string(f.manager2.id)]).expectError(422)
            try await answer(app, f.manager.key, third, "delegate", ["oops": 1]).expectError(422)
            let delegated = try await answer(app, f.manager.key, third, "delegate", ["to": .string(f.legal.id), "comment": "出差中"])
            #expect(delegated.status == 200, "\(delegated.text)")
            #expect(try await pending(app, f.manager.key).isEmpty)
            #expect(try await pending(app, f.legal.key).first?["task"]?["delegated_from"]?.stringValue == f.manager.id)
            #expect(try await answer(app, f.legal.key, third, "approve").json?["step"] == "finance")
            // The one who delegated can still read it.
            #expect(try await app.call(.get, "/api/v1/approvals/\(third)", key: f.manager.key).status == 200)
            #expect(try await answer(app, f.finance.key, third, "approve").json?["step"] == "legal")
            #expect(try await answer(app, f.legal.key, third, "approve").json?["status"] == "approved")
        }
    }

    @Test("three-party sign-off: each party signs the record's version; an edit voids earlier signatures until they sign again")
    func threeParty() async throws {
        try await TestApp.run { app in
            let f = try await Self.fixture(app)
            let signoff: JSONValue = [
                "name": "acceptance", "entity": "contract",
                "steps": [
                    [
                        "name": "confirm", "mode": "all", "signature": true,
                        "approvers": [["role": "sales_manager"], ["role": "finance"], ["field": "presales"]],
                    ]
                ],
            ]
            #expect(try await app.call(.post, "/api/v1/meta/approvals", key: f.admin, json: signoff).status == 201)
            let id = try #require(
                try await app.create(f.rep.key, "contract", ["title": "验收", "amount": 1, "presales": .string(f.legal.id)])["id"]?.stringValue)
            let approval = try #require(try await submit(app, f.rep.key, id, "acceptance").id)
            let one = try await answer(app, f.manager.key, approval, "approve")
            #expect(one.json?["status"] == "pending")
            // The other manager's task is closed: their party has signed.
            #expect(try await pending(app, f.manager2.key).isEmpty)
            let signed = (one.json?["tasks"]?.arrayValue ?? []).first { $0["approver"]?.stringValue == f.manager.id && $0["status"] == "approved" }
            #expect(signed?["signature"]?.stringValue?.count == 64)
            #expect(signed?["signature_valid"] == true)
            #expect(try await answer(app, f.finance.key, approval, "approve").json?["status"] == "pending")
            // The record changes before the third party signs: the first two signatures no longer count.
            #expect(try await app.call(.patch, "/api/v1/data/contract/\(id)", key: f.rep.key, json: ["notes": "改了付款条款"]).status == 200)
            let shown = try await app.call(.get, "/api/v1/approvals/\(approval)", key: f.manager.key).json
            #expect((shown?["tasks"]?.arrayValue ?? []).filter { $0["signature_valid"] == false }.count == 2)
            let third = try await answer(app, f.legal.key, approval, "approve")
            #expect(third.json?["status"] == "pending", "\(third.text)")
            #expect(try await pending(app, f.manager.key).count == 1)
            #expect(try await pending(app, f.finance.key).count == 1)
            #expect(try await answer(app, f.manager2.key, approval, "approve").json?["status"] == "pending")
            let last = try await answer(app, f.finance.key, approval, "approve")
            #expect(last.json?["status"] == "approved", "\(last.text)")
            let log = (last.json?["log"]?.arrayValue ?? []).compactMap { $0["action"]?.stringValue }
            #expect(log.filter { $0 == "signature_void" }.count == 2, "\(log)")
        }
    }

    @Test("a process edited while approvals run: they finish on their version, new submissions take the new one")
    func versioning() async throws {
        try await TestApp.run { app in
            let f = try await Self.fixture(app)
            let short: JSONValue = ["name": "quick", "entity": "contract", "steps": [["name": "manager", "approvers": [["role": "sales_manager"]]]]]
            #expect(try await app.call(.post, "/api/v1/meta/approvals", key: f.admin, json: short).status == 201)
            let a = try #require(try await app.create(f.rep.key, "contract", ["title": "A", "amount": 1])["id"]?.stringValue)
            let b = try #require(try await app.create(f.rep.key, "contract", ["title": "B", "amount": 1])["id"]?.stringValue)
            let running = try #require(try await submit(app, f.rep.key, a, "quick").id)
            let longer: JSONValue = [
                "steps": [
                    ["name": "manager", "approvers": [["role": "sales_manager"]]], ["name": "finance", "approvers": [["role": "finance"]]],
                ]
            ]
            #expect(try await app.call(.patch, "/api/v1/meta/approvals/quick", key: f.admin, json: longer).json?["version"] == 2)
            let finished = try await answer(app, f.manager.key, running, "approve")
            #expect(finished.json?["status"] == "approved" && finished.json?["version"] == 1, "\(finished.text)")
            let fresh = try await submit(app, f.rep.key, b, "quick")
            #expect(fresh.json?["version"] == 2)
            let id = try #require(fresh.id)
            #expect(try await answer(app, f.manager.key, id, "approve").json?["step"] == "finance")
            // Switched off, it takes no new submissions.
            #expect(try await app.call(.patch, "/api/v1/meta/approvals/quick", key: f.admin, json: ["active": false]).status == 200)
            try await submit(app, f.rep.key, a, "quick").expectError(409, "approval_inactive")
        }
    }

    @Test("two approvers answering one any step at the same instant: one decision, one notification, the other refused")
    func concurrentAnswers() async throws {
        try await TestApp.run { app in
            let f = try await Self.fixture(app)
            let one: JSONValue = ["name": "quick", "entity": "contract", "steps": [["name": "manager", "approvers": [["role": "sales_manager"]]]]]
            #expect(try await app.call(.post, "/api/v1/meta/approvals", key: f.admin, json: one).status == 201)
            for round in 0..<5 {
                let id = try #require(try await app.create(f.rep.key, "contract", ["title": .string("并发\(round)"), "amount": 1])["id"]?.stringValue)
                let approval = try #require(try await submit(app, f.rep.key, id, "quick").id)
                async let x = answer(app, f.manager.key, approval, round % 2 == 0 ? "approve" : "reject")
                async let y = answer(app, f.manager2.key, approval, "approve")
                let statuses = [try await x.status, try await y.status].sorted()
                #expect(statuses.first == 200 && statuses.last != 200, "\(statuses)")
                let shown = try await app.call(.get, "/api/v1/approvals/\(approval)", key: f.rep.key).json
                let decisions = (shown?["log"]?.arrayValue ?? []).filter { ["approve", "reject"].contains($0["action"]?.stringValue ?? "") }
                #expect(decisions.count == 1)
            }
            let told = try await app.call(.get, "/api/v1/inbox", key: f.rep.key).data.filter {
                ["Approved: quick", "Rejected: quick"].contains($0["message"]?["en"]?.stringValue ?? "")
            }
            #expect(told.count == 5)
        }
    }

    @Test(
        """
        the sales pack: contracts go to the rep's manager, finance, and legal above 200,000; sales, pre-sales and delivery confirm \
        and sign; reps cannot set the approval state or the acknowledgements by hand
        """
    )
    func salesPack() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant(packs: ["sales"])
            let supervisor = try await app.makeUser(admin, name: "主管", roles: ["sales_supervisor"])
            let rep = try await app.makeUser(admin, name: "销售", roles: ["sales_rep"], manager: supervisor.id)
            let finance = try await app.makeUser(admin, name: "财务", roles: ["finance"])
            let legal = try await app.makeUser(admin, name: "法务", roles: ["legal"])
            let presales = try await app.makeUser(admin, name: "售前", roles: ["presales"])
            let delivery = try await app.makeUser(admin, name: "交付", roles: ["delivery"])
            let customer = try #require(try await app.create(rep.key, "customer", ["name": "杭州智联机电"])["id"]?.stringValue)
            func contract(_ amount: Int, _ extra: [(String, JSONValue)] = []) async throws -> String {
                let body: JSONValue = .object([("title", "产线改造合同"), ("customer", .string(customer)), ("amount", .number(amount))] + extra)
                return try #require(try await app.create(rep.key, "contract", body)["id"]?.stringValue)
            }
            let small = try await contract(50000)
            // The by-hand fields are the approvals' now.
            for field in ["approval_state", "sales_acknowledged"] {
                let value: JSONValue = field == "approval_state" ? "approved" : true
                let refused = try await app.call(.patch, "/api/v1/data/contract/\(small)", key: rep.key, json: .object([(field, value)]))
                #expect((400..<500).contains(refused.status) && refused.text.contains(field), "\(refused.text)")
            }
            let first = try await app.call(
                .post, "/api/v1/data/contract/\(small)/approvals", key: rep.key, json: ["process": "contract_approval"])
            #expect(first.status == 201, "\(first.text)")
            let approval = try #require(first.id)
            // The rep's own manager answers first; the terms hold meanwhile.
            #expect(try await pending(app, supervisor.key).map(\.["id"]) == [.string(approval)])
            try await app.call(.patch, "/api/v1/data/contract/\(small)", key: rep.key, json: ["amount": 1]).expectError(423, "approval_pending")
            #expect(try await answer(app, supervisor.key, approval, "approve").json?["step"] == "finance")
            let done = try await answer(app, finance.key, approval, "approve", ["comment": "条款无误"])
            #expect(done.json?["status"] == "approved", "\(done.text)")
            #expect(try await pending(app, legal.key).isEmpty)
            #expect(try await app.call(.get, "/api/v1/data/contract/\(small)", key: rep.key).json?["approval_state"] == "approved")
            // Above the threshold legal has the last word, and can reject.
            let large = try await contract(300000)
            let second = try #require(
                try await app.call(.post, "/api/v1/data/contract/\(large)/approvals", key: rep.key, json: ["process": "contract_approval"]).id)
            _ = try await answer(app, supervisor.key, second, "approve")
            #expect(try await answer(app, finance.key, second, "approve").json?["step"] == "legal")
            #expect(try await answer(app, legal.key, second, "reject", ["comment": "违约条款需修改"]).json?["status"] == "rejected")
            #expect(try await app.call(.get, "/api/v1/data/contract/\(large)", key: rep.key).json?["approval_state"] == "rejected")

            // Three-party confirmation: it needs the pre-sales and delivery owners named.
            let signed = try await contract(80000)
            try await app.call(.post, "/api/v1/data/contract/\(signed)/approvals", key: rep.key, json: ["process": "contract_confirmation"])
                .expectError(422, "entry_condition")
            let named = try await app.call(
                .patch, "/api/v1/data/contract/\(signed)", key: rep.key,
                json: ["presales_owner": .string(presales.id), "delivery_owner": .string(delivery.id)])
            #expect(named.status == 200, "\(named.text)")
            let confirmation = try #require(
                try await app.call(.post, "/api/v1/data/contract/\(signed)/approvals", key: rep.key, json: ["process": "contract_confirmation"]).id)
            // Pre-sales and delivery see the contract they sign for.
            #expect(try await app.call(.get, "/api/v1/data/contract/\(signed)", key: presales.key).status == 200)
            for party in [rep, presales, delivery] {
                let reply = try await answer(app, party.key, confirmation, "approve", ["comment": "已阅知"])
                #expect(reply.status == 200, "\(reply.text)")
            }
            let record = try await app.call(.get, "/api/v1/data/contract/\(signed)", key: rep.key).json
            for field in ["sales_acknowledged", "presales_acknowledged", "delivery_acknowledged"] { #expect(record?[field] == true, "\(field)") }
            let shown = try await app.call(.get, "/api/v1/approvals/\(confirmation)", key: delivery.key).json
            #expect(shown?["status"] == "approved")
            #expect((shown?["tasks"]?.arrayValue ?? []).filter { $0["signature"]?.stringValue?.count == 64 }.count == 3)
        }
    }

    @Test(
        """
        the sales pack: an unconfirmed acceptance holds the customer's new contracts until sales, pre-sales and delivery confirm it; \
        each step shows in the approval state; invoicing follows the approval, finance then legal; the proposal is confirmed by three \
        parties; approvers see the contracts in approval
        """
    )
    func salesPackHoldsAndInvoices() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant(packs: ["sales"])
            let supervisor = try await app.makeUser(admin, name: "主管", roles: ["sales_supervisor"])
            let rep = try await app.makeUser(admin, name: "销售", roles: ["sales_rep"], manager: supervisor.id)
            let finance = try await app.makeUser(admin, name: "财务", roles: ["finance"])
            let legal = try await app.makeUser(admin, name: "法务", roles: ["legal"])
            let presales = try await app.makeUser(admin, name: "售前", roles: ["presales"])
            let delivery = try await app.makeUser(admin, name: "交付", roles: ["delivery"])
            let customer = try #require(try await app.create(rep.key, "customer", ["name": "宁波精工"])["id"])
            func contract(_ title: String) async throws -> String {
                let body: JSONValue = ["title": .string(title), "customer": customer, "amount": 120000]
                return try #require(try await app.create(rep.key, "contract", body)["id"]?.stringValue)
            }
            func submit(_ id: String, _ process: String, _ entity: String = "contract") async throws -> TestApp.Reply {
                try await app.call(.post, "/api/v1/data/\(entity)/\(id)/approvals", key: rep.key, json: ["process": .string(process)])
            }
            func field(_ id: String, _ name: String, _ entity: String = "contract") async throws -> JSONValue? {
                try await app.call(.get, "/api/v1/data/\(entity)/\(id)", key: rep.key).json?[name]
            }
            // First contract: approved step by step, the state showing each step.
            let first = try await contract("一期")
            let approval = try #require(try await submit(first, "contract_approval").id)
            #expect(try await field(first, "approval_state") == "manager_review")
            let inApproval = try await app.call(.get, "/api/v1/views/contracts_in_approval/data", key: finance.key)
            #expect(inApproval.data.compactMap { $0["id"]?.stringValue } == [first], "\(inApproval.text)")
            _ = try await answer(app, supervisor.key, approval, "approve")
            #expect(try await field(first, "approval_state") == "finance_review")
            #expect(try await answer(app, finance.key, approval, "approve").json?["status"] == "approved")
            #expect(try await app.call(.get, "/api/v1/views/contracts_in_approval/data", key: finance.key).data.isEmpty)

            // Invoicing: finance cannot mark it issued before legal approves; then can.
            try await app.call(.patch, "/api/v1/data/contract/\(first)", key: finance.key, json: ["invoice_status": "issued"]).expectError(422)
            let invoice = try #require(try await submit(first, "invoice_request").id)
            #expect(try await field(first, "invoice_status") == "requested")
            _ = try await answer(app, finance.key, invoice, "approve")
            #expect(try await field(first, "invoice_status") == "finance_approved")
            _ = try await answer(app, legal.key, invoice, "approve")
            #expect(try await field(first, "invoice_status") == "legal_approved")
            let issued = try await app.call(.patch, "/api/v1/data/contract/\(first)", key: finance.key, json: ["invoice_status": "issued"])
            #expect(issued.status == 200, "\(issued.text)")
            // A contract not approved cannot be invoiced at all.
            let draft = try await contract("草稿")
            try await submit(draft, "invoice_request").expectError(422, "entry_condition")

            // Its acceptance payment comes due unconfirmed: the customer's next contract is held.
            let milestone = try #require(
                try await app.create(
                    rep.key, "payment_milestone",
                    ["contract": .string(first), "name": "验收款30%", "kind": "acceptance", "amount": 36000, "due_date": "2027-06-30"])["id"]?
                    .stringValue)
            #expect(try await app.call(.patch, "/api/v1/data/payment_milestone/\(milestone)", key: rep.key, json: ["status": "due"]).status == 200)
            try await app.call(.patch, "/api/v1/data/payment_milestone/\(milestone)", key: rep.key, json: ["acceptance_confirmed": true])
                .expectError(403)
            let second = try await contract("二期")
            let held = try await submit(second, "contract_approval")
            held.expectError(409, "approval_hold")
            #expect(held.json?["error"]?["details"]?.arrayValue?.first?["blocking"] == [.string(milestone)], "\(held.text)")
            // Sales, pre-sales and delivery confirm the acceptance; the hold lifts.
            let acceptance = try #require(try await submit(milestone, "acceptance_confirmation", "payment_milestone").id)
            for party in [rep, presales, delivery] {
                let reply = try await answer(app, party.key, acceptance, "approve", ["comment": "已验收"])
                #expect(reply.status == 200, "\(reply.text)")
            }
            #expect(try await field(milestone, "acceptance_confirmed", "payment_milestone") == true)
            #expect(try await submit(second, "contract_approval").status == 201)

            // The proposal of an opportunity: three parties sign it.
            let opportunity = try #require(
                try await app.create(
                    rep.key, "opportunity",
                    [
                        "name": "二期产线", "customer": customer, "amount": 120000, "expected_close_date": "2027-03-31",
                        "presales_owner": .string(presales.id), "delivery_owner": .string(delivery.id),
                    ])["id"]?.stringValue)
            // The pack's automation stamps a new opportunity's clocks; signatures are over the record as it then stands.
            try await eventually("the opportunity's clocks started") { try await field(opportunity, "stage_entered_at", "opportunity") != .null }
            try await app.call(.patch, "/api/v1/data/opportunity/\(opportunity)", key: rep.key, json: ["proposal_confirmed": true]).expectError(403)
            let proposal = try #require(try await submit(opportunity, "proposal_confirmation", "opportunity").id)
            for party in [rep, presales, delivery] { _ = try await answer(app, party.key, proposal, "approve") }
            #expect(try await field(opportunity, "proposal_confirmed", "opportunity") == true)
        }
    }

    @Test("an outcome moves the stage (recorded in the stage history) and so starts the automations of that move")
    func outcomeMovesStage() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant()
            let deal: JSONValue = [
                "name": "deal",
                "fields": [
                    ["name": "name", "type": "text"],
                    [
                        "name": "stage", "type": "select", "options": [["key": "quote"], ["key": "won"], ["key": "lost"]],
                        "stage": ["transitions": ["quote": ["won", "lost"]]],
                    ],
                ],
            ]
            try await app.createEntity(admin, deal)
            let process: JSONValue = [
                "name": "quote_approval", "entity": "deal", "entry_when": "record.stage == 'quote'",
                "steps": [["name": "boss", "approvers": [["role": "admin"]]]],
                "on_approve": [["type": "set", "values": ["stage": "won"]]], "on_reject": [["type": "set", "values": ["stage": "lost"]]],
            ]
            #expect(try await app.call(.post, "/api/v1/meta/approvals", key: admin, json: process).status == 201)
            let automation: JSONValue = [
                "name": "won_notice", "entity": "deal", "trigger": ["on": "stage_change", "to": "won"],
                "actions": [["type": "notify", "to": "owner", "message": ["en": "Deal won: prepare the contract"]]],
            ]
            #expect(try await app.call(.post, "/api/v1/meta/automations", key: admin, json: automation).status == 201)
            let id = try #require(try await app.create(admin, "deal", ["name": "Big deal", "stage": "quote"])["id"]?.stringValue)
            let approval = try #require(
                try await app.call(.post, "/api/v1/data/deal/\(id)/approvals", key: admin, json: ["process": "quote_approval"]).id)
            #expect(try await answer(app, admin, approval, "approve").json?["status"] == "approved")
            #expect(try await app.call(.get, "/api/v1/data/deal/\(id)", key: admin).json?["stage"] == "won")
            let stages = try await app.call(.get, "/api/v1/data/deal/\(id)/stages", key: admin).data
            #expect(stages.contains { $0["from"] == "quote" && $0["to"] == "won" }, "\(stages)")
            try await eventually("the automation the move started") {
                try await app.call(.get, "/api/v1/inbox", key: admin).data.contains {
                    $0["message"]?["en"]?.stringValue == "Deal won: prepare the contract"
                }
            }
        }
    }

    @Test("an approval's notices go through the tenant's channels: a webhook channel receives the outcome once, after the commit")
    func channelNotices() async throws {
        let receiver = WebhookReceiver(statuses: [:])
        try await WebhookReceiver.listening(receiver) { base in
            try await TestApp.run { app in
                let f = try await Self.fixture(app)
                let settings: JSONValue = ["channels": ["ops": ["type": "webhook", "url": .string(base + "/ops")]]]
                #expect(try await app.call(.patch, "/api/v1/settings", key: f.admin, json: settings).status == 200)
                let process = Self.chain.setting("steps", [["name": "manager", "approvers": [["role": "sales_manager"]]]]).setting(
                    "on_approve",
                    [
                        ["type": "set", "values": ["state": "approved"]],
                        ["type": "notify", "channel": "ops", "message": ["zh-CN": "合同已审批通过", "en": "Contract approved"]],
                    ])
                let created = try await app.call(.post, "/api/v1/meta/approvals", key: f.admin, json: process)
                #expect(created.status == 201, "\(created.text)")
                let id = try #require(try await app.create(f.rep.key, "contract", ["title": "通知", "amount": 10])["id"]?.stringValue)
                let approval = try #require(try await submit(app, f.rep.key, id).id)
                #expect(await receiver.count("/ops") == 0)
                #expect(try await answer(app, f.manager.key, approval, "approve").json?["status"] == "approved")
                try await eventually("the channel's notice") { await receiver.count("/ops") == 1 }
                let delivery = try #require(await receiver.deliveries.first { $0.path == "/ops" })
                let body = try JSONParser.parse(delivery.body)
                #expect(body["approval"]?.stringValue == approval && body["record"]?["state"] == "approved", "\(delivery.body)")
                #expect(body["message"]?["en"] == "Contract approved")
                try await Task.sleep(for: .milliseconds(500))
                #expect(await receiver.count("/ops") == 1)
            }
        }
    }

    /// Customers, their contracts and the contracts' milestones: the seeds' hold (an unconfirmed
    /// acceptance of a customer blocks new contract approvals for that customer).
    static func holdFixture(_ app: TestApp) async throws -> (admin: String, rep: (id: String, key: String)) {
        let admin = try await app.createTenant()
        try await app.createEntity(admin, ["name": "customer", "fields": [["name": "name", "type": "text"]]])
        try await app.createEntity(
            admin,
            [
                "name": "contract",
                "fields": [
                    ["name": "title", "type": "text"], ["name": "amount", "type": "money"],
                    ["name": "customer", "type": "relation", "target": "customer"],
                ],
            ])
        try await app.createEntity(
            admin,
            [
                "name": "milestone",
                "fields": [
                    ["name": "contract", "type": "relation", "target": "contract"],
                    [
                        "name": "kind", "type": "select",
                        "options": [["key": "deposit", "label": ["en": "Deposit"]], ["key": "acceptance", "label": ["en": "Acceptance"]]],
                    ],
                    ["name": "confirmed", "type": "boolean", "default": false],
                ],
            ])
        let role: JSONValue = [
            "name": "rep",
            "permissions": [
                "customer": ["create": "all", "read": "all", "update": "all"],
                "contract": ["create": "own", "read": "own", "update": "own"],
                "milestone": ["create": "own", "read": "own", "update": "own", "delete": "own"],
            ],
        ]
        #expect(try await app.call(.post, "/api/v1/meta/roles", key: admin, json: role).status == 201)
        let rep = try await app.makeUser(admin, name: "销售", roles: ["rep"])
        return (admin, rep)
    }

    static let heldProcess: JSONValue = [
        "name": "contract_approval", "entity": "contract",
        "holds": [
            [
                "name": "unconfirmed_acceptance", "entity": "milestone",
                "when": "other.contract.customer == record.customer && other.kind == 'acceptance' && !other.confirmed",
                "message": ["zh-CN": "该客户有未确认的验收，暂不能提交新合同", "en": "The customer has an unconfirmed acceptance"],
            ]
        ],
        "steps": [["name": "manager", "approvers": [["role": "admin"]]]],
    ]

    @Test("a hold refuses submission while related records meet its condition, naming them; it is checked when saved")
    func holds() async throws {
        try await TestApp.run { app in
            let (admin, rep) = try await Self.holdFixture(app)
            let bad = Self.heldProcess.setting(
                "holds",
                [
                    ["name": "a", "entity": "ghost", "when": "true"], ["name": "b", "entity": "milestone", "when": "other.nope == 1"],
                    ["name": "b", "entity": "milestone", "when": "record.title"], ["name": "c", "entity": "milestone"],
                ])
            let refused = try await app.call(.post, "/api/v1/meta/approvals", key: admin, json: bad)
            refused.expectError(422)
            let fields = Set((refused.json?["error"]?["details"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue })
            for field in ["holds[0].entity", "holds[1].when", "holds[2].name", "holds[2].when", "holds[3].when"] {
                #expect(fields.contains(field), "\(field) not in \(fields)")
            }
            #expect(try await app.call(.post, "/api/v1/meta/approvals", key: admin, json: Self.heldProcess).status == 201)
            // A field a hold reads on the other entity cannot be removed while the hold reads it.
            try await app.call(.delete, "/api/v1/meta/entities/milestone/fields/confirmed", key: admin).expectError(422)

            let acme = try #require(try await app.create(rep.key, "customer", ["name": "Acme"])["id"])
            let other = try #require(try await app.create(rep.key, "customer", ["name": "Other"])["id"])
            let old = try #require(try await app.create(rep.key, "contract", ["title": "一期", "customer": acme])["id"])
            let acceptance = try #require(
                try await app.create(rep.key, "milestone", ["contract": old, "kind": "acceptance"])["id"]?.stringValue)
            _ = try await app.create(rep.key, "milestone", ["contract": old, "kind": "deposit"])
            let second = try #require(try await app.create(rep.key, "contract", ["title": "二期", "customer": acme])["id"]?.stringValue)
            let elsewhere = try #require(try await app.create(rep.key, "contract", ["title": "别家", "customer": other])["id"]?.stringValue)

            let held = try await submit(app, rep.key, second)
            held.expectError(409, "approval_hold")
            let detail = held.json?["error"]?["details"]?.arrayValue?.first
            #expect(detail?["hold"] == "unconfirmed_acceptance" && detail?["entity"] == "milestone")
            #expect(detail?["blocking"] == [.string(acceptance)], "\(held.text)")
            #expect(detail?["message"] == "The customer has an unconfirmed acceptance")
            let zh = try await app.call(
                .post, "/api/v1/data/contract/\(second)/approvals", key: rep.key, json: ["process": "contract_approval"],
                headers: [.acceptLanguage: "zh-CN"])
            #expect(zh.json?["error"]?["details"]?.arrayValue?.first?["message"] == "该客户有未确认的验收，暂不能提交新合同", "\(zh.text)")
            #expect(try await app.call(.get, "/api/v1/data/contract/\(second)/approvals", key: rep.key).data.isEmpty)
            // Another customer's contract is not held; once the acceptance is confirmed, neither is this one.
            #expect(try await submit(app, rep.key, elsewhere).status == 201)
            #expect(try await app.call(.patch, "/api/v1/data/milestone/\(acceptance)", key: rep.key, json: ["confirmed": true]).status == 200)
            let submitted = try await submit(app, rep.key, second)
            #expect(submitted.status == 201, "\(submitted.text)")
            // A deleted milestone never holds.
            let third = try #require(try await app.create(rep.key, "contract", ["title": "三期", "customer": acme])["id"]?.stringValue)
            let again = try #require(
                try await app.create(rep.key, "milestone", ["contract": .string(second), "kind": "acceptance"])["id"]?.stringValue)
            try await submit(app, rep.key, third).expectError(409, "approval_hold")
            #expect(try await app.call(.delete, "/api/v1/data/milestone/\(again)", key: rep.key).status == 204)
            #expect(try await submit(app, rep.key, third).status == 201)
        }
    }

    @Test("a step's entry actions run when it is entered (not when skipped) and a recall runs the process's recall actions")
    func entryAndRecall() async throws {
        try await TestApp.run { app in
            let f = try await Self.fixture(app)
            let process = Self.chain.setting(
                "steps",
                [
                    ["name": "manager", "approvers": [["role": "sales_manager"]], "on_enter": [["type": "set", "values": ["notes": "经理审批中"]]]],
                    [
                        "name": "legal", "approvers": [["role": "legal"]], "skip_when": "record.amount < 100000",
                        "on_enter": [["type": "set", "values": ["notes": "法务审批中"]]],
                    ],
                    ["name": "finance", "approvers": [["role": "finance"]], "on_enter": [["type": "set", "values": ["notes": "财务审批中"]]]],
                ]
            ).setting("on_recall", [["type": "set", "values": ["notes": "已撤回"]]])
            let created = try await app.call(.post, "/api/v1/meta/approvals", key: f.admin, json: process)
            #expect(created.status == 201, "\(created.text)")
            let badEntry = process.setting("name", "bad").setting("on_recall", [["type": "webhook", "url": "https://example.com/x"]])
            try await app.call(.post, "/api/v1/meta/approvals", key: f.admin, json: badEntry).expectError(422)
            let id = try #require(try await app.create(f.rep.key, "contract", ["title": "小单", "amount": 5000])["id"]?.stringValue)
            func notes() async throws -> JSONValue? { try await app.call(.get, "/api/v1/data/contract/\(id)", key: f.rep.key).json?["notes"] }
            let approval = try #require(try await submit(app, f.rep.key, id).id)
            #expect(try await notes() == "经理审批中")
            // The skipped legal step's entry does not run; finance's does.
            #expect(try await answer(app, f.manager.key, approval, "approve").json?["step"] == "finance")
            #expect(try await notes() == "财务审批中")
            #expect(try await answer(app, f.rep.key, approval, "recall").json?["status"] == "recalled")
            #expect(try await notes() == "已撤回")
        }
    }

    @Test("hostile input on the approval routes: a 4xx with the error shape every time, and nothing changes")
    func hostile() async throws {
        try await TestApp.run { app in
            let f = try await Self.fixture(app)
            #expect(try await app.call(.post, "/api/v1/meta/approvals", key: f.admin, json: Self.chain).status == 201)
            let id = try #require(try await app.create(f.rep.key, "contract", ["title": "X", "amount": 1])["id"]?.stringValue)
            let approval = try #require(try await submit(app, f.rep.key, id).id)
            let bodies: [String] = ["", "[]", "null", "{", "{\"process\": 1}", "{\"process\": \"contract_approval\", \"x\": 1}", "\"s\""]
            for body in bodies {
                let reply = try await app.call(.post, "/api/v1/data/contract/\(id)/approvals", key: f.rep.key, raw: body)
                #expect((400..<500).contains(reply.status) && reply.errorCode != nil, "\(body): \(reply.status) \(reply.text)")
            }
            for path in [
                "/api/v1/approvals/\(approval)/explode", "/api/v1/approvals/not-a-uuid/approve", "/api/v1/approvals/\(UUID())/approve",
                "/api/v1/data/contract/not-a-uuid/approvals", "/api/v1/data/ghost/\(id)/approvals",
            ] {
                let reply = try await app.call(.post, path, key: f.manager.key, json: ["process": "contract_approval"])
                #expect((400..<500).contains(reply.status) && reply.errorCode != nil, "\(path): \(reply.status) \(reply.text)")
            }
            for query in ["for=everyone", "status=maybe", "limit=0", "limit=100000", "limit=abc"] {
                try await app.call(.get, "/api/v1/approvals?\(query)", key: f.manager.key).expectError(422)
            }
            for body in ["[]", "{\"comment\": \"" + String(repeating: "长", count: 2001) + "\"}", "{\"comment\": null}", "{\"to\": \"x\"}"] {
                let reply = try await app.call(.post, "/api/v1/approvals/\(approval)/approve", key: f.manager.key, raw: body)
                #expect((400..<500).contains(reply.status) && reply.errorCode != nil, "\(body): \(reply.status) \(reply.text)")
            }
            // No key, another tenant's key: nothing learned.
            #expect(try await app.call(.get, "/api/v1/approvals/\(approval)").status == 401)
            let stranger = try await app.createTenant()
            try await app.call(.get, "/api/v1/approvals/\(approval)", key: stranger).expectError(404)
            try await app.call(.post, "/api/v1/approvals/\(approval)/approve", key: stranger).expectError(404)
            // Still pending, at the first step, untouched.
            let shown = try await app.call(.get, "/api/v1/approvals/\(approval)", key: f.rep.key).json
            #expect(shown?["status"] == "pending" && shown?["step"] == "manager")
            #expect((shown?["log"]?.arrayValue ?? []).count == 2)
        }
    }
}
