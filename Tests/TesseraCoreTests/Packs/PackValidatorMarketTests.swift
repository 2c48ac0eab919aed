import Foundation
import TesseraCore
import Testing

/// The packs of the real template market (`templates-market/`) validate, with what they bring.
@Suite("Pack validation: the template market")
struct PackValidatorMarketTests {
    /// The sales pack, validated; the test fails when it does not validate.
    func sales() throws -> PackManifest {
        let report = PackValidator.validate(folder: PackMarket.real.appendingPathComponent("sales"))
        expectValid(report)
        return try #require(report.pack)
    }

    @Test("every pack of the template market validates")
    func everyPack() {
        let ids = PackLibrary(root: PackMarket.real).ids()
        #expect(ids.contains("sales"))
        for id in ids { expectValid(PackValidator.validate(folder: PackMarket.real.appendingPathComponent(id))) }
    }

    @Test("the sales pack has its eight entities, in install order")
    func salesEntities() throws {
        #expect(
            try sales().entities.map(\.name) == ["lead", "customer", "contact", "opportunity", "visit", "follow_up", "contract", "payment_milestone"])
    }

    @Test("the sales pack keeps the seeds' numbers")
    func salesSeeds() throws {
        let pack = try sales()
        let lead = try #require(pack.entities.first { $0.name == "lead" })
        #expect(lead.field("pain_points")?.maxSelections == 3)
        #expect(lead.field("funnel_stage")?.options.count == 6)
        let followUp = try #require(pack.entities.first { $0.name == "follow_up" })
        let required = Set(followUp.fields.filter(\.required).map(\.name))
        #expect(required.isSuperset(of: ["source_channel", "first_touch", "pain_points", "funnel_stage", "next_follow_up_at"]))
        let visit = try #require(pack.entities.first { $0.name == "visit" })
        #expect(visit.field("key_questions")?.options.count == 5)
        #expect(visit.field("photos")?.maxCount == 9)
    }

    @Test("the sales pack has its ten roles (legal reviews contracts); sales_rep is the default; its five approval processes")
    func salesRoles() throws {
        let pack = try sales()
        #expect(
            pack.roles.map(\.name) == [
                "sales_rep", "sales_supervisor", "regional_manager", "sales_director", "finance", "legal", "presales", "delivery",
                "product_manager", "warehouse",
            ])
        #expect(pack.roles.filter(\.isDefault).map(\.name) == ["sales_rep"])
        #expect(
            pack.approvals.map(\.name) == [
                "contract_approval", "contract_confirmation", "invoice_request", "proposal_confirmation", "acceptance_confirmation",
            ])
        #expect(pack.approvals.first?.holds.map(\.entity) == ["payment_milestone"])
        #expect(pack.approvals.first?.steps.map(\.name) == ["sales_manager", "finance", "legal"])
    }

    @Test("the sales pack's automations include an update trigger (`on:` read as text) and a two-step sla")
    func salesAutomations() throws {
        let pack = try sales()
        let changed = try #require(pack.automations.first { $0.name == "main_product_changed" })
        guard case .update = changed.trigger else { Issue.record("main_product_changed is \(changed.trigger)"); return }
        let sla = try #require(pack.automations.first { $0.name == "lead_first_response_sla" })
        guard case .sla = sla.trigger else { Issue.record("lead_first_response_sla is \(sla.trigger)"); return }
        #expect(sla.steps.count == 2 && sla.actions.isEmpty)
    }

    @Test("the sales pack assigns leads by its assignment rule")
    func salesAssignment() throws {
        let pack = try sales()
        #expect(pack.assignmentRules.map(\.name) == ["lead_assignment"])
        let assign = try #require(pack.automations.first { $0.name == "lead_auto_assign" })
        #expect(assign.actions.first == .assign(rule: "lead_assignment"))
    }
}
