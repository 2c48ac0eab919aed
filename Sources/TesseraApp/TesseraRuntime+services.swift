public import Logging
import PostgresNIO
public import ServiceLifecycle
import TesseraAutomation
import TesseraCore
import TesseraStore

extension TesseraRuntime {
    /// The runtime on a new pool, and the services its instance runs beside the HTTP server: the
    /// pool, the metadata listener, the account freezer and (if configured) the automation worker.
    public static func make(_ configuration: ServerConfiguration, logger: Logger) -> (TesseraRuntime, [any Service]) {
        let client = DatabasePool(endpoint: configuration.database, logger: logger)
        let runtime = TesseraRuntime(client: client, configuration: configuration, logger: logger)
        var services: [any Service] = [
            client, MetadataListener(endpoint: configuration.database, cache: runtime.metadata, callers: runtime.callers, logger: logger),
            AccountFreezer(tenants: runtime.tenants, sessions: runtime.sessions, logger: logger),
        ]
        if configuration.automationWorker {
            services.append(AutomationWorker(processor: runtime.events, outbox: runtime.outbox, signal: runtime.signal, logger: logger))
        }
        return (runtime, services)
    }

    /// Brings the control schema (and every tenant schema) up to date; run before serving.
    public func migrate() async throws {
        try await ControlSchema.migrate(client, logger: logger)
    }

    /// Runs `body` with a runtime on a migrated pool, then shuts the pool down (one-shot CLI commands).
    public static func with<T: Sendable>(
        _ configuration: ServerConfiguration, logger: Logger,
        _ body: @Sendable (TesseraRuntime) async throws -> T
    ) async throws -> T {
        let client = DatabasePool(endpoint: configuration.database, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            let runtime = TesseraRuntime(client: client, configuration: configuration, logger: logger)
            try await runtime.migrate()
            return try await body(runtime)
        }
    }
}
