public import Hummingbird
import TesseraApp
public import TesseraCore

/// The context of every route behind a tenant's key: what authentication proved, never optional.
public struct TenantContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let caller: Caller

    /// 401 when no middleware proved a caller (a route registered outside `tenantGroup`).
    public init(context: AppRequestContext) throws {
        guard let caller = context.caller else { throw TesseraError.unauthorized() }
        coreContext = context.coreContext
        self.caller = caller
    }
}

extension Router<AppRequestContext> {
    /// Routes under `path` for a tenant's callers: the bearer key is checked first, and handlers
    /// get a `TenantContext`.
    func tenantGroup(_ path: RouterPath, runtime: TesseraRuntime) -> RouterGroup<TenantContext> {
        group(path).add(middleware: TenantAuthMiddleware(runtime: runtime)).group(context: TenantContext.self)
    }
}
