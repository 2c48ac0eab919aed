public import Logging
public import ServiceLifecycle
import TesseraCore

/// Freezes accounts unused for longer than their tenant allows, once an hour (sign-in and every
/// uncached request also check, so a stale account cannot slip through between sweeps).
public struct AccountFreezer: Service {
    let tenants: TenantStore
    let sessions: SessionStore
    let logger: Logger
    let interval: Duration

    public init(tenants: TenantStore, sessions: SessionStore, interval: Duration = .seconds(3600), logger: Logger) {
        self.tenants = tenants
        self.sessions = sessions
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            // The first sweep waits for start-up (migrations) to finish.
            var delay = Duration.seconds(60)
            while !Task.isCancelled {
                try? await Task.sleep(for: delay)
                delay = interval
                if Task.isCancelled { break }
                do {
                    for tenant in try await tenants.list() {
                        let frozen = try await sessions.freezeInactive(tenant)
                        if frozen > 0 { logger.info("Froze inactive accounts", metadata: ["tenant": "\(tenant.slug)", "count": "\(frozen)"]) }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("Account freeze sweep failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
