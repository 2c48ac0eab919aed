import Foundation
import TesseraCore
import TesseraTestSupport
import Testing

/// Packs side by side (issue 16, part 4): several packs in one tenant, a pack that requires
/// another and adds fields and rules to its entities, collisions and missing requirements refused.
/// The market is the repository's plus the test packs in `Fixtures/market-extra`.
@Suite("Packs side by side")
struct PackSideBySideTests {
    static func market() throws -> URL {
        let market = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tessera-market-" + UUID().uuidString)
        try FileManager.default.copyItem(at: TestDatabase.packsDirectory, to: market)
        let extra = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/market-extra")
        for pack in try FileManager.default.contentsOfDirectory(atPath: extra.path) {
            try FileManager.default.copyItem(at: extra.appendingPathComponent(pack), to: market.appendingPathComponent(pack))
        }
        return market
    }

    @Test("sales and store side by side; a pack extends the sales customer; collisions and missing requirements are refused with what is wrong")
    func sideBySide() async throws {
        let market = try Self.market()
        defer { try? FileManager.default.removeItem(at: market) }
        try await TestApp.run(configure: { $0.packsDirectory = market }) { app in
            // Two packs in one tenant: nothing of either is lost.
            let both = try await app.createTenant(packs: ["sales", "store"])
            let entities = try await app.call(.get, "/api/v1/meta/entities", key: both).data.compactMap { $0["name"]?.stringValue }
            #expect(Set(["lead", "customer", "store", "member", "promise"]).isSubset(of: Set(entities)), "\(entities)")
            let catalogue = try await app.call(.get, "/api/v1/packs", key: both).data
            #expect(catalogue.first { $0["id"] == "store" }?["installed_version"] == "1.0.0")
            #expect(catalogue.first { $0["id"] == "sales_care" }?["requires"]?.arrayValue?.first?["id"] == "sales")
            #expect(catalogue.first { $0["id"] == "sales_care" }?["contents"]?["extended_entities"] == 1)
            // The extension needs sales installed first.
            let bare = try await app.createTenant()
            let missing = try await app.call(.post, "/api/v1/packs/sales_care/install", key: bare)
            missing.expectError(409, "pack_requirement")
            #expect(missing.text.contains("sales"))
            // Entities named like sales' without declaring it: one 409 naming each collision; nothing installed.
            let clash = try await app.call(.post, "/api/v1/packs/clash/install", key: both)
            clash.expectError(409)
            #expect(clash.text.contains("customer") && clash.text.contains("contact"), "\(clash.text)")
            // Installed after sales: the customer gains the fields and the rule; the pack's view uses them.
            let key = try await app.createTenant(packs: ["sales"])
            let customer = try #require(try await app.create(key, "customer", ["name": "杭州某医疗器械有限公司"])["id"]?.stringValue)
            #expect(try await app.call(.post, "/api/v1/packs/sales_care/install", key: key).status == 201)
            let fields = try await app.call(.get, "/api/v1/meta/entities/customer", key: key).json?["fields"]?.arrayValue ?? []
            #expect(fields.contains { $0["name"] == "churn_risk" } && fields.contains { $0["name"] == "risk_note" })
            #expect(fields.contains { $0["name"] == "main_product" }, "the sales pack's own fields stay")
            try await app.call(.patch, "/api/v1/data/customer/\(customer)", key: key, json: ["churn_risk": "inactive"]).expectError(422)
            let flagged = try await app.call(
                .patch, "/api/v1/data/customer/\(customer)", key: key, json: ["churn_risk": "inactive", "risk_note": "30天未登录"])
            #expect(flagged.status == 200, "\(flagged.text)")
            #expect(try await app.call(.get, "/api/v1/views/customers_at_risk/data", key: key).data.count == 1)
            #expect(try await app.create(key, "care_ticket", ["subject": "回访", "customer": .string(customer)])["id"] != nil)
            // A tenant field of the same name as an extension's refuses the install, naming it.
            let other = try await app.createTenant(packs: ["sales"])
            let own: JSONValue = ["name": "churn_risk", "type": "text"]
            #expect(try await app.call(.post, "/api/v1/meta/entities/customer/fields", key: other, json: own).status == 201)
            let collision = try await app.call(.post, "/api/v1/packs/sales_care/install", key: other)
            collision.expectError(409, "extension_collision")
            #expect(collision.text.contains("customer.churn_risk"))
            try await app.call(.get, "/api/v1/meta/entities/care_ticket", key: other).expectError(404)
        }
    }
}
