import Foundation
import TesseraCore
import TesseraTestSupport
import Testing

/// The per-tenant OpenAPI document, checked the way an integrator's tools read it: the
/// documents pass openapi-spec-validator (3.0 and 3.1) and the server's own answers validate
/// against the schemas the document gives them (`Fixtures/openapi/check.py`).
@Suite("OpenAPI: the tenant's API as the caller sees it")
struct OpenAPITests {
    static let everyType: JSONValue = [
        "name": "sample", "label": ["en": "Sample", "zh-CN": "样本"],
        "fields": [
            ["name": "title", "type": "text", "required": true, "max_length": 80],
            ["name": "notes", "type": "long_text"],
            ["name": "quantity", "type": "number", "min": 0, "max": 1000],
            ["name": "ratio", "type": "decimal"],
            ["name": "price", "type": "money"],
            ["name": "discount", "type": "percent"],
            ["name": "active", "type": "boolean", "default": true],
            ["name": "due_on", "type": "date"],
            ["name": "met_at", "type": "datetime"],
            ["name": "grade", "type": "select", "options": [["key": "a"], ["key": "b"]]],
            ["name": "tags", "type": "multi_select", "options": [["key": "x"], ["key": "y"]], "max_selections": 2],
            ["name": "mail", "type": "email"],
            ["name": "phone", "type": "phone"],
            ["name": "site", "type": "url"],
            ["name": "reviewer", "type": "user"],
            ["name": "parent", "type": "relation", "target": "sample"],
            ["name": "place", "type": "location"],
            ["name": "files", "type": "attachment", "max_count": 3],
            ["name": "number", "type": "auto_number", "pattern": "S-{0000}"],
            ["name": "total", "type": "formula", "expression": "record.price * 2", "result": "money"],
        ],
    ]

    static let checker = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/openapi/check.py").path

    /// Runs the checker on `document` with `instances` (schema name → JSON); its problems, one per line.
    static func check(_ document: String, version: String, instances: [(String, String)] = []) throws -> [String] {
        let dir = NSTemporaryDirectory() + "tessera-openapi-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try document.write(toFile: dir + "/openapi.json", atomically: true, encoding: .utf8)
        var arguments = [checker, dir + "/openapi.json", version]
        for (i, (schema, json)) in instances.enumerated() {
            try json.write(toFile: dir + "/\(i).json", atomically: true, encoding: .utf8)
            arguments.append("\(schema)=\(dir)/\(i).json")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = text.split(separator: "\n").map(String.init)
        if process.terminationStatus != 0, lines.isEmpty { return ["checker exited \(process.terminationStatus) (scripts/setup.sh installs it)"] }
        return lines
    }

    @Test("the sales pack's document is valid OpenAPI 3.0.3 and 3.1.0, with an exact schema per entity")
    func salesPack() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant(packs: ["sales"])
            let created = try await app.create(
                admin, "lead", ["company": "杭州智联", "contact_name": "张工", "source_channel": "web_form", "phone": "13800000000"])
            let lead = try await app.call(.get, "/api/v1/data/lead/\(created["id"]?.stringValue ?? "")", key: admin).text
            let leads = try await app.call(.get, "/api/v1/data/lead", key: admin).text
            for (query, version) in [("", "3.0"), ("?version=3.1", "3.1")] {
                let reply = try await app.call(.get, "/api/v1/openapi.json" + query, key: admin)
                #expect(reply.status == 200, "\(reply.text.prefix(500))")
                #expect(reply.json?["openapi"]?.stringValue == (version == "3.0" ? "3.0.3" : "3.1.0"))
                #expect(try Self.check(reply.text, version: version, instances: [("Lead", lead), ("LeadPage", leads)]) == [])
                let lead = reply.json?["components"]?["schemas"]?["Lead"]
                let status = lead?["properties"]?["status"]
                let keys = status?["enum"]?.arrayValue?.compactMap(\.stringValue) ?? []
                #expect(keys.contains("to_contact") && keys.contains("converted"), "\(status ?? .null)")
                #expect(reply.json?["paths"]?["/api/v1/data/lead/{id}"]?["patch"] != nil)
                #expect(reply.json?["components"]?["schemas"]?["LeadCreate"]?["required"]?.arrayValue?.contains("company") == true)
            }
        }
    }

    @Test("`tessera openapi --tenant` prints the document the route serves to an admin")
    func command() async throws {
        try await TestApp.run { app in
            let slug = TestDatabase.uniqueSlug()
            let admin = try await app.createTenant(slug, packs: ["sales"])
            let served = try await app.call(.get, "/api/v1/openapi.json?version=3.1", key: admin)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CrashRecoveryTests.binary)
            process.arguments = ["openapi", "--tenant", slug, "--version", "3.1"]
            var environment = ProcessInfo.processInfo.environment
            environment["DATABASE_URL"] = try await TestDatabase.shared.endpoint().url
            environment["LOG_LEVEL"] = "error"
            process.environment = environment
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let printed = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            #expect(try JSONParser.parse(Array(printed)) == served.json, "the same document")
        }
    }

    @Test("every field type: the document validates and so do the server's own answers (a record, a page) against it")
    func everyFieldType() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant()
            try await app.createEntity(admin, Self.everyType)
            let file = try #require(
                try await app.call(.post, "/api/v1/files?name=a.txt", key: admin, raw: "hello", headers: [.contentType: "text/plain"]).id)
            let me = try #require(try await app.call(.get, "/api/v1/me", key: admin).json?["user"]?["id"]?.stringValue)
            let full = try await app.create(
                admin, "sample",
                [
                    "title": "全部类型", "notes": "多行\n文本", "quantity": 3, "ratio": 0.25, "price": "19.90", "discount": 12.5, "active": false,
                    "due_on": "2027-01-31", "met_at": "2026-12-07T09:30:00+08:00", "grade": "a", "tags": ["x", "y"], "mail": "a@example.com",
                    "phone": "+86 138 0000 0000", "site": "https://example.com/a", "reviewer": .string(me),
                    "place": ["lat": 30.27, "lng": 120.15, "address": "杭州"], "files": [.string(file)],
                ])
            let id = try #require(full["id"]?.stringValue)
            _ = try await app.create(admin, "sample", ["title": "空的", "parent": .string(id)])
            let record = try await app.call(.get, "/api/v1/data/sample/\(id)", key: admin)
            let page = try await app.call(.get, "/api/v1/data/sample?count=exact", key: admin)
            #expect(page.data.count == 2)
            for version in ["3.0", "3.1"] {
                let document = try await app.call(.get, "/api/v1/openapi.json?version=\(version)", key: admin)
                let problems = try Self.check(
                    document.text, version: version,
                    instances: [("Sample", record.text), ("SamplePage", page.text), ("Sample", JSONWriter.string(full))])
                #expect(problems == [], "\(version)")
            }
            // A value the document calls wrong is one the server refuses too.
            let document = try await app.call(.get, "/api/v1/openapi.json", key: admin)
            let schema = document.json?["components"]?["schemas"]?["SampleCreate"]
            #expect(schema?["properties"]?["number"] == nil && schema?["properties"]?["total"] == nil, "computed fields are not written")
            #expect(schema?["properties"]?["tags"]?["maxItems"] == 2)
            try await app.call(.post, "/api/v1/data/sample", key: admin, json: ["title": "x", "tags": ["x", "y", "x"]]).expectError(422)
            let read = document.json?["components"]?["schemas"]?["Sample"]?["properties"]
            #expect(read?["total"]?["readOnly"] == true && read?["number"]?["readOnly"] == true && read?["id"]?["readOnly"] == true)
        }
    }

    @Test("a role's document: entities it cannot reach are absent, hidden fields absent, read-only fields not writable, actions it lacks absent")
    func perRole() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant()
            try await app.createEntity(admin, Self.everyType)
            try await app.createEntity(admin, ["name": "secret", "fields": [["name": "code", "type": "text"]]])
            let role: JSONValue = [
                "name": "viewer",
                "permissions": ["sample": ["read": "own", "create": "own", "fields": ["price": "none", "grade": "read"]]],
            ]
            #expect(try await app.call(.post, "/api/v1/meta/roles", key: admin, json: role).status == 201)
            let viewer = try await app.makeUser(admin, name: "Viewer", roles: ["viewer"])
            let reply = try await app.call(.get, "/api/v1/openapi.json", key: viewer.key)
            #expect(try Self.check(reply.text, version: "3.0") == [])
            let schemas = reply.json?["components"]?["schemas"]
            #expect(schemas?["Secret"] == nil && reply.json?["paths"]?["/api/v1/data/secret"] == nil)
            #expect(schemas?["Sample"]?["properties"]?["price"] == nil, "a hidden field is not in the document")
            #expect(schemas?["Sample"]?["properties"]?["grade"]?["readOnly"] == true)
            #expect(schemas?["SampleCreate"]?["properties"]?["grade"] == nil && schemas?["SampleCreate"]?["properties"]?["title"] != nil)
            let item = reply.json?["paths"]?["/api/v1/data/sample/{id}"]
            #expect(item?["get"] != nil && item?["patch"] == nil && item?["delete"] == nil, "no update or delete right")
            #expect(reply.json?["paths"]?["/api/v1/data/sample"]?["post"] != nil)
            // The admin's document is another one.
            let adminDocument = try await app.call(.get, "/api/v1/openapi.json", key: admin)
            #expect(adminDocument.json?["components"]?["schemas"]?["Secret"] != nil)
            #expect(adminDocument.headers[.eTag] != reply.headers[.eTag])
        }
    }

    @Test("the ETag follows the metadata version: 304 while it holds, a new document after a change; bad requests are 400/401")
    func caching() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant()
            try await app.createEntity(admin, ["name": "task", "fields": [["name": "title", "type": "text"]]])
            let first = try await app.call(.get, "/api/v1/openapi.json", key: admin)
            let etag = try #require(first.headers[.eTag])
            let again = try await app.call(.get, "/api/v1/openapi.json", key: admin, headers: [.ifNoneMatch: etag])
            #expect(again.status == 304 && again.headers[.eTag] == etag)
            let other = try await app.call(.get, "/api/v1/openapi.json?version=3.1", key: admin, headers: [.ifNoneMatch: etag])
            #expect(other.status == 200, "3.1 is another document")
            #expect(
                try await app.call(.post, "/api/v1/meta/entities/task/fields", key: admin, json: ["name": "due", "type": "date"]).status == 201)
            let changed = try await app.call(.get, "/api/v1/openapi.json", key: admin, headers: [.ifNoneMatch: etag])
            #expect(changed.status == 200 && changed.headers[.eTag] != etag)
            #expect(changed.json?["components"]?["schemas"]?["Task"]?["properties"]?["due"]?["format"] == "date")
            try await app.call(.get, "/api/v1/openapi.json?version=2.0", key: admin).expectError(400, "invalid_query")
            try await app.call(.get, "/api/v1/openapi.json?format=yaml", key: admin).expectError(400, "invalid_query")
            try await app.call(.get, "/api/v1/openapi.json", key: nil).expectError(401)
            try await app.call(.get, "/api/v1/openapi.json", key: "tsk_forged").expectError(401)
        }
    }
}
