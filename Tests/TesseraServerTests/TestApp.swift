import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import TesseraApp
import TesseraCore
import TesseraServer
import TesseraStore
import TesseraTestSupport
import Testing

/// Runs the real application (real router, real PostgreSQL) and speaks JSON to it.
struct TestApp {
    static let adminToken = "tadm_test_" + UUID().uuidString

    let client: any TestClientProtocol

    /// A response: status, parsed JSON body (nil when empty) and headers.
    struct Reply {
        let status: Int
        let json: JSONValue?
        let headers: HTTPFields
        let text: String

        var errorCode: String? { json?["error"]?["code"]?.stringValue }
        var data: [JSONValue] { json?["data"]?.arrayValue ?? [] }
        var id: String? { json?["id"]?.stringValue }

        /// Asserts the shared error shape and returns the code.
        @discardableResult
        func expectError(_ status: Int, _ code: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) -> JSONValue? {
            #expect(self.status == status, "expected \(status), got \(self.status): \(text)", sourceLocation: sourceLocation)
            #expect(json?["error"]?["code"]?.stringValue != nil, "no error code in \(text)", sourceLocation: sourceLocation)
            #expect(json?["error"]?["message"]?.stringValue?.isEmpty == false, "no error message in \(text)", sourceLocation: sourceLocation)
            if let code { #expect(errorCode == code, "expected code \(code) in \(text)", sourceLocation: sourceLocation) }
            return json?["error"]
        }
    }

    /// Builds an application on the test database and runs `body` against its router.
    static func run(
        dataDirectory: String? = nil, sessionLifetime: Duration? = nil, configure: @Sendable (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestApp) async throws -> Void
    ) async throws {
        // Named for the trace: the test and a number of its own (a test may run several applications).
        let name = "\(Test.current.map { $0.displayName ?? $0.name } ?? "?") #\(UUID().uuidString.prefix(6))"
        var app = try await TestTrace.step(name, "make") {
            try await make(dataDirectory: dataDirectory, sessionLifetime: sessionLifetime, configure: configure)
        }
        if TestTrace.enabled { app.services = app.services.map { TestTrace.traced($0, app: name) } }
        try await TestTrace.step(name, "run") {
            try await app.test(.router) { client in
                try await TestTrace.step(name, "body") { try await body(TestApp(client: client)) }
            }
        }
    }

    static func make(
        dataDirectory: String? = nil, sessionLifetime: Duration? = nil,
        configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> Application<RouterResponder<AppRequestContext>> {
        let endpoint = try await TestDatabase.shared.endpoint()
        let dir = dataDirectory ?? (NSTemporaryDirectory() + "tessera-test-data-" + UUID().uuidString)
        var configuration = ServerConfiguration(
            dataDirectory: dir, database: endpoint, packsDirectory: TestDatabase.packsDirectory, adminToken: adminToken)
        configuration.passwordCost = 4
        // Every test application shares one database, so any of their workers may run any test's
        // events: all of them reach loopback receivers and retry quickly. (The refusal of private
        // addresses is tested on WebhookSender itself.)
        configuration.allowPrivateWebhooks = true
        configuration.automationRetryBase = .milliseconds(20)
        if let sessionLifetime { configuration.sessionLifetime = sessionLifetime }
        configure(&configuration)
        return buildApplication(configuration, logger: TestDatabase.logger)
    }

    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ path: String, key: String? = nil, json: JSONValue? = nil, raw: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        if let key { headers[.authorization] = "Bearer \(key)" }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(string: JSONWriter.string(json))
            headers[.contentType] = "application/json"
        } else if let raw {
            body = ByteBuffer(string: raw)
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        }
        let response = try await client.executeRequest(uri: path, method: method, headers: headers, body: body)
        let text = String(buffer: response.body)
        return Reply(status: Int(response.status.code), json: text.isEmpty ? nil : try? JSONParser.parse(text), headers: response.headers, text: text)
    }

    /// Sends raw bytes (e.g. invalid UTF-8) as a JSON body.
    func callBytes(_ method: HTTPRequest.Method, _ path: String, key: String?, bytes: [UInt8]) async throws -> Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let key { headers[.authorization] = "Bearer \(key)" }
        let response = try await client.executeRequest(uri: path, method: method, headers: headers, body: ByteBuffer(bytes: bytes))
        let text = String(buffer: response.body)
        return Reply(status: Int(response.status.code), json: text.isEmpty ? nil : try? JSONParser.parse(text), headers: response.headers, text: text)
    }

    /// Creates a tenant through the platform API and returns its API key.
    func createTenant(_ slug: String = TestDatabase.uniqueSlug(), packs: [String] = []) async throws -> String {
        let reply = try await call(
            .post, "/api/v1/tenants", key: Self.adminToken,
            json: .object([("slug", .string(slug)), ("name", .string("Test \(slug)")), ("packs", .array(packs.map { .string($0) }))]))
        #expect(reply.status == 201, "tenant creation failed: \(reply.text)")
        return try #require(reply.json?["api_key"]?.stringValue)
    }

    /// Creates a user (a person with a unique email unless told otherwise) and an API key for
    /// them; returns (user id, key).
    func makeUser(
        _ adminKey: String, name: String = "User", roles: [String], team: String? = nil, manager: String? = nil,
        password: String? = nil, email: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> (id: String, key: String) {
        var body: [(String, JSONValue)] = [
            ("name", .string(name)), ("email", .string(email ?? "u\(UUID().uuidString.prefix(8).lowercased())@example.com")),
            ("roles", .array(roles.map(JSONValue.string))),
        ]
        if let team { body.append(("team_id", .string(team))) }
        if let manager { body.append(("manager_id", .string(manager))) }
        if let password { body.append(("password", .string(password))) }
        let user = try await call(.post, "/api/v1/users", key: adminKey, json: .object(body))
        #expect(user.status == 201, "user creation failed: \(user.text)", sourceLocation: sourceLocation)
        let id = try #require(user.id, sourceLocation: sourceLocation)
        let key = try await call(.post, "/api/v1/users/\(id)/api-keys", key: adminKey, json: ["name": "test"])
        #expect(key.status == 201, "key creation failed: \(key.text)", sourceLocation: sourceLocation)
        return (id, try #require(key.json?["key"]?.stringValue, sourceLocation: sourceLocation))
    }

    /// Creates an entity from wire-format JSON and expects 201.
    func createEntity(_ key: String, _ json: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let reply = try await call(.post, "/api/v1/meta/entities", key: key, json: json)
        #expect(reply.status == 201, "entity creation failed: \(reply.text)", sourceLocation: sourceLocation)
    }

    /// Creates a record and returns its JSON (expects 201).
    func create(_ key: String, _ entity: String, _ json: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        let reply = try await call(.post, "/api/v1/data/\(entity)", key: key, json: json)
        #expect(reply.status == 201, "create failed: \(reply.text)", sourceLocation: sourceLocation)
        return try #require(reply.json, sourceLocation: sourceLocation)
    }
}

/// Polls until `check` holds (background work: the automation worker), for at most 90 s.
func eventually(_ what: String, _ check: () async throws -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    // Generous: the whole suite shares two cores and one database, and under it a worker has needed more than 30 s
    // for 60 assignments; waiting costs nothing when the check passes early.
    let deadline = ContinuousClock.now + .seconds(90)
    while ContinuousClock.now < deadline {
        if try await check() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting for: \(what)", sourceLocation: sourceLocation)
}

/// A small CRM-like entity most tests use.
let customerEntity: JSONValue = [
    "name": "customer",
    "label": ["zh-CN": "客户", "en": "Customer"],
    "fields": [
        ["name": "name", "type": "text", "label": ["en": "Name"], "required": true, "max_length": 50],
        ["name": "phone", "type": "phone", "label": ["en": "Phone"], "unique": true],
        [
            "name": "industry", "type": "select", "label": ["en": "Industry"], "indexed": true,
            "options": [
                ["key": "medical", "label": ["zh-CN": "医疗", "en": "Medical"]],
                ["key": "retail", "label": ["zh-CN": "零售", "en": "Retail"]],
                ["key": "finance", "label": ["zh-CN": "金融", "en": "Finance"]],
            ],
        ],
        ["name": "amount", "type": "money", "label": ["en": "Amount"], "min": 0],
        [
            "name": "tags", "type": "multi_select", "label": ["en": "Tags"], "max_selections": 2,
            "options": [
                ["key": "vip", "label": ["en": "VIP"]], ["key": "new", "label": ["en": "New"]], ["key": "risk", "label": ["en": "Risk"]],
            ],
        ],
        ["name": "email", "type": "email", "label": ["en": "Email"]],
    ],
]
