import Foundation
import TesseraCore
import Testing

@Suite("Record plans: one decision per request")
struct RecordPlanTests {
    let tenant = Tenant(id: UUID(), slug: "acme", name: "Acme", schema: "t_acme", timeZone: "Asia/Shanghai", createdAt: Date())
    let me = UUID()
    let colleague = UUID()

    var lead: EntityDefinition {
        var required = FieldDefinition(name: "company", type: .text)
        required.required = true
        var margin = FieldDefinition(name: "margin_text", type: .formula)
        margin.expression = "record.cost * 2.0"
        margin.result = .money
        var number = FieldDefinition(name: "lead_no", type: .autoNumber)
        number.pattern = "L-{0000}"
        return EntityDefinition(
            name: "lead",
            fields: [
                required, FieldDefinition(name: "phone", type: .phone), FieldDefinition(name: "cost", type: .money),
                FieldDefinition(name: "amount", type: .money), margin, number,
                FieldDefinition(name: "presales", type: .user),
            ])
    }

    func model() -> EntityModel { EntityModel(lead, related: { _ in nil }) }

    func caller(_ permissions: JSONValue?, special: [String] = []) throws -> Caller {
        var caller = Caller(tenant: tenant, userID: me, keyID: UUID(), roles: permissions == nil ? [] : ["rep"])
        guard let permissions else { return caller }
        let role = try RoleDecoder.role(
            ["name": "rep", "permissions": ["lead": permissions], "special": .array(special.map(JSONValue.string))],
            entities: [lead])
        caller.policy = AccessPolicy(roles: ["rep"], definitions: [role])
        return caller
    }

    @Test("each field says whether it is visible, editable and required, and why not")
    func fields() throws {
        let rep = try caller(["create": "own", "read": "own", "update": "own", "fields": ["cost": "none", "amount": "read"]])
        let plan = try RecordPlan(.update, caller: rep, model: model())
        func field(_ name: String) throws -> FieldPlan { try #require(plan.field(name)) }
        #expect(try field("company") == FieldPlan(name: "company", visible: true, editable: true, required: true, reason: nil))
        #expect(try field("cost").reason == .hiddenByRole && !(try field("cost").visible))
        #expect(try field("amount").reason == .readOnlyByRole && (try field("amount").visible) && !(try field("amount").editable))
        // The formula reads a hidden field, so it is hidden too; the auto number is computed.
        #expect(try field("margin_text").reason == .readsHiddenField && !(try field("margin_text").visible))
        #expect(try field("lead_no").reason == .computed && (try field("lead_no").visible) && !(try field("lead_no").refusedByRoles))
        #expect(plan.hidden == ["cost", "margin_text"])
        #expect(plan.visibleEntity.fields.map(\.name) == ["company", "phone", "amount", "lead_no", "presales"])
        #expect(plan.columns == SystemColumn.names + ["company", "phone", "amount", "lead_no", "presales"])
    }

    @Test("scopes are data: every action that does not reach all rows has one, with the user fields for `assigned`")
    func scopes() throws {
        let rep = try caller(["create": "all", "read": "assigned", "update": "own", "delete": "none"])
        let plan = try RecordPlan(.read, caller: rep, model: model())
        #expect(plan.scope(.create) == nil)
        let read = try #require(plan.scope(.read))
        #expect(read.reach.scopes == [.assigned] && read.userID == me.uuidString.lowercased() && read.assignedFields == ["presales"])
        #expect(plan.scope(.update)?.reach.scopes == [.own])
        #expect(plan.scope(.delete)?.reach.isNothing == true)
        // No role limits the system's own work (an automation), nor an admin.
        #expect(try RecordPlan(.delete, caller: caller(nil), model: model()).scopes.isEmpty)
    }

    @Test("an action that reaches no record is refused when the plan is made")
    func refused() throws {
        let rep = try caller(["read": "own"])
        let error = #expect(throws: TesseraError.self) { try RecordPlan(.delete, caller: rep, model: model()) }
        #expect(error?.status == 403 && error?.message == "Your roles do not allow you to delete lead records.")
        #expect(throws: TesseraError.self) { try RecordPlan(.lock, caller: rep, model: model()) }
        #expect(throws: Never.self) { try RecordPlan(.list, caller: rep, model: model()) }
    }

    @Test("writes: fields the roles do not let the caller change are a 403 naming each; other problems stay with the write")
    func writes() throws {
        let rep = try caller(["create": "own", "read": "own", "update": "own", "fields": ["cost": "none", "amount": "read"]])
        var plan = try RecordPlan(.update, caller: rep, model: model())
        let error = #expect(throws: TesseraError.self) { try plan.takeUpdate(["amount": 5, "cost": 1, "phone": "13900000000"]) }
        #expect(error?.status == 403 && error?.details.compactMap(\.field) == ["amount", "cost"])
        // A computed field is not a question of roles: the body's problem, reported with the others (422).
        try plan.takeUpdate(["lead_no": "L-9", "colour": "red"], expectedVersion: 4)
        #expect(plan.writes.count == 1 && plan.writes[0].expectedVersion == 4)
        #expect(Set(plan.writes[0].problems.map(\.rule)) == ["read_only", "unknown_field"])
    }

    @Test("owners outside the caller's reach are checked; the caller's own records need no check")
    func owners() throws {
        let rep = try caller(["create": "team", "read": "team", "update": "team"], special: ["import"])
        var plan = try RecordPlan(.create, caller: rep, model: model())
        let bulk = try plan.takeCreate([["company": "A"], ["company": "B", "owner_id": .string(colleague.uuidString)]], policy: rep.policy)
        #expect(bulk && plan.writes.count == 2)
        #expect(plan.ownerChecks == [colleague.uuidString.lowercased()])
        var everything = try RecordPlan(.create, caller: try caller(["create": "all"]), model: model())
        _ = try everything.takeCreate(["company": "C", "owner_id": .string(colleague.uuidString)], policy: nil)
        #expect(everything.ownerChecks.isEmpty)
    }

    @Test("bulk creates need the import permission, hold at least one and at most 1,000 records")
    func bulk() throws {
        let rep = try caller(["create": "own"])
        var plan = try RecordPlan(.create, caller: rep, model: model())
        #expect((#expect(throws: TesseraError.self) { try plan.takeCreate([["company": "A"]], policy: rep.policy) })?.status == 403)
        let importer = try caller(["create": "own"], special: ["import"])
        #expect((#expect(throws: TesseraError.self) { try plan.takeCreate([], policy: importer.policy) })?.details.first?.rule == "empty")
        let many = JSONValue.array(Array(repeating: ["company": "A"], count: RecordPlan.maxBulk + 1))
        #expect((#expect(throws: TesseraError.self) { try plan.takeCreate(many, policy: importer.policy) })?.details.first?.rule == "bulk_limit")
    }

    @Test("the environment is read once per plan, and only when something evaluates")
    func environment() throws {
        let plain = EntityModel(EntityDefinition(name: "note", fields: [FieldDefinition(name: "text", type: .text)]), related: { _ in nil })
        let system = try caller(nil)
        #expect(try RecordPlan(.read, caller: system, model: plain).environment.now == 0)
        #expect(try RecordPlan(.list, caller: system, model: plain, evaluates: true, now: 42).environment.now == 42)
        // Formulas evaluate in every read.
        #expect(try RecordPlan(.read, caller: system, model: model(), now: 7).environment.now == 7)
        guard case .string(let user)? = try RecordPlan(.read, caller: system, model: model(), now: 7).environment.user["id"] else {
            Issue.record("the environment names no user")
            return
        }
        #expect(user == me.uuidString.lowercased())
    }

    @Test("the actor: key or automation, depth, and whether locks bind")
    func actor() throws {
        var system = try caller(nil)
        #expect(try RecordPlan(.update, caller: system, model: model()).actor.locksApply)
        system.automation = "flag_big"
        system.automationDepth = 3
        let actor = try RecordPlan(.update, caller: system, model: model()).actor
        #expect(actor.via == "automation:flag_big" && actor.automationDepth == 3 && !actor.locksApply)
    }
}
