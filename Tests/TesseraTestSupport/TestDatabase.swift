public import Foundation
public import Logging
public import PostgresNIO
import TesseraCore
public import TesseraStore

/// The PostgreSQL the tests use: `TESSERA_TEST_DATABASE_URL`, or a cluster started by the project's
/// own launcher under the system temp dir (kept running between runs; scripts/test.sh stops it).
public actor TestDatabase {
    public static let shared = TestDatabase()

    private var ready: DatabaseEndpoint?

    public static var clusterRoot: String { NSTemporaryDirectory() + "tessera-tests" }

    public static let logger: Logger = {
        var logger = Logger(label: "tessera-tests")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }()

    /// The endpoint, started and migrated once per test process.
    public func endpoint() async throws -> DatabaseEndpoint {
        if let ready { return ready }
        let endpoint: DatabaseEndpoint
        if let url = ProcessInfo.processInfo.environment["TESSERA_TEST_DATABASE_URL"], !url.isEmpty {
            endpoint = try DatabaseEndpoint(url: url)
        } else {
            try FileManager.default.createDirectory(atPath: Self.clusterRoot, withIntermediateDirectories: true)
            // Swift Testing runs the suites' applications side by side, each with its own pool (peaks
            // near 500 connections were seen with 290 tests on 2 cores).
            endpoint = try EmbeddedPostgres(dataDirectory: Self.clusterRoot, maxConnections: 1000, logger: Self.logger).start().endpoint
        }
        _ = try await Self.withClient(endpoint) { client in
            try await ControlSchema.migrate(client, logger: Self.logger)
        }
        ready = endpoint
        return endpoint
    }

    /// Runs `body` with a running pool on `endpoint`.
    public static func withClient<T: Sendable>(_ endpoint: DatabaseEndpoint, _ body: @Sendable (DatabasePool) async throws -> T) async throws -> T {
        let client = DatabasePool(endpoint: endpoint, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// A pool on the shared test database.
    public static func withClient<T: Sendable>(_ body: @Sendable (DatabasePool) async throws -> T) async throws -> T {
        try await withClient(try await shared.endpoint(), body)
    }

    /// A tenant slug no other test uses.
    public static func uniqueSlug(_ prefix: String = "t") -> String {
        prefix + "_" + String((0..<10).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
    }

    /// The repository's template market.
    public static var packsDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("templates-market")
    }
}
