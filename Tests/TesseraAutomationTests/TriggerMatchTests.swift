import TesseraAutomation
import TesseraCore
import Testing

@Suite("Trigger matching")
struct TriggerMatchTests {
    let new: JSONValue = ["id": "r1", "stage": "quotation", "amount": 5, "note": "x"]

    @Test("create and delete fire on their own event only")
    func events() {
        #expect(TriggerMatch.fires(.create, event: .create, old: nil, new: new, stageField: nil))
        #expect(!TriggerMatch.fires(.create, event: .update, old: ["note": "y"], new: new, stageField: nil))
        #expect(TriggerMatch.fires(.delete, event: .delete, old: nil, new: new, stageField: nil))
        #expect(!TriggerMatch.fires(.delete, event: .create, old: nil, new: new, stageField: nil))
    }

    @Test("updates fire on any change, or on a change of a listed field")
    func updates() {
        #expect(TriggerMatch.fires(.update(fields: [], becomesTrue: false), event: .update, old: ["note": "y"], new: new, stageField: nil))
        #expect(!TriggerMatch.fires(.update(fields: [], becomesTrue: false), event: .update, old: .object([]), new: new, stageField: nil))
        #expect(!TriggerMatch.fires(.update(fields: [], becomesTrue: false), event: .update, old: nil, new: new, stageField: nil))
        #expect(
            TriggerMatch.fires(
                .update(fields: ["amount", "owner_id"], becomesTrue: false), event: .update, old: ["amount": 3], new: new, stageField: nil))
        #expect(!TriggerMatch.fires(.update(fields: ["amount"], becomesTrue: false), event: .update, old: ["note": "y"], new: new, stageField: nil))
    }

    @Test("stage changes fire on moves, filtered by from and to")
    func stages() {
        let moved: JSONValue = ["stage": "technical_exchange"]
        #expect(TriggerMatch.fires(.stageChange(from: nil, to: nil), event: .update, old: moved, new: new, stageField: "stage"))
        #expect(
            TriggerMatch.fires(.stageChange(from: "technical_exchange", to: "quotation"), event: .update, old: moved, new: new, stageField: "stage"))
        #expect(!TriggerMatch.fires(.stageChange(from: "negotiation", to: nil), event: .update, old: moved, new: new, stageField: "stage"))
        #expect(!TriggerMatch.fires(.stageChange(from: nil, to: "won"), event: .update, old: moved, new: new, stageField: "stage"))
        #expect(!TriggerMatch.fires(.stageChange(from: nil, to: nil), event: .update, old: ["note": "y"], new: new, stageField: "stage"))
    }

    @Test("the record before an update is the record after with the old values put back")
    func before() {
        let old = TriggerMatch.before(old: ["amount": 3, "gone": "z"], new: new)
        #expect(old["amount"] == 3 && old["note"] == "x" && old["gone"] == "z" && old["stage"] == "quotation")
    }
}
