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
@Suite("Crash recovery")
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
        Issue.record("tessera serve \(exited ? "exited" : "did not answer /healthz within 180 s"); the end of its log:\n\(output.suffix(3000))")
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
            let port = try await Self.freePort()
            var server = try await Self.serve(dataDirectory: dataDirectory, port: port)
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
            server = try await Self.serve(dataDirectory: dataDirectory, port: port)
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
}
