import Foundation
import TesseraCore
import Testing

/// The sales pack's rules, stages and duplicate guard as the seeds describe them.
@Suite("Sales pack rules")
struct SalesPackRulesTests {
    @Test("visits: GPS within 500 m, 2 photos, 3 of 5 key questions, no impossible schedule")
    func visits() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            #expect(try await app.call(.post, "/api/v1/packs/sales/install", key: key).status == 201)
            let customer = try await app.create(
                key, "customer", ["name": "上海某医院", "address": ["lat": 31.2304, "lng": 121.4737, "address": "上海市黄浦区"]])
            let customerID = try #require(customer["id"]?.stringValue)
            var photos: [JSONValue] = []
            for i in 0..<2 {
                let file = try await app.call(
                    .post, "/api/v1/files?name=p\(i).jpg", key: key, raw: "JPEG-\(i)", headers: [.contentType: "image/jpeg"])
                photos.append(.string(try #require(file.id)))
            }
            let base: [(String, JSONValue)] = [
                ("customer", .string(customerID)), ("status", "planned"), ("planned_at", "2026-11-23T10:00:00+08:00"), ("city", "上海"),
            ]
            let visit = try await app.create(key, "visit", .object(base))
            let id = try #require(visit["id"]?.stringValue)

            let far = try await app.call(
                .patch, "/api/v1/data/visit/\(id)", key: key,
                json: [
                    "status": "submitted", "checkin": ["lat": 31.2504, "lng": 121.4737], "checkin_at": "2026-11-23T10:02:00+08:00",
                    "summary": "见到设备科主任", "photos": [photos[0]], "key_questions": ["budget_confirmed"],
                ])
            let rules = Set((far.expectError(422)?["details"]?.arrayValue ?? []).compactMap { $0["rule"]?.stringValue })
            #expect(rules == ["checkin_within_500m", "two_photos", "three_key_questions"], "\(far.text)")
            let ok = try await app.call(
                .patch, "/api/v1/data/visit/\(id)", key: key,
                json: [
                    "status": "submitted", "checkin": ["lat": 31.2320, "lng": 121.4740], "checkin_at": "2026-11-23T10:02:00+08:00",
                    "summary": "见到设备科主任", "photos": .array(photos),
                    "key_questions": ["budget_confirmed", "decision_chain_known", "purchase_timeline"],
                ])
            #expect(ok.status == 200, "\(ok.text)")

            // 10:00 in Shanghai, then 11:00 in Hangzhou: impossible.
            let clash = try await app.call(
                .post, "/api/v1/data/visit", key: key,
                json: [
                    "customer": .string(customerID), "status": "planned", "planned_at": "2026-11-23T11:00:00+08:00", "city": "杭州",
                ])
            #expect(clash.expectError(422)?["details"]?.arrayValue?.first?["rule"]?.stringValue == "impossible_schedule")
            #expect(
                try await app.call(
                    .post, "/api/v1/data/visit", key: key,
                    json: [
                        "customer": .string(customerID), "status": "planned", "planned_at": "2026-11-23T14:30:00+08:00", "city": "杭州",
                    ]
                ).status == 201)
        }
    }

    @Test("a lead seen again within 30 days is linked to the first one, its customer, and marked a referral")
    func duplicateLeads() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            #expect(try await app.call(.post, "/api/v1/packs/sales/install", key: key).status == 201)
            let customer = try await app.create(key, "customer", ["name": "杭州某医疗器械有限公司"])
            let lead: JSONValue = ["company": "杭州某医疗器械有限公司", "contact_name": "王经理", "phone": "139 0000 0000", "source_channel": "web_form"]
            let first = try await app.create(key, "lead", lead)
            let firstID = try #require(first["id"]?.stringValue)
            #expect(try await app.call(.patch, "/api/v1/data/lead/\(firstID)", key: key, json: ["customer": customer["id"]!]).status == 200)
            let again = try await app.create(
                key, "lead", ["company": "杭州某医疗器械有限公司 ", "contact_name": "王经理", "phone": "13900000000", "source_channel": "exhibition"])
            #expect(again["duplicate_of"]?.stringValue == firstID)
            #expect(again["customer"] == customer["id"])
            #expect(again["is_referral"] == .bool(true))
            let fresh = try await app.create(
                key, "lead", ["company": "另一家公司", "contact_name": "李总", "phone": "13900000000", "source_channel": "web_form"])
            #expect(fresh["duplicate_of"] == .null)
            #expect(fresh["is_referral"] == .bool(false))

            // Editing the first lead afterwards does not make it a duplicate of the one that came later.
            let edited = try await app.call(
                .patch, "/api/v1/data/lead/\(firstID)", key: key, json: ["phone": "139-0000-0000", "contact_name": "王经理（采购）"])
            #expect(edited.status == 200, "\(edited.text)")
            #expect(edited.json?["duplicate_of"] == .null)
            #expect(edited.json?["is_referral"] == .bool(false))
        }
    }

    @Test("duplicates of a lead come in while the lead itself is edited: every write succeeds, none deadlocks")
    func duplicatesWhileEditing() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            #expect(try await app.call(.post, "/api/v1/packs/sales/install", key: key).status == 201)
            let first = try await app.create(
                key, "lead", ["company": "宁波某仪器公司", "contact_name": "赵工", "phone": "13700000000", "source_channel": "web_form"])
            let firstID = try #require(first["id"]?.stringValue)
            // The edits touch the matched phone (the same number, spelled differently), so they run the
            // duplicate rule too; the creates link to the first lead, whose row the edits hold.
            let statuses = try await withThrowingTaskGroup(of: (String, Int, String).self) { group in
                for i in 0..<12 {
                    group.addTask {
                        let phone = i % 2 == 0 ? "137 0000 0000" : "137-0000-0000"
                        let reply = try await app.call(.patch, "/api/v1/data/lead/\(firstID)", key: key, json: ["phone": .string(phone)])
                        return ("edit", reply.status, reply.text)
                    }
                    group.addTask {
                        let reply = try await app.call(
                            .post, "/api/v1/data/lead", key: key,
                            json: ["company": "宁波某仪器公司", "contact_name": "赵工", "phone": "13700000000", "source_channel": "exhibition"])
                        return ("create", reply.status, reply.text)
                    }
                }
                var all: [(String, Int, String)] = []
                for try await status in group { all.append(status) }
                return all
            }
            for (kind, status, text) in statuses {
                #expect(status == (kind == "edit" ? 200 : 201), "\(kind): \(text)")
            }
            let linked = try await app.call(.get, "/api/v1/data/lead?duplicate_of=eq.\(firstID)&limit=100", key: key)
            #expect(linked.data.count == 12, "\(linked.text)")
        }
    }

    @Test("an opportunity cannot leave technical exchange without the signed technical agreement")
    func opportunityStages() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            #expect(try await app.call(.post, "/api/v1/packs/sales/install", key: key).status == 201)
            let customer = try await app.create(key, "customer", ["name": "Acme"])
            let contact = try await app.create(key, "contact", ["name": "张工", "customer": customer["id"]!])
            let created = try await app.call(
                .post, "/api/v1/data/opportunity", key: key,
                json: [
                    "name": "设备采购", "customer": customer["id"]!, "amount": 500000, "expected_close_date": "2026-12-31",
                    "primary_contact": contact["id"]!,
                ])
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.id)
            #expect(created.json?["stage"]?.stringValue == "initial_contact")
            func move(_ json: JSONValue) async throws -> TestApp.Reply {
                try await app.call(.patch, "/api/v1/data/opportunity/\(id)", key: key, json: json)
            }
            try await move(["stage": "quotation"]).expectError(422)
            #expect(try await move(["stage": "technical_exchange"]).status == 200)
            let gate = try await move(["stage": "quotation", "technical_contact": contact["id"]!, "solution_version": "v2_0"])
            #expect(gate.expectError(422)?["details"]?.arrayValue?.first?["field"]?.stringValue == "technical_agreement")
            let file = try await app.call(
                .post, "/api/v1/files?name=tech.pdf", key: key, raw: "%PDF signed", headers: [.contentType: "application/pdf"])
            let moved = try await move([
                "stage": "quotation", "technical_contact": contact["id"]!, "solution_version": "v2_0",
                "technical_agreement": [.string(try #require(file.id))],
            ])
            #expect(moved.status == 200, "\(moved.text)")
            #expect(try await move(["stage": "lost", "lost_reason": "price"]).status == 200)
            let history = try await app.call(.get, "/api/v1/data/opportunity/\(id)/stages", key: key)
            #expect(history.data.compactMap { $0["to"]?.stringValue } == ["initial_contact", "technical_exchange", "quotation", "lost"])
        }
    }
}
