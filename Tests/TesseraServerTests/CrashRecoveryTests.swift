import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import TesseraCore
import TesseraStore
import TesseraTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real `tessera` executable, killed with SIGKILL while its worker is busy, then started again:
/// every event is handled, and none of the acknowledged side effects is repeated. The child runs on
/// a PostgreSQL cluster of its own, so no other test's worker can take its events.
@Suite("Crash recovery", .serialized)
struct CrashRecoveryTests {
    static let events = 1500

    /// `tessera` beside the test bundle (both are built by `swift build --build-tests` / `swift test`).
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["TESSERA_BIN"] { return path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tessera").path
    }

    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }

    /// Starts `tessera serve` on the data directory and waits until /healthz answers.
    static func serve(dataDirectory: String, port: Int) async throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "serve", "--data-dir", dataDirectory, "--port", String(port), "--allow-private-webhooks",
            "--packs-dir", TestDatabase.packsDirectory.path,
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["TESSERA_ADMIN_TOKEN"] = "crash-test-admin-token"
        environment["LOG_LEVEL"] = "error"
        environment.removeValue(forKey: "DATABASE_URL")
        process.environment = environment
        let log = FileHandle(forWritingAtPath: dataDirectory + "/serve.log") ?? FileHandle.nullDevice
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        // Generous: the whole suite runs in parallel on two cores, and start-up runs migrations.
        let deadline = ContinuousClock.now + .seconds(180)
        while process.isRunning, ContinuousClock.now < deadline {
            if let (status, _) = try? await http("GET", port: port, "/healthz"), status == 200 { return process }
            try await Task.sleep(for: .milliseconds(100))
        }
        let exited = !process.isRunning
        if !exited { kill(process.processIdentifier, SIGKILL) }
        let output = (try? String(contentsOfFile: dataDirectory + "/serve.log", encoding: .utf8)) ?? ""
        // Another process took the port between our probe and the server's bind: the caller tries another.
        if exited, output.contains(portTakenMarker) {
            try? "".write(toFile: dataDirectory + "/serve.log", atomically: true, encoding: .utf8)
            throw PortTaken()
        }
        Issue.record("tessera serve \(exited ? "exited" : "did not answer /healthz within 180 s"); the end of its log:\n\(output.suffix(3000))")
        throw CancellationError()
    }

    struct PortTaken: Error {}
    static let portTakenMarker = "Address already in use"

    /// `tessera serve` on a free port (another one when the port is taken before it binds it).
    static func serve(dataDirectory: String) async throws -> (Process, Int) {
        for _ in 0..<5 {
            let port = try await freePort()
            do {
                return (try await serve(dataDirectory: dataDirectory, port: port), port)
            } catch is PortTaken {
                continue
            }
        }
        Issue.record("no free port for tessera serve after 5 tries")
        throw CancellationError()
    }

    /// A plain HTTP call to the child (a fresh connection each time).
    static func http(_ method: String, port: Int, _ path: String, key: String? = nil, json: JSONValue? = nil) async throws -> (Int, JSONValue?) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = Data(JSONWriter.string(json).utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let text = String(decoding: data, as: UTF8.self)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, text.isEmpty ? nil : try? JSONParser.parse(text))
    }

    @Test("SIGKILL in the middle of processing: after a restart every event is handled once, and webhooks repeat only under the same idempotency key")
    func sigkill() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "no tessera executable at \(Self.binary)")
        let dataDirectory = NSTemporaryDirectory() + "tessera-crash-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dataDirectory + "/serve.log", contents: nil)
        // The cluster is started here, so the children adopt it and a SIGKILL leaves it running.
        let cluster = EmbeddedPostgres(dataDirectory: dataDirectory, logger: TestDatabase.logger)
        let endpoint = try cluster.start().endpoint
        defer {
            cluster.stop()
            try? FileManager.default.removeItem(atPath: dataDirectory)
        }
        let receiver = WebhookReceiver(statuses: [:])
        try await WebhookReceiver.listening(receiver) { base in
            var (server, port) = try await Self.serve(dataDirectory: dataDirectory)
            defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
            let (status, tenant) = try await Self.http(
                "POST", port: port, "/api/v1/tenants", key: "crash-test-admin-token",
                json: ["slug": "crash", "name": "Crash test"])
            #expect(status == 201)
            let key = try #require(tenant?["api_key"]?.stringValue)
            for entity: JSONValue in [
                ["name": "job", "fields": [["name": "n", "type": "number"], ["name": "done", "type": "boolean"]]],
                ["name": "receipt", "fields": [["name": "job", "type": "relation", "target": "job"]]],
            ] {
                #expect(try await Self.http("POST", port: port, "/api/v1/meta/entities", key: key, json: entity).0 == 201)
            }
            #expect(
                try await Self.http(
                    "POST", port: port, "/api/v1/meta/automations", key: key,
                    json: [
                        "name": "process_job", "entity": "job", "trigger": ["on": "create"],
                        "actions": [
                            ["type": "set", "values": ["done": true]],
                            ["type": "create", "entity": "receipt", "values": ["job": ["expression": "record.id"]]],
                            ["type": "webhook", "url": .string(base + "/jobs")],
                        ],
                    ]
                ).0 == 201)
            for chunk in stride(from: 0, to: Self.events, by: 500) {
                let batch = JSONValue.array((chunk..<min(chunk + 500, Self.events)).map { .object([("n", .number($0))]) })
                #expect(try await Self.http("POST", port: port, "/api/v1/data/job", key: key, json: batch).0 == 201)
            }
            // Mid-way: some delivered, most not.
            for _ in 0..<600 where await receiver.count("/jobs") < Self.events / 5 { try await Task.sleep(for: .milliseconds(10)) }
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
            let atKill = await receiver.count("/jobs")
            #expect(atKill > 0 && atKill < Self.events, "killed after \(atKill) deliveries")
            (server, port) = try await Self.serve(dataDirectory: dataDirectory)
            let pending = { () async throws -> Int in
                try await TestDatabase.withClient(endpoint) { client in
                    try await client.query("SELECT count(*)::int FROM t_crash._outbox WHERE status <> 'done'").collect().first?.decode(Int.self) ?? -1
                }
            }
            for _ in 0..<1200 where try await pending() != 0 { try await Task.sleep(for: .milliseconds(50)) }
            #expect(try await pending() == 0)
            server.terminate()
            server.waitUntilExit()

            let (jobs, done, receipts, receiptJobs, okRuns, runEvents) = try await TestDatabase.withClient(endpoint) { client in
                try await client.query(
                    """
                    SELECT (SELECT count(*)::int FROM t_crash.job), (SELECT count(*)::int FROM t_crash.job WHERE done),
                           (SELECT count(*)::int FROM t_crash.receipt), (SELECT count(DISTINCT job)::int FROM t_crash.receipt),
                           (SELECT count(*)::int FROM t_crash._automation_runs WHERE result = 'ok'),
                           (SELECT count(DISTINCT event_id)::int FROM t_crash._automation_runs WHERE result = 'ok')
                    """
                ).collect().first!.decode((Int, Int, Int, Int, Int, Int).self)
            }
            #expect(jobs == Self.events && done == Self.events)
            // The database side effects happened exactly once per event: one receipt per job, one ok run per event.
            #expect(receipts == Self.events && receiptJobs == Self.events, "receipts \(receipts) for \(receiptJobs) jobs")
            #expect(okRuns == Self.events && runEvents == Self.events)
            // Every event reached the receiver; a repeat (sent before the kill, not yet committed) carries the same key.
            let deliveries = await receiver.deliveries.filter { $0.path == "/jobs" }
            let keys = deliveries.compactMap { $0.headers[.init("Idempotency-Key")!] }
            #expect(Set(keys).count == Self.events && keys.count == deliveries.count)
            #expect(deliveries.count - Self.events <= 4 * 50, "\(deliveries.count - Self.events) repeats")
        }
    }

    /// `count` calls run 8 at a time; a call the kill cut off counts as not made (nil).
    static func concurrently(_ count: Int, _ call: @escaping @Sendable (Int) async throws -> Int) async -> [Int?] {
        await withTaskGroup(of: (Int, Int?).self) { group in
            var results = [Int?](repeating: nil, count: count)
            var next = 0
            func add() {
                guard next < count else { return }
                let i = next
                next += 1
                group.addTask { (i, try? await call(i)) }
            }
            for _ in 0..<8 { add() }
            while let (i, status) = await group.next() {
                results[i] = status
                add()
            }
            return results
        }
    }

    @Test("SIGKILL while approvers answer: after a restart every approval is where one answer put it, no step lost or entered twice")
    func sigkillApprovals() async throws {
        let approvals = 400
        let dataDirectory = NSTemporaryDirectory() + "tessera-crash-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dataDirectory + "/serve.log", contents: nil)
        let cluster = EmbeddedPostgres(dataDirectory: dataDirectory, logger: TestDatabase.logger)
        let endpoint = try cluster.start().endpoint
        defer {
            cluster.stop()
            try? FileManager.default.removeItem(atPath: dataDirectory)
        }
        let (first, port) = try await Self.serve(dataDirectory: dataDirectory)
        var server = first
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        let (status, tenant) = try await Self.http(
            "POST", port: port, "/api/v1/tenants", key: "crash-test-admin-token", json: ["slug": "crash", "name": "Crash test"])
        #expect(status == 201)
        let admin = try #require(tenant?["api_key"]?.stringValue)
        let entity: JSONValue = [
            "name": "contract",
            "fields": [
                ["name": "title", "type": "text"],
                [
                    "name": "state", "type": "select", "default": "draft",
                    "options": [["key": "draft", "label": ["en": "Draft"]], ["key": "approved", "label": ["en": "Approved"]]],
                ],
            ],
        ]
        #expect(try await Self.http("POST", port: port, "/api/v1/meta/entities", key: admin, json: entity).0 == 201)
        let role: JSONValue = [
            "name": "approver", "permissions": ["contract": ["create": "none", "read": "all", "update": "none", "delete": "none"]],
        ]
        #expect(try await Self.http("POST", port: port, "/api/v1/meta/roles", key: admin, json: role).0 == 201)
        func user(_ name: String) async throws -> (id: String, key: String) {
            let (_, created) = try await Self.http(
                "POST", port: port, "/api/v1/users", key: admin,
                json: ["name": .string(name), "email": .string("\(name)@example.com"), "roles": ["approver"]])
            let id = try #require(created?["id"]?.stringValue)
            let (_, key) = try await Self.http("POST", port: port, "/api/v1/users/\(id)/api-keys", key: admin, json: ["name": "k"])
            return (id, try #require(key?["key"]?.stringValue))
        }
        let manager = try await user("manager")
        let finance = try await user("finance")
        let mark: JSONValue = ["after": "24h", "actions": [["type": "notify", "to": "approvers", "message": ["en": "Reminder"]]]]
        let process: JSONValue = [
            "name": "two_steps", "entity": "contract",
            "steps": [
                ["name": "manager", "approvers": [["user": .string(manager.id)]], "deadline": [mark]],
                ["name": "finance", "approvers": [["user": .string(finance.id)]], "deadline": [mark]],
            ],
            "on_approve": [["type": "set", "values": ["state": "approved"]]],
        ]
        #expect(try await Self.http("POST", port: port, "/api/v1/meta/approvals", key: admin, json: process).0 == 201)
        let rows = JSONValue.array((0..<approvals).map { .object([("title", .string("c\($0)"))]) })
        let (created, records) = try await Self.http("POST", port: port, "/api/v1/data/contract", key: admin, json: rows)
        #expect(created == 201)
        let ids = (records?["data"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        #expect(ids.count == approvals)
        var approvalIDs: [String] = []
        for id in ids {
            let (_, submitted) = try await Self.http(
                "POST", port: port, "/api/v1/data/contract/\(id)/approvals", key: admin, json: ["process": "two_steps"])
            approvalIDs.append(try #require(submitted?["id"]?.stringValue))
        }
        let approvalList = approvalIDs
        // The manager answers them all, 8 at a time; the server is killed about a third of the way in.
        let answered = Task {
            await Self.concurrently(approvals) { i in
                try await Self.http("POST", port: port, "/api/v1/approvals/\(approvalList[i])/approve", key: manager.key, json: [:]).0
            }
        }
        let pid = server.processIdentifier
        let count = { () async throws -> Int in
            try await TestDatabase.withClient(endpoint) { client in
                try await client.query("SELECT count(*)::int FROM t_crash._approval_tasks WHERE step = 1").collect().first?.decode(Int.self) ?? -1
            }
        }
        try await TestDatabase.withClient(endpoint) { client in
            for _ in 0..<3000 {
                let moved = try await client.query("SELECT count(*)::int FROM t_crash._approval_tasks WHERE step = 1").collect()
                if try (moved.first?.decode(Int.self) ?? 0) >= approvals / 3 { break }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        kill(pid, SIGKILL)
        server.waitUntilExit()
        let replies = await answered.value
        let (restarted, newPort) = try await Self.serve(dataDirectory: dataDirectory)
        server = restarted

        // Where the kill left them: each approval at step 0 with its one task pending, or at step 1 with
        // the manager's answer and one finance task; the log and the deadline marks agree.
        let consistent = try await TestDatabase.withClient(endpoint) { client in
            try await client.query(
                """
                SELECT count(*)::int FROM t_crash._approvals a WHERE NOT (
                  (a.step = 0 AND (SELECT count(*) FROM t_crash._approval_tasks t WHERE t.approval_id = a.id) = 1
                     AND (SELECT count(*) FROM t_crash._approval_tasks t WHERE t.approval_id = a.id AND t.status = 'pending') = 1
                     AND (SELECT count(*) FROM t_crash._approval_log l WHERE l.approval_id = a.id AND l.action = 'step') = 1
                     AND (SELECT count(*) FROM t_crash._outbox o WHERE o.event = 'approval_deadline' AND o.new->>'approval' = a.id::text) = 1)
                  OR (a.step = 1 AND (SELECT count(*) FROM t_crash._approval_tasks t WHERE t.approval_id = a.id AND t.step = 0
                                       AND t.status = 'approved') = 1
                     AND (SELECT count(*) FROM t_crash._approval_tasks t WHERE t.approval_id = a.id AND t.step = 1) = 1
                     AND (SELECT count(*) FROM t_crash._approval_log l WHERE l.approval_id = a.id AND l.action = 'step') = 2
                     AND (SELECT count(*) FROM t_crash._approval_log l WHERE l.approval_id = a.id AND l.action = 'approve') = 1
                     AND (SELECT count(*) FROM t_crash._outbox o WHERE o.event = 'approval_deadline' AND o.new->>'approval' = a.id::text) = 2))
                """
            ).collect().first?.decode(Int.self) ?? -1
        }
        #expect(consistent == 0, "\(consistent) approvals in an impossible state after the kill")
        let moved = try await count()
        #expect(moved > 0 && moved < approvals, "killed after \(moved) answers")
        // Every answer acknowledged with 200 took effect.
        #expect(replies.filter { $0 == 200 }.count <= moved)
        // Answering again: those already answered refuse the manager (it is finance's turn), the rest move.
        let again = await Self.concurrently(approvals) { i in
            try await Self.http("POST", port: newPort, "/api/v1/approvals/\(approvalList[i])/approve", key: manager.key, json: [:]).0
        }
        #expect(again.filter { $0 == 200 }.count == approvals - moved)
        #expect(again.filter { $0 == 403 }.count == moved)
        let final = await Self.concurrently(approvals) { i in
            try await Self.http("POST", port: newPort, "/api/v1/approvals/\(approvalList[i])/approve", key: finance.key, json: [:]).0
        }
        #expect(final.allSatisfy { $0 == 200 })
        server.terminate()
        server.waitUntilExit()
        let (approved, states, outcomes, notices) = try await TestDatabase.withClient(endpoint) { client in
            try await client.query(
                """
                SELECT (SELECT count(*)::int FROM t_crash._approvals WHERE status = 'approved'),
                       (SELECT count(*)::int FROM t_crash.contract WHERE state = 'approved'),
                       (SELECT count(*)::int FROM t_crash._approval_log WHERE action = 'approved'),
                       (SELECT count(*)::int FROM t_crash._inbox WHERE message->>'en' LIKE 'Approved:%')
                """
            ).collect().first!.decode((Int, Int, Int, Int).self)
        }
        #expect(approved == approvals && states == approvals)
        // One outcome and one notice per approval: nothing ran twice.
        #expect(outcomes == approvals && notices == approvals)
    }
}
