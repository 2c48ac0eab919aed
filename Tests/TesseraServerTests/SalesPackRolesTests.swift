import Foundation
import TesseraCore
import Testing

/// The sales pack's roles as the seeds describe the company: reps, supervisors, the director,
/// finance, pre-sales and delivery.
@Suite("Sales pack roles")
struct SalesPackRolesTests {
    @Test("each role of the pack sees and changes what the seeds say, and a new rep works at once")
    func roles() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant(packs: ["sales"])
            let names = try await app.call(.get, "/api/v1/meta/roles", key: admin).data.compactMap { $0["name"]?.stringValue }
            #expect(
                Set(names) == [
                    "admin", "sales_rep", "sales_supervisor", "regional_manager", "sales_director", "finance", "legal", "presales",
                    "delivery", "product_manager", "warehouse",
                ])
            let east = try #require(try await app.call(.post, "/api/v1/teams", key: admin, json: ["name": "华东"]).id)
            let west = try #require(try await app.call(.post, "/api/v1/teams", key: admin, json: ["name": "华南"]).id)
            let (supervisorID, supervisor) = try await app.makeUser(admin, name: "主管", roles: ["sales_supervisor"], team: east)
            // No roles given: the pack's default role (sales_rep) applies.
            let newRep = try await app.call(
                .post, "/api/v1/users", key: admin,
                json: ["name": "新销售", "email": "rep1@example.com", "team_id": .string(east), "manager_id": .string(supervisorID)])
            #expect(newRep.json?["roles"] == ["sales_rep"], "\(newRep.text)")
            let rep1ID = try #require(newRep.id)
            let rep1 = try #require(
                try await app.call(.post, "/api/v1/users/\(rep1ID)/api-keys", key: admin, json: ["name": "k"]).json?["key"]?.stringValue)
            let (_, rep2) = try await app.makeUser(admin, name: "销售二", roles: ["sales_rep"], team: west)
            let (_, director) = try await app.makeUser(admin, name: "总监", roles: ["sales_director"])
            let (_, finance) = try await app.makeUser(admin, name: "财务", roles: ["finance"])
            let (presalesID, presales) = try await app.makeUser(admin, name: "售前", roles: ["presales"])
            let (deliveryID, delivery) = try await app.makeUser(admin, name: "交付", roles: ["delivery"])

            func ids(_ key: String, _ entity: String) async throws -> Set<String> {
                let reply = try await app.call(.get, "/api/v1/data/\(entity)", key: key)
                #expect(reply.status == 200, "\(entity): \(reply.text)")
                return Set(reply.data.compactMap { $0["id"]?.stringValue })
            }
            // Leads: own for reps, the team for the supervisor, everything for the director. Each rep found
            // their lead themselves (field prospecting), so no assignment hands it to someone else meanwhile.
            let l1 = try #require(
                try await app.create(
                    rep1, "lead", ["company": "杭州某医疗器械有限公司", "contact_name": "王经理", "phone": "13900000001", "source_channel": "field_prospecting"])[
                        "id"]?
                    .stringValue)
            let l2 = try #require(
                try await app.create(
                    rep2, "lead", ["company": "深圳某科技公司", "contact_name": "李总", "phone": "13900000002", "source_channel": "field_prospecting"])["id"]?
                    .stringValue)
            #expect(try await ids(rep1, "lead") == [l1])
            #expect(try await ids(rep2, "lead") == [l2])
            #expect(try await ids(supervisor, "lead") == [l1])
            #expect(try await ids(director, "lead") == [l1, l2])
            try await app.call(.get, "/api/v1/data/lead", key: finance).expectError(403)

            // An opportunity with a pre-sales engineer and a delivery engineer assigned.
            let customer = try #require(try await app.create(rep1, "customer", ["name": "杭州某医疗器械有限公司"])["id"]?.stringValue)
            let opportunity = try await app.call(
                .post, "/api/v1/data/opportunity", key: rep1,
                json: [
                    "name": "手术室设备更新", "customer": .string(customer), "amount": 860000, "expected_close_date": "2027-03-31",
                    "presales_owner": .string(presalesID), "delivery_owner": .string(deliveryID),
                ])
            #expect(opportunity.status == 201, "\(opportunity.text)")
            let o1 = try #require(opportunity.id)
            _ = try await app.create(rep2, "customer", ["name": "深圳某科技公司"])
            #expect(try await ids(presales, "opportunity") == [o1])
            #expect(try await ids(delivery, "opportunity") == [o1])
            try await app.call(.get, "/api/v1/data/customer", key: presales).expectError(403)
            try await app.call(.patch, "/api/v1/data/opportunity/\(o1)", key: presales, json: ["amount": 1]).expectError(403)
            #expect(try await app.call(.patch, "/api/v1/data/opportunity/\(o1)", key: presales, json: ["next_step": "技术交流会"]).status == 200)
            let seenByDelivery = try await app.call(.get, "/api/v1/data/opportunity/\(o1)", key: delivery)
            #expect(seenByDelivery.json?["amount"] == nil && seenByDelivery.json?["probability"] == nil && seenByDelivery.json?["name"] != nil)
            try await app.call(.get, "/api/v1/data/opportunity?amount=gt.0", key: delivery).expectError(400)

            // Contracts: finance reads all and books payments but cannot change the amount; reps cannot book payments.
            let contract = try await app.call(
                .post, "/api/v1/data/contract", key: rep1, json: ["title": "设备采购合同", "customer": .string(customer), "amount": 860000])
            #expect(contract.status == 201, "\(contract.text)")
            let c1 = try #require(contract.id)
            #expect(try await ids(finance, "contract") == [c1])
            #expect(try await ids(rep2, "contract").isEmpty)
            #expect(try await app.call(.patch, "/api/v1/data/contract/\(c1)", key: finance, json: ["received_amount": 258000]).status == 200)
            try await app.call(.patch, "/api/v1/data/contract/\(c1)", key: finance, json: ["amount": 1]).expectError(403)
            try await app.call(.patch, "/api/v1/data/contract/\(c1)", key: rep1, json: ["received_amount": 860000]).expectError(403)
            try await app.call(.post, "/api/v1/data/contract", key: finance, json: ["title": "x", "customer": .string(customer), "amount": 1])
                .expectError(403)
            // Reps and supervisors may not change metadata or users; the director may not either.
            for key in [rep1, supervisor, director] {
                try await app.call(.post, "/api/v1/meta/entities/lead/fields", key: key, json: ["name": "x", "type": "text"]).expectError(403)
                try await app.call(.post, "/api/v1/users", key: key, json: ["name": "x", "email": "x@example.com"]).expectError(403)
            }
        }
    }

    @Test("changing a customer's main product tells the product manager, raises the stock priority and tells the warehouse")
    func mainProductChanged() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant(packs: ["sales"])
            #expect(try await app.call(.get, "/api/v1/meta/automations/main_product_changed", key: admin).json?["active"] == true)
            let (_, pm) = try await app.makeUser(admin, name: "产品经理", roles: ["product_manager"])
            let (_, warehouse) = try await app.makeUser(admin, name: "仓储", roles: ["warehouse"])
            let (_, rep) = try await app.makeUser(admin, name: "销售", roles: ["sales_rep"])
            let customer = try #require(try await app.create(rep, "customer", ["name": "宁波某精密机械有限公司"])["id"]?.stringValue)
            #expect(try await app.call(.get, "/api/v1/data/customer/\(customer)", key: rep).json?["warehouse_priority"] == "normal")
            #expect(try await app.call(.patch, "/api/v1/data/customer/\(customer)", key: rep, json: ["main_product": "伺服电机 SM-400"]).status == 200)
            try await eventually("the stock priority raised") {
                try await app.call(.get, "/api/v1/data/customer/\(customer)", key: rep).json?["warehouse_priority"] == "high"
            }
            try await eventually("both inboxes told") {
                let toPM = try await app.call(.get, "/api/v1/inbox", key: pm).data.count
                let toWarehouse = try await app.call(.get, "/api/v1/inbox", key: warehouse).data.count
                return toPM == 1 && toWarehouse == 1
            }
            #expect(try await app.call(.get, "/api/v1/inbox", key: pm).data.first?["message"]?["zh-CN"]?.stringValue?.contains("主推产品") == true)
            #expect(try await app.call(.get, "/api/v1/inbox", key: rep).data.isEmpty)
            let history = try await app.call(.get, "/api/v1/data/customer/\(customer)/history", key: rep).data
            #expect(history.first?["via"] == "automation:main_product_changed")
            // Other edits do not trigger it.
            #expect(try await app.call(.patch, "/api/v1/data/customer/\(customer)", key: rep, json: ["website": "https://example.com"]).status == 200)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await app.call(.get, "/api/v1/inbox", key: pm).data.count == 1)
        }
    }
}
