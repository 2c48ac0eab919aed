import ArgumentParser
import Foundation
import Hummingbird
import Logging
import TesseraApp
import TesseraCore
import TesseraServer
import TesseraStore

/// `tessera serve`: the HTTP server (on the embedded PostgreSQL unless DATABASE_URL is set).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP server.")

    @OptionGroup var options: CommonOptions

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Flag(help: "Create tenant 'demo' with the sales pack (once) and print its key and a curl line.") var demo = false
    @Flag(inversion: .prefixedNo, help: "Run automation events in this instance (another instance may do it instead).")
    var automationWorker = true
    @Flag(help: "Let automation webhooks call private, loopback and link-local addresses (refused otherwise: SSRF).")
    var allowPrivateWebhooks = false

    func run() async throws {
        let logger = options.makeLogger()
        let (endpoint, embedded) = try options.database(logger: logger)
        defer { embedded?.stop() }
        var configuration = ServerConfiguration(
            host: host, port: port, dataDirectory: options.absoluteDataDirectory, database: endpoint,
            packsDirectory: options.packsURL(), adminToken: try options.adminToken())
        configuration.automationWorker = automationWorker
        configuration.allowPrivateWebhooks = allowPrivateWebhooks
        let dataDirectory = options.absoluteDataDirectory
        let host = host, port = port, demo = demo
        let app = buildApplication(configuration, logger: logger) { runtime in
            if demo { try await DemoTenant.ensure(runtime, dataDirectory: dataDirectory, host: host, port: port) }
            Console.line("Tessera listening on http://\(host):\(port)  (platform admin token: \(dataDirectory)/admin-token)")
        }
        try await app.runService()
    }
}

/// The `--demo` tenant: created once with the sales pack; its key is kept in `<data-dir>/demo-key`.
enum DemoTenant {
    static func ensure(_ runtime: TesseraRuntime, dataDirectory: String, host: String, port: Int) async throws {
        let keyFile = dataDirectory + "/demo-key"
        var key = (try? String(contentsOfFile: keyFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        if try await runtime.tenants.find(slug: "demo") == nil {
            let started = ContinuousClock.now
            let (_, newKey) = try await runtime.createTenant(slug: "demo", name: "Demo Co.", timeZone: nil, packs: ["sales"])
            Console.line("Created tenant 'demo' with the sales pack in \(started.duration(to: .now).formatted(.units(allowed: [.milliseconds])))")
            if !FileManager.default.createFile(atPath: keyFile, contents: Data((newKey + "\n").utf8), attributes: [.posixPermissions: 0o600]) {
                Console.line("Could not write \(keyFile); keep the key below, it is not shown again.")
            }
            key = newKey
        }
        guard let key else {
            Console.line("Tenant 'demo' exists but its key file \(keyFile) is missing; create another tenant with `tessera tenant create`.")
            return
        }
        Console.line("Demo tenant API key: \(key)")
        Console.line("Try:  curl -s -H 'Authorization: Bearer \(key)' 'http://\(host):\(port)/api/v1/data/lead?limit=5'")
    }
}
