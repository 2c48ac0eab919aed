public import Hummingbird
public import Logging
public import TesseraApp

/// Builds the HTTP application: the runtime's services run beside the server, control-schema
/// migrations run before the server accepts requests.
public func buildApplication(
    _ configuration: ServerConfiguration,
    logger: Logger,
    beforeServing: (@Sendable (TesseraRuntime) async throws -> Void)? = nil
) -> Application<RouterResponder<AppRequestContext>> {
    let (runtime, services) = TesseraRuntime.make(configuration, logger: logger)
    let router = buildRouter(runtime)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "tessera"),
        services: services,
        logger: logger
    )
    app.beforeServerStarts {
        try await runtime.migrate()
        try await beforeServing?(runtime)
    }
    return app
}

/// The router with every route and the error mapping around them.
public func buildRouter(_ runtime: TesseraRuntime) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
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
    ViewRoutes(runtime: runtime).register(on: router)
    FormRoutes(runtime: runtime).register(on: router)
    ApprovalRoutes(runtime: runtime).register(on: router)
    MetricsRoutes(runtime: runtime).register(on: router)
    DashboardRoutes(runtime: runtime).register(on: router)
    RevisionRoutes(runtime: runtime).register(on: router)
    OpenAPIRoutes(runtime: runtime).register(on: router)
    FileRoutes(runtime: runtime).register(on: router)
    PackRoutes(runtime: runtime).register(on: router)
    return router
}
