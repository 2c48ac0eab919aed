import Hummingbird
import TesseraApp
import TesseraCore
import TesseraStore

/// Resolves `Authorization: Bearer <key>` to the caller; the key alone decides the tenant.
struct TenantAuthMiddleware: RouterMiddleware {
    let runtime: TesseraRuntime

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response
    {
        guard let key = bearerToken(request) else { throw TesseraError.unauthorized() }
        guard let caller = try await runtime.authenticate(key: key) else {
            throw TesseraError.unauthorized(.keyInvalid)
        }
        var context = context
        context.caller = caller
        context.logger[metadataKey: "tenant"] = .string(caller.tenant.slug)
        do {
            return try await next(request, context)
        } catch {
            // Rendered here, where the user's and the tenant's languages are known.
            let locale = request.messageLocale(user: caller.locale, tenant: caller.tenant.locale)
            return ErrorMiddleware<AppRequestContext>.response(for: error, logger: context.logger, locale: locale)
        }
    }
}

/// Lets only the platform operator's token through (tenant management).
struct AdminAuthMiddleware: RouterMiddleware {
    let runtime: TesseraRuntime

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response
    {
        guard let token = bearerToken(request) else {
            throw TesseraError.unauthorized(.adminTokenRequired)
        }
        guard APIKey.constantTimeEquals(token, runtime.adminToken) else {
            throw TesseraError.forbidden(.adminTokenNeeded)
        }
        return try await next(request, context)
    }
}

func bearerToken(_ request: Request) -> String? {
    guard let header = request.headers[.authorization] else { return nil }
    let parts = header.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
    // Optional white space around a header value is spaces and tabs (RFC 9110 §5.6.3); trimmed by
    // hand because Foundation's trimmingCharacters(in:) was 4 % of a get by id's CPU.
    let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    guard let start = parts[1].firstIndex(where: { !isBlank($0) }), let end = parts[1].lastIndex(where: { !isBlank($0) }) else { return nil }
    return String(parts[1][start...end])
}
