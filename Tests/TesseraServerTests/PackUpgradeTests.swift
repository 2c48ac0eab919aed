import Foundation
import TesseraCore
import TesseraTestSupport
import Testing

/// Pack upgrades that keep customizations (issue 16, part 6), against the next version of the
/// sales pack kept in `Fixtures/sales-next` (1.4.0; its files say what changed).
@Suite("Pack upgrades")
struct PackUpgradeTests {
    /// A template market whose sales pack is the next version: the repository's, with the fixture's
    /// files laid over it and those it lists in `REMOVED` taken away.
    static func nextMarket() throws -> URL {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let market = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tessera-market-" + UUID().uuidString)
        try FileManager.default.copyItem(at: TestDatabase.packsDirectory, to: market)
        let fixture = here.appendingPathComponent("Fixtures/sales-next")
        for case let path as String in FileManager.default.enumerator(atPath: fixture.path) ?? .init() where path.hasSuffix(".yaml") {
            let target = market.appendingPathComponent("sales").appendingPathComponent(path)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: fixture.appendingPathComponent(path), to: target)
        }
        let removed = try String(contentsOf: fixture.appendingPathComponent("REMOVED"), encoding: .utf8)
        for line in removed.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            try FileManager.default.removeItem(at: market.appendingPathComponent("sales").appendingPathComponent(String(line)))
        }
        return market
    }

    static func field(_ entity: TestApp.Reply, _ name: String) -> JSONValue? {
        entity.json?["fields"]?.arrayValue?.first { $0["name"]?.stringValue == name }
    }

    static func catalogue(_ app: TestApp, _ key: String) async throws -> JSONValue? {
        try await app.call(.get, "/api/v1/packs", key: key).data.first { $0["id"] == "sales" }
    }

    /// What one application hands to the next (the tenant's key).
    actor Handoff {
        var key = ""
        func set(_ value: String) { key = value }
    }

    static let phoneLabel: JSONValue = ["zh-CN": "客户手机", "en": "Mobile"]

    /// The tenant's own changes to the installed pack, the same in every test here.
    static func customize(_ app: TestApp, _ key: String) async throws {
        let lead = "/api/v1/meta/entities/lead"
        #expect(try await app.call(.patch, "\(lead)/fields/phone", key: key, json: ["label": phoneLabel]).status == 200)
        #expect(try await app.call(.patch, "\(lead)/fields/job_title", key: key, json: ["label": ["zh-CN": "岗位", "en": "Position"]]).status == 200)
        #expect(try await app.call(.delete, "\(lead)/fields/city_code", key: key).status == 204)
        #expect(try await app.call(.post, "\(lead)/fields", key: key, json: ["name": "vip_note", "type": "text"]).status == 201)
        let rule: JSONValue = ["name": "company_named", "kind": "expression", "expression": "size(record.company) > 1"]
        #expect(try await app.call(.post, "\(lead)/rules", key: key, json: rule).status == 201)
    }

    @Test("an upgrade takes what the tenant never changed, keeps what it did, reports both-changed conflicts; dry run, catalogue, revert")
    func matrix() async throws {
        let handoff = Handoff()
        try await TestApp.run { app in
            let key = try await app.createTenant(packs: ["sales"])
            await handoff.set(key)
            try await Self.customize(app, key)
            let entry = try await Self.catalogue(app, key)
            #expect(entry?["installed_version"] == "1.3.0" && entry?["upgrade_available"] == false, "\(entry ?? .null)")
            #expect(entry?["contents"]?["entities"]?.intValue == 8)
            try await app.call(.post, "/api/v1/packs/sales/upgrade", key: key).expectError(409, "pack_up_to_date")
        }
        let market = try Self.nextMarket()
        defer { try? FileManager.default.removeItem(at: market) }
        let key = await handoff.key
        try await TestApp.run(configure: { $0.packsDirectory = market }) { app in
            let entry = try await Self.catalogue(app, key)
            #expect(entry?["version"] == "1.4.0" && entry?["installed_version"] == "1.3.0" && entry?["upgrade_available"] == true)
            // The plan, changing nothing.
            let dry = try await app.call(.post, "/api/v1/packs/sales/upgrade?dry_run=true", key: key)
            #expect(dry.status == 200 && dry.json?["dry_run"] == true && dry.json?["from"] == "1.3.0" && dry.json?["to"] == "1.4.0", "\(dry.text)")
            let merge = try #require(dry.json?["merge"])
            func has(_ list: String, _ id: String) -> Bool { merge[list]?.arrayValue?.contains(.string(id)) == true }
            #expect(has("updated", "entity:lead/field:contact_name.label") && has("updated", "entity:lead/field:job_title.max_length"))
            #expect(has("kept", "entity:lead/field:job_title.label"))
            #expect(has("added", "entity:lead/field:budget_range") && has("stay_deleted", "entity:lead/field:city_code"))
            #expect(has("deactivated", "automation:lead_due_soon_20h") && has("deactivated", "view:leads_by_rep"))
            let conflict = merge["conflicts"]?.arrayValue?.first { $0["id"] == "entity:lead/field:phone.label" }
            #expect(conflict?["ours"] == Self.phoneLabel && conflict?["theirs"] == ["zh-CN": "联系电话", "en": "Contact phone"], "\(merge)")
            #expect(conflict?["base"] == ["zh-CN": "手机号", "en": "Phone"])
            #expect(Self.field(try await app.call(.get, "/api/v1/meta/entities/lead", key: key), "budget_range") == nil)
            #expect(try await Self.catalogue(app, key)?["installed_version"] == "1.3.0")
            // Applied: one revision.
            let done = try await app.call(.post, "/api/v1/packs/sales/upgrade", key: key)
            #expect(done.status == 200 && done.json?["dry_run"] == false, "\(done.text)")
            let revision = try #require(done.json?["revision"]?.intValue)
            let lead = try await app.call(.get, "/api/v1/meta/entities/lead", key: key)
            #expect(Self.field(lead, "contact_name")?["label"] == ["zh-CN": "联系人姓名", "en": "Contact person"])
            #expect(Self.field(lead, "job_title")?["label"] == ["zh-CN": "岗位", "en": "Position"])
            #expect(Self.field(lead, "job_title")?["max_length"] == 120)
            #expect(Self.field(lead, "phone")?["label"] == Self.phoneLabel)
            #expect(Self.field(lead, "budget_range") != nil && Self.field(lead, "city_code") == nil && Self.field(lead, "vip_note") != nil)
            #expect(lead.json?["rules"]?.arrayValue?.contains { $0["name"] == "company_named" } == true)
            #expect(try await app.call(.get, "/api/v1/meta/automations/lead_due_soon_20h", key: key).json?["active"] == false)
            #expect(try await app.call(.get, "/api/v1/meta/views/leads_by_rep", key: key).status == 200)
            // The new field works at once; the catalogue is up to date.
            let created = try await app.call(
                .post, "/api/v1/data/lead", key: key,
                json: ["company": "宁波某科技", "contact_name": "陈总", "phone": "13900000007", "source_channel": "web_form", "budget_range": "from_100k"])
            #expect(created.status == 201, "\(created.text)")
            #expect(try await Self.catalogue(app, key)?["installed_version"] == "1.4.0")
            #expect(try await Self.catalogue(app, key)?["upgrade_available"] == false)
            let log = try await app.call(.get, "/api/v1/meta/revisions?limit=1", key: key).data.first
            #expect(log?["action"] == "pack.upgrade" && log?["target"] == "sales@1.3.0→1.4.0")
            // Reverting the upgrade: the configuration and the installed version as they were.
            let back = try await app.call(.post, "/api/v1/meta/revisions/\(revision - 1)/revert", key: key)
            #expect(back.status == 200, "\(back.text)")
            #expect(Self.field(try await app.call(.get, "/api/v1/meta/entities/lead", key: key), "budget_range") == nil)
            #expect(try await Self.catalogue(app, key)?["installed_version"] == "1.3.0")
            #expect(try await app.call(.get, "/api/v1/meta/automations/lead_due_soon_20h", key: key).json?["active"] == true)
            // Accepting the pack's value for the conflict; a malformed accept is a 422.
            try await app.call(.post, "/api/v1/packs/sales/upgrade", key: key, raw: "{\"accept\":\"phone\"}").expectError(422)
            let accepted = try await app.call(
                .post, "/api/v1/packs/sales/upgrade", key: key, json: ["accept": ["entity:lead/field:phone.label"]])
            #expect(accepted.status == 200 && accepted.json?["merge"]?["accepted"] == ["entity:lead/field:phone.label"], "\(accepted.text)")
            let phone = Self.field(try await app.call(.get, "/api/v1/meta/entities/lead", key: key), "phone")
            #expect(phone?["label"] == ["zh-CN": "联系电话", "en": "Contact phone"])
        }
    }

    @Test("a failed upgrade changes nothing; upgrades need the pack installed and the right to manage metadata")
    func refused() async throws {
        let handoff = Handoff()
        try await TestApp.run { app in
            let key = try await app.createTenant(packs: ["sales"])
            await handoff.set(key)
            try await Self.customize(app, key)
            // A stored value the next version's shorter source_detail cannot hold.
            let lead = try await app.call(
                .post, "/api/v1/data/lead", key: key,
                json: [
                    "company": "宁波某科技", "contact_name": "陈总", "phone": "13900000008", "source_channel": "web_form",
                    "source_detail": .string(String(repeating: "展", count: 150)),
                ])
            #expect(lead.status == 201, "\(lead.text)")
        }
        let market = try Self.nextMarket()
        defer { try? FileManager.default.removeItem(at: market) }
        let key = await handoff.key
        try await TestApp.run(configure: { $0.packsDirectory = market }) { app in
            let revisions = try await app.call(.get, "/api/v1/meta/revisions", key: key).data.count
            let failed = try await app.call(.post, "/api/v1/packs/sales/upgrade", key: key)
            failed.expectError(failed.status)
            #expect((400..<500).contains(failed.status) && failed.text.contains("source_detail"), "\(failed.text)")
            let entity = try await app.call(.get, "/api/v1/meta/entities/lead", key: key)
            #expect(Self.field(entity, "budget_range") == nil && Self.field(entity, "source_detail")?["max_length"] == 200)
            #expect(try await Self.catalogue(app, key)?["installed_version"] == "1.3.0")
            #expect(try await app.call(.get, "/api/v1/meta/revisions", key: key).data.count == revisions)
            #expect(try await app.call(.get, "/api/v1/meta/automations/lead_due_soon_20h", key: key).json?["active"] == true)
            // Not installed; not allowed.
            let bare = try await app.createTenant()
            try await app.call(.post, "/api/v1/packs/sales/upgrade", key: bare).expectError(409, "pack_not_installed")
            try await app.call(.post, "/api/v1/packs/nope/upgrade", key: bare).expectError(404)
            let rep = try await app.makeUser(key, roles: ["sales_rep"])
            try await app.call(.post, "/api/v1/packs/sales/upgrade?dry_run=true", key: rep.key).expectError(403)
        }
    }
}
