public import Logging
public import ServiceLifecycle
import TesseraCore
public import TesseraStore

/// Works through the outboxes of the tenants that have automations. Writes of this instance wake
/// it for their tenant at once (`OutboxSignal`); a sweep, a second after the last one ended, picks
/// up events written by other instances, and retries and timers that came due. Several events of a tenant run side by side: they
/// are claimed with FOR UPDATE SKIP LOCKED, so workers (here and in other instances) never take
/// the same one.
public struct AutomationWorker: Service {
    let processor: EventProcessor
    let outbox: OutboxStore
    let signal: OutboxSignal
    let logger: Logger
    let sweepInterval: Duration
    /// Batches of one tenant processed at the same time.
    let concurrency: Int

    public init(
        processor: EventProcessor, outbox: OutboxStore, signal: OutboxSignal, sweepInterval: Duration = .seconds(1),
        concurrency: Int = 4, logger: Logger
    ) {
        self.processor = processor
        self.outbox = outbox
        self.signal = signal
        self.sweepInterval = sweepInterval
        self.concurrency = max(1, concurrency)
        self.logger = logger
    }

    /// Events one tenant gets in a row before the next tenant's turn (fairness).
    static let burst = 2000
    /// How long shutdown waits for a batch in flight before leaving it (see `ShieldedWork`).
    static let shutdownPatience = Duration.seconds(5)
    /// How long the tenants a wake names are trusted before they are read again.
    static let tenantsMaxAge = Duration.seconds(5)

    /// `work` on the `n`-th loop, out of reach of shutdown's cancellation (see `ShieldedWork`).
    private func shielded<T: Sendable>(_ n: Int, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await ShieldedWork.run(on: processor.client.executor(n), patience: Self.shutdownPatience, work)
        } catch let error as ShieldedWork.Abandoned {
            logger.error("Automation worker left database work unfinished at shutdown after waiting \(Self.shutdownPatience)")
            throw error
        }
    }

    public func run() async throws {
        // Tenants to drain now: this instance's writes, and tenants left with more after a burst.
        let (wakes, wake) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await schema in signal.stream { wake.yield(schema) }
                }
                // Wakes and sweeps run side by side: a write's events never wait behind a sweep
                // over every tenant, and a slow sweep is followed by a pause, not by a queue of sweeps.
                group.addTask { await serveWakes(wakes, wake) }
                group.addTask {
                    while !Task.isCancelled {
                        await sweep(wake)
                        try? await Task.sleep(for: sweepInterval)
                    }
                }
                await group.next()
                group.cancelAll()
                wake.finish()
            }
        }
    }

    private func serveWakes(_ wakes: AsyncStream<String>, _ wake: AsyncStream<String>.Continuation) async {
        var bySchema: [String: Tenant] = [:]
        var readAt = ContinuousClock.now
        for await schema in wakes {
            if Task.isCancelled { break }
            // Read again when a tenant is new here, and every few seconds for changed settings
            // (the time zone, the calendar).
            if bySchema[schema] == nil || readAt.duration(to: .now) > Self.tenantsMaxAge,
                let tenants = try? await shielded(0, { try await outbox.tenantsWithAutomations() })
            {
                bySchema = Dictionary(tenants.map { ($0.schema, $0) }, uniquingKeysWith: { a, _ in a })
                readAt = .now
            }
            guard let tenant = bySchema[schema] else { continue }
            // More may be waiting: come back after the other tenants' turns.
            if await drain(tenant) >= Self.burst { wake.yield(schema) }
        }
    }

    /// One pass over every tenant with automations: events written by other instances, retries
    /// and timers that came due.
    private func sweep(_ wake: AsyncStream<String>.Continuation) async {
        // Before the first migration the control schema may not exist yet: try again later.
        guard let tenants = try? await shielded(0, { try await outbox.tenantsWithAutomations() }) else { return }
        for tenant in tenants where !Task.isCancelled {
            if await drain(tenant) >= Self.burst { wake.yield(tenant.schema) }
        }
    }

    /// Runs the tenant's due events with `concurrency` tasks until none is left or the burst is
    /// used up; returns how many ran.
    private func drain(_ tenant: Tenant) async -> Int {
        do {
            guard try await shielded(0, { try await processor.hasDue(tenant) }) else { return 0 }
        } catch {
            if !Task.isCancelled {
                logger.warning("Automation worker could not read the outbox", metadata: ["tenant": "\(tenant.slug)", "error": "\(error)"])
            }
            return 0
        }
        return await withTaskGroup(of: Int.self) { group in
            for n in 0..<concurrency {
                // Spread over the event loops: the batches' Swift work then uses every core.
                group.addTask(executorPreference: processor.client.executor(n)) {
                    var count = 0
                    do {
                        // Shutdown stops the loop between batches; the batch in flight finishes.
                        while count < Self.burst / concurrency, !Task.isCancelled {
                            let handled = try await shielded(n) { try await processor.processBatch(tenant) }
                            if handled == 0 { break }
                            count += handled
                        }
                    } catch {
                        if !Task.isCancelled {
                            logger.warning(
                                "Automation worker could not read the outbox", metadata: ["tenant": "\(tenant.slug)", "error": "\(error)"])
                        }
                    }
                    return count
                }
            }
            return await group.reduce(0, +)
        }
    }
}
