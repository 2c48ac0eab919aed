import Logging
import PostgresNIO
import ServiceLifecycle
import TesseraStore

/// Works through the outboxes of the tenants that have automations. New events are announced on
/// a channel (a statement trigger on each outbox), so a worker wakes for the tenant at once; a
/// sweep every few seconds picks up retries that came due and anything announced while it was
/// not listening. Events are claimed with FOR UPDATE SKIP LOCKED, so any number of instances
/// share the work and none runs an event twice.
public struct AutomationWorker: Service {
    let processor: EventProcessor
    let outbox: OutboxStore
    let endpoint: DatabaseEndpoint
    let logger: Logger
    let sweepInterval: Duration

    public init(processor: EventProcessor, outbox: OutboxStore, endpoint: DatabaseEndpoint, sweepInterval: Duration = .seconds(3), logger: Logger) {
        self.processor = processor
        self.outbox = outbox
        self.endpoint = endpoint
        self.sweepInterval = sweepInterval
        self.logger = logger
    }

    /// Events one tenant gets in a row before the next tenant's turn (fairness).
    static let burst = 200

    enum Wake: Sendable {
        case schema(String)
        case sweep
    }

    public func run() async throws {
        let (wakes, wake) = AsyncStream<Wake>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await listen(wake) }
                group.addTask {
                    while !Task.isCancelled {
                        wake.yield(.sweep)
                        try? await Task.sleep(for: sweepInterval)
                    }
                }
                group.addTask { await work(wakes, wake) }
                await group.next()
                group.cancelAll()
                wake.finish()
            }
        }
    }

    private func listen(_ wake: AsyncStream<Wake>.Continuation) async {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(configuration: endpoint.connectionConfiguration, id: 2, logger: logger)
                delay = .milliseconds(100)
                wake.yield(.sweep)  // whatever was announced while not listening
                do {
                    try await connection.listen(on: OutboxStore.channel) { notifications in
                        for try await notification in notifications { wake.yield(.schema(notification.payload)) }
                    }
                } catch {
                    if !Task.isCancelled { logger.warning("Automation listener lost its connection", metadata: ["error": "\(error)"]) }
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { break }
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    private func work(_ wakes: AsyncStream<Wake>, _ wake: AsyncStream<Wake>.Continuation) async {
        var bySchema: [String: Tenant] = [:]
        for await signal in wakes {
            if Task.isCancelled { break }
            var due: [Tenant] = []
            switch signal {
            case .sweep:
                // Before the first migration the control schema may not exist yet: try again later.
                guard let tenants = try? await outbox.tenantsWithAutomations() else { continue }
                bySchema = Dictionary(tenants.map { ($0.schema, $0) }, uniquingKeysWith: { a, _ in a })
                due = tenants
            case .schema(let schema):
                if bySchema[schema] == nil, let tenants = try? await outbox.tenantsWithAutomations() {
                    bySchema = Dictionary(tenants.map { ($0.schema, $0) }, uniquingKeysWith: { a, _ in a })
                }
                guard let tenant = bySchema[schema] else { continue }
                due = [tenant]
            }
            for tenant in due where !Task.isCancelled {
                var count = 0
                do {
                    while count < Self.burst, try await processor.processNext(tenant) { count += 1 }
                } catch {
                    if !Task.isCancelled { logger.warning("Automation worker could not read the outbox", metadata: ["tenant": "\(tenant.slug)", "error": "\(error)"]) }
                }
                // More may be waiting: come back after the other tenants' turns.
                if count == Self.burst { wake.yield(.schema(tenant.schema)) }
            }
        }
    }
}
