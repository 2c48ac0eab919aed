import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraTestSupport
import Testing

/// A webhook receiver on a real loopback socket: it records what arrives and answers with the
/// statuses it is told to, in order (then 200).
actor WebhookReceiver {
    struct Delivery: Sendable {
        let path: String
        let headers: HTTPFields
        let body: String
        var query: String = ""
    }

    private(set) var deliveries: [Delivery] = []
    private var statuses: [String: [Int]]
    /// Bodies to answer with, by path (a robot's `{"errcode": …}`).
    private let replies: [String: String]

    init(statuses: [String: [Int]], replies: [String: String] = [:]) {
        self.statuses = statuses
        self.replies = replies
    }

    func receive(path: String, query: String = "", headers: HTTPFields, body: String) -> (Int, String) {
        deliveries.append(Delivery(path: path, headers: headers, body: body, query: query))
        guard var queue = statuses[path], !queue.isEmpty else { return (200, replies[path] ?? "") }
        let status = queue.removeFirst()
        statuses[path] = queue
        return (status, replies[path] ?? "")
    }

    func count(_ path: String) -> Int { deliveries.filter { $0.path == path }.count }

    /// Runs `body` with the receiver listening on 127.0.0.1; the argument is its base URL.
    static func listening(_ receiver: WebhookReceiver, _ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("**") { request, _ -> Response in
            let text = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let (status, reply) = await receiver.receive(path: request.uri.path, query: request.uri.query ?? "", headers: request.headers, body: text)
            return Response(status: .init(code: status), body: .init(byteBuffer: ByteBuffer(string: reply)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(try #require(client.port))")
        }
    }
}

@Suite("Webhooks")
struct WebhookTests {
    func automation(_ name: String, url: String) -> JSONValue {
        ["name": .string(name), "entity": "ticket", "trigger": ["on": "create"], "actions": [["type": "webhook", "url": .string(url)]]]
    }

    @Test("webhooks arrive signed with one idempotency key across retries; failures back off and end in the dead-letter list")
    func delivery() async throws {
        let receiver = WebhookReceiver(statuses: ["/flaky": [500, 503], "/down": [500, 500, 500, 500, 500, 500]])
        try await WebhookReceiver.listening(receiver) { base in
            try await TestApp.run { app in
                let admin = try await app.createTenant()
                try await app.createEntity(admin, AutomationTests.ticket)
                #expect(
                    try await app.call(.post, "/api/v1/meta/automations", key: admin, json: automation("flaky", url: base + "/flaky")).status == 201)
                #expect(
                    try await app.call(.post, "/api/v1/meta/automations", key: admin, json: automation("down", url: base + "/down")).status == 201)
                let secret = try #require(try await app.call(.get, "/api/v1/settings", key: admin).json?["webhook_secret"]?.stringValue)
                let id = try #require(try await app.create(admin, "ticket", ["title": "webhook me", "priority": "high"])["id"]?.stringValue)

                // Three tries; a try whose transaction then failed to commit (the database under load) is
                // sent again, so "at least": what matters is that repeats carry the same key (below).
                try await eventually("the flaky receiver accepted the third try") { await receiver.count("/flaky") >= 3 }
                try await eventually("the run log shows two errors then ok") {
                    try await app.call(.get, "/api/v1/automation-runs?automation=flaky", key: admin).data.compactMap { $0["result"]?.stringValue }
                        == ["ok", "error", "error"]
                }
                let flaky = await receiver.deliveries.filter { $0.path == "/flaky" }
                let keys = Set(flaky.compactMap { $0.headers[HTTPField.Name("Idempotency-Key")!] })
                #expect(keys.count == 1, "one event, one key: \(keys)")
                for delivery in flaky {
                    let timestamp = try #require(delivery.headers[HTTPField.Name("X-Tessera-Timestamp")!].flatMap { Int($0) })
                    #expect(abs(Date().timeIntervalSince1970 - Double(timestamp)) < 120)
                    let mac = HMAC<SHA256>.authenticationCode(
                        for: Data("\(timestamp).\(delivery.body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
                    #expect(delivery.headers[HTTPField.Name("X-Tessera-Signature")!] == "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
                    let payload = try JSONParser.parse(delivery.body)
                    #expect(payload["record"]?["id"]?.stringValue == id && payload["event"] == "create" && payload["automation"] == "flaky")
                }
                // A receiver that keeps failing: five attempts, then the dead-letter list.
                try await eventually("the failing webhook dead-lettered") {
                    try await app.call(.get, "/api/v1/automation-events/dead", key: admin).data.contains { $0["automation"] == "down" }
                }
                let down = await receiver.deliveries.filter { $0.path == "/down" }
                #expect(down.count >= 5, "five attempts before the dead-letter list, got \(down.count)")
                #expect(Set(down.compactMap { $0.headers[HTTPField.Name("Idempotency-Key")!] }).count == 1, "one event, one key")
                let runs = try await app.call(.get, "/api/v1/automation-runs?automation=down", key: admin).data.compactMap {
                    $0["result"]?.stringValue
                }
                #expect(runs == ["dead", "error", "error", "error", "error"])
            }
        }
    }

    @Test("bad webhook URLs are refused when saved")
    func urls() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant()
            try await app.createEntity(admin, AutomationTests.ticket)
            for url in ["ftp://example.com/x", "http://user:secret@example.com/x", "not a url", "http:///nohost"] {
                try await app.call(.post, "/api/v1/meta/automations", key: admin, json: automation("bad", url: url)).expectError(422)
            }
        }
    }
}
