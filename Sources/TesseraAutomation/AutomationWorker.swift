import Logging
import ServiceLifecycle
import TesseraStore

/// Works through every tenant's outbox: due events are claimed with FOR UPDATE SKIP LOCKED, so
/// any number of instances share the work and none runs an event twice. Idle, it polls briefly.
public struct AutomationWorker: Service {
    let processor: EventProcessor
    let outbox: OutboxStore
    let metadata: MetadataCache
    let logger: Logger
    let idleDelay: Duration

    public init(processor: EventProcessor, outbox: OutboxStore, metadata: MetadataCache, idleDelay: Duration = .milliseconds(200), logger: Logger) {
        self.processor = processor
        self.outbox = outbox
        self.metadata = metadata
        self.idleDelay = idleDelay
        self.logger = logger
    }

    /// Events one tenant gets in a row before the next tenant's turn (fairness).
    static let burst = 200

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var known: [Tenant] = []
            var listed = ContinuousClock.now - .seconds(60)
            while !Task.isCancelled {
                if listed.duration(to: .now) > .seconds(2) {
                    // Only tenants with automations have events. Before the first migration the
                    // control schema may not exist yet: keep waiting.
                    if let list = try? await outbox.tenantsWithAutomations() { known = list }
                    listed = .now
                }
                var worked = false
                for tenant in known where !Task.isCancelled {
                    guard let current = try? await metadata.metadata(for: tenant), !current.automations.isEmpty else { continue }
                    var count = 0
                    do {
                        while count < Self.burst, try await processor.processNext(tenant) { count += 1 }
                    } catch {
                        if !Task.isCancelled { logger.warning("Automation worker could not read the outbox", metadata: ["tenant": "\(tenant.slug)", "error": "\(error)"]) }
                    }
                    worked = worked || count > 0
                }
                if !worked { try? await Task.sleep(for: idleDelay) }
            }
        }
    }
}
