import ArgumentParser
import Foundation
import Logging
import TesseraApp
import TesseraCore
import TesseraStore

/// Options every command shares: where data lives and where packs are.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Where the embedded PostgreSQL, uploaded files and tokens live.")
    var dataDirectory: String = "./.tessera"

    @Option(name: .customLong("packs-dir"), help: "The template market folder (default: ./templates-market, or the one beside the binary).")
    var packsDirectory: String?

    var absoluteDataDirectory: String {
        URL(fileURLWithPath: dataDirectory, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
    }

    func packsURL() -> URL {
        if let packsDirectory { return URL(fileURLWithPath: packsDirectory).standardizedFileURL }
        if let env = ProcessInfo.processInfo.environment["TESSERA_PACKS_DIR"] { return URL(fileURLWithPath: env) }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("templates-market")]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("templates-market"))
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) } ?? candidates[0]
    }

    func makeLogger() -> Logger {
        LoggingSystem.bootstrap { label in
            DeferredMetadataLogHandler(
                label: label, level: ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info)
        }
        return Logger(label: "tessera")
    }

    /// DATABASE_URL when set, else the embedded cluster (started if needed).
    func database(logger: Logger) throws -> (DatabaseEndpoint, EmbeddedPostgres?) {
        if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
            return (try DatabaseEndpoint(url: url), nil)
        }
        try FileManager.default.createDirectory(atPath: absoluteDataDirectory, withIntermediateDirectories: true)
        let embedded = EmbeddedPostgres(dataDirectory: absoluteDataDirectory, logger: logger)
        do {
            let (endpoint, startedHere) = try embedded.start()
            return (endpoint, startedHere ? embedded : nil)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// TESSERA_ADMIN_TOKEN, or the token kept in `<data-dir>/admin-token` (made on first use).
    func adminToken() throws -> String {
        if let token = ProcessInfo.processInfo.environment["TESSERA_ADMIN_TOKEN"], !token.isEmpty { return token }
        let path = absoluteDataDirectory + "/admin-token"
        if let existing = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !existing.isEmpty {
            return existing
        }
        try FileManager.default.createDirectory(atPath: absoluteDataDirectory, withIntermediateDirectories: true)
        let token = "tadm_" + RandomToken.make(bytes: 24)
        guard FileManager.default.createFile(atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("Cannot write the platform admin token to \(path).")
        }
        return token
    }

    /// Runs `body` with a runtime on the configured database (migrated), then shuts everything down.
    func withRuntime<T: Sendable>(logger: Logger, _ body: @Sendable (TesseraRuntime) async throws -> T) async throws -> T {
        let (endpoint, embedded) = try database(logger: logger)
        defer { embedded?.stop() }
        let configuration = ServerConfiguration(
            dataDirectory: absoluteDataDirectory, database: endpoint, packsDirectory: packsURL(), adminToken: try adminToken())
        return try await TesseraRuntime.with(configuration, logger: logger, body)
    }
}
