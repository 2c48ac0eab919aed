import Hummingbird
import Logging
import TesseraCore
import TesseraStore

/// Turns every error into the shared error shape. Unknown errors are logged with the request id
/// and answered with a generic 500: never a stack trace, never an empty body.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.response(for: error, logger: context.logger)
        }
    }

    static func response(for error: any Error, logger: Logger) -> Response {
        if let mapped = DatabaseErrorMapper.map(error) {
            if mapped.status >= 500 { logger.error("Request failed", metadata: ["error": "\(mapped)"]) }
            return TesseraErrorResponse.make(mapped)
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
            let message = status.code == 404 ? "No such route." : status.reasonPhrase
            return TesseraErrorResponse.make(TesseraError(status: status.code, code: code, message: message))
        }
        logger.error("Unexpected error", metadata: ["error": "\(String(reflecting: error))"])
        return TesseraErrorResponse.make(.internal())
    }
}
