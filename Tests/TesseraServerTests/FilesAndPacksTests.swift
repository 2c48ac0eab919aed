import Foundation
import HTTPTypes
import TesseraCore
import TesseraTestSupport
import Testing

@Suite("Files and packs")
struct FilesAndPacksTests {
    @Test("files upload and download; attachments reference only this tenant's files of an accepted type")
    func attachments() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            let otherKey = try await app.createTenant()
            try await app.createEntity(
                key,
                [
                    "name": "visit",
                    "fields": [
                        ["name": "photos", "type": "attachment", "min_count": 2, "max_count": 3, "accept": ["image/*"]]
                    ],
                ])
            func upload(_ k: String, _ name: String, _ type: String, _ content: String) async throws -> String {
                let reply = try await app.call(.post, "/api/v1/files?name=\(name)", key: k, raw: content, headers: [.contentType: type])
                #expect(reply.status == 201, "\(reply.text)")
                return try #require(reply.id)
            }
            let a = try await upload(key, "a.jpg", "image/jpeg", "JPEGDATA-1")
            let b = try await upload(key, "b.png", "image/png", "PNGDATA-2")
            let pdf = try await upload(key, "c.pdf", "application/pdf", "%PDF-1.4")
            let foreign = try await upload(otherKey, "d.jpg", "image/jpeg", "JPEG-OTHER")
            let download = try await app.call(.get, "/api/v1/files/\(a)", key: key)
            #expect(download.status == 200 && download.text == "JPEGDATA-1")
            #expect(download.headers[.contentType] == "image/jpeg")
            try await app.call(.get, "/api/v1/files/\(a)", key: otherKey).expectError(404)

            let created = try await app.call(.post, "/api/v1/data/visit", key: key, json: ["photos": [.string(a), .string(b)]])
            #expect(created.status == 201, "\(created.text)")
            try await app.call(.post, "/api/v1/data/visit", key: key, json: ["photos": [.string(a)]]).expectError(422)
            try await app.call(.post, "/api/v1/data/visit", key: key, json: [:]).expectError(422)
            let wrong = try await app.call(.post, "/api/v1/data/visit", key: key, json: ["photos": [.string(a), .string(pdf), .string(foreign)]])
            let rules = Set((wrong.expectError(422)?["details"]?.arrayValue ?? []).compactMap { $0["rule"]?.stringValue })
            #expect(rules == ["accept", "reference"])
            try await app.call(.post, "/api/v1/files", key: key, raw: "").expectError(400)
        }
    }

    @Test("the sales pack installs in one transaction and its API works at once")
    func salesPack() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            let packs = try await app.call(.get, "/api/v1/packs", key: key)
            let sales = try #require(packs.data.first { $0["id"] == "sales" })
            #expect(sales["installed_version"] == .null)
            let install = try await app.call(.post, "/api/v1/packs/sales/install", key: key)
            #expect(install.status == 201, "\(install.text)")
            // The install reports its time; how fast it is is measured by bench/run.sh, not here.
            #expect((install.json?["duration_ms"]?.doubleValue ?? 0) > 0)
            let entities = try await app.call(.get, "/api/v1/meta/entities", key: key).data.compactMap { $0["name"]?.stringValue }
            #expect(
                Set(entities).isSuperset(of: ["lead", "customer", "contact", "opportunity", "visit", "follow_up", "contract", "payment_milestone"]))
            let opportunity = try await app.call(.get, "/api/v1/meta/entities/opportunity", key: key)
            let fields = opportunity.json?["fields"]?.arrayValue ?? []
            let stage = fields.first(where: { $0["name"]?.stringValue == "stage" })
            #expect((stage?["options"]?.arrayValue?.count ?? 0) >= 6, "opportunity: \(opportunity.text.prefix(300))")
            // Installing again conflicts and changes nothing.
            try await app.call(.post, "/api/v1/packs/sales/install", key: key).expectError(409)
            try await app.call(.post, "/api/v1/packs/nope/install", key: key).expectError(404)
            // The generated API serves the pack's entities right away.
            let lead = try await app.call(
                .post, "/api/v1/data/lead", key: key,
                json: [
                    "company": "杭州某医疗器械有限公司", "contact_name": "王经理", "phone": "13900000000", "source_channel": "web_form",
                    "pain_points": ["efficiency", "budget"],
                ])
            if lead.status != 201 {
                // The option keys are the pack's own; report which the test should use.
                let field = try await app.call(.get, "/api/v1/meta/entities/lead", key: key).json?["fields"]?.arrayValue?.first {
                    $0["name"] == "pain_points"
                }
                Issue.record("lead create failed: \(lead.text); pain_points options: \(field?["options"].map(JSONWriter.string) ?? "")")
            }
            let tooManyPains = try await app.call(
                .post, "/api/v1/data/lead", key: key,
                json: [
                    "company": "X", "contact_name": "Y", "source_channel": "web_form",
                    "pain_points": .array(
                        (try await app.call(.get, "/api/v1/meta/entities/lead", key: key).json?["fields"]?.arrayValue?
                            .first { $0["name"] == "pain_points" }?["options"]?.arrayValue ?? []).prefix(4).compactMap { $0["key"] }),
                ])
            tooManyPains.expectError(422)
            #expect(try await app.call(.get, "/api/v1/data/lead?source_channel=eq.web_form", key: key).data.count == (lead.status == 201 ? 1 : 0))
        }
    }
}
