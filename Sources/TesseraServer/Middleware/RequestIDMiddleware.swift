import HTTPTypes
import Hummingbird
import Logging

/// Every response carries `X-Request-Id`, the id every log line of the request carries too
/// (`hb.request.id`). A caller's own id (a proxy's, a client's trace) is kept when it is a sane
/// token, so one id follows the request through nginx, Tessera and the client's logs.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    static var header: HTTPField.Name { HTTPField.Name("X-Request-Id")! }

    /// At most 128 characters of letters, digits and `-_.:`; anything else is replaced.
    static func accepts(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128
            && id.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F || b == 0x2E || b == 0x3A
            }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let given = request.headers[Self.header], Self.accepts(given) {
            context.logger[metadataKey: "hb.request.id"] = .string(given)
        }
        let id = context.id
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }
}
