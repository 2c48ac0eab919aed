public import Hummingbird
public import TesseraCore

/// The request context: Hummingbird's core storage plus, once `TenantAuthMiddleware` has run,
/// the caller (routes read it from `TenantContext`, where it is never optional).
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: Caller?

    public init(source: Source) {
        coreContext = .init(source: source)
    }
}
