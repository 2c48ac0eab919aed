import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import PostgresNIO
import TesseraAutomation
import TesseraCore
import TesseraStore

/// Builds the HTTP application: the pool and the metadata listener run as services,
/// control-schema migrations run before the server accepts requests.
public func buildApplication(
    _ configuration: ServerConfiguration,
    logger: Logger,
    beforeServing: (@Sendable (TesseraRuntime) async throws -> Void)? = nil
) -> some ApplicationProtocol {
    let client = PostgresClient(configuration: configuration.database.clientConfiguration, backgroundLogger: logger)
    let runtime = TesseraRuntime(client: client, configuration: configuration, logger: logger)
    let router = buildRouter(runtime)
    var services: [any Service] = [client, MetadataListener(endpoint: configuration.database, cache: runtime.metadata, callers: runtime.callers, logger: logger),
                                   AccountFreezer(tenants: runtime.tenants, sessions: runtime.sessions, logger: logger)]
    if configuration.automationWorker {
        services.append(AutomationWorker(processor: runtime.events, outbox: runtime.outbox, signal: runtime.signal, logger: logger))
    }
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "tessera"),
        services: services,
        logger: logger
    )
    app.beforeServerStarts {
        try await ControlSchema.migrate(client, logger: logger)
        try await beforeServing?(runtime)
    }
    return app
}

/// The router with every route and the error mapping around them.
public func buildRouter(_ runtime: TesseraRuntime) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    HealthRoutes(runtime: runtime).register(on: router)
    TenantRoutes(runtime: runtime).register(on: router)
    MetadataRoutes(runtime: runtime).register(on: router)
    DataRoutes(runtime: runtime).register(on: router)
    AuthRoutes(runtime: runtime).register(on: router)
    UserRoutes(runtime: runtime).register(on: router)
    RoleRoutes(runtime: runtime).register(on: router)
    AutomationRoutes(runtime: runtime).register(on: router)
    AssignmentRuleRoutes(runtime: runtime).register(on: router)
    FileRoutes(runtime: runtime).register(on: router)
    PackRoutes(runtime: runtime).register(on: router)
    return router
}
