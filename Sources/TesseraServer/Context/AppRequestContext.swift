import Hummingbird
import TesseraStore

/// The request context: Hummingbird's core storage plus the authenticated caller, if any.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `TenantAuthMiddleware`; routes behind it can rely on it.
    public var caller: Caller?

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// The caller, or 401 (only reachable if a route forgot its middleware).
    public func requireCaller() throws -> Caller {
        guard let caller else { throw TesseraErrorResponse.unauthorized }
        return caller
    }
}
