public import Foundation
public import TesseraStore

/// How to run one server instance.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var dataDirectory: String
    public var database: DatabaseEndpoint
    public var packsDirectory: URL
    public var adminToken: String
    /// bcrypt work factor for passwords (12 in production; tests lower it).
    public var passwordCost: UInt8 = 12
    /// Whether this instance runs automation events (instances share the outbox; any number may).
    public var automationWorker = true
    /// Let webhooks reach private, loopback and link-local addresses (off: SSRF protection).
    public var allowPrivateWebhooks = false
    /// The time automations see (tests move it forward to make timers due).
    public var automationClock = AutomationClock()
    /// Base of the automation retry backoff (`base × 2^attempt`).
    public var automationRetryBase: Duration = .seconds(5)
    /// How long a login token lives.
    public var sessionLifetime: Duration = .seconds(12 * 3600)

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String, database: DatabaseEndpoint, packsDirectory: URL, adminToken: String
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.database = database
        self.packsDirectory = packsDirectory
        self.adminToken = adminToken
    }
}
