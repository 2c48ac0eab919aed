import Hummingbird
import Logging
import TesseraCore
import TesseraStore

/// Turns every error into the shared error shape, in the language the request asks for
/// (`Accept-Language`; behind a tenant's key, `TenantAuthMiddleware` also knows the user's and
/// the tenant's). Unknown errors are logged with the request id and answered with a generic 500:
/// never a stack trace, never an empty body.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.response(for: error, logger: context.logger, locale: request.messageLocale(user: nil, tenant: nil))
        }
    }

    static func response(for error: any Error, logger: Logger, locale: MessageLocale) -> Response {
        if let mapped = DatabaseErrorMapper.map(error) {
            if mapped.status >= 500 { logger.error("Request failed", metadata: ["error": "\(mapped)"]) }
            return TesseraErrorResponse.make(mapped.localized(locale))
        }
        if let http = error as? any HTTPResponseError {
            let status = http.status
            let code: String =
                switch status.code {
                case 404: "not_found"
                case 405: "method_not_allowed"
                case 413: "payload_too_large"
                case 400: "bad_request"
                default: status.code >= 500 ? "internal_error" : "http_\(status.code)"
                }
            var mappedHTTP = TesseraError(status: status.code, code: code, message: status.reasonPhrase)
            if status.code == 404 { mappedHTTP = TesseraError(status: 404, code: code, .noSuchRoute) }
            if status.code == 405 { mappedHTTP = TesseraError(status: 405, code: code, .methodNotAllowed) }
            return TesseraErrorResponse.make(mappedHTTP.localized(locale))
        }
        logger.error("Unexpected error", metadata: ["error": "\(String(reflecting: error))"])
        return TesseraErrorResponse.make(.internal())
    }
}

extension Request {
    /// The language of this request's messages: `Accept-Language`, else the user's, else the tenant's.
    func messageLocale(user: MessageLocale?, tenant: MessageLocale?) -> MessageLocale {
        MessageLocale.choose(acceptLanguage: headers[.acceptLanguage], user: user, tenant: tenant)
    }
}
