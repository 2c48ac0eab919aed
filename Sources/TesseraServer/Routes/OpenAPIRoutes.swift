import Hummingbird
import TesseraApp
import TesseraCore

/// `GET /api/v1/openapi.json` (`?version=3.1` for 3.1): the tenant's API as the caller's roles
/// see it, made from its metadata and cached with it; `If-None-Match` with the ETag answers 304.
struct OpenAPIRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        router.tenantGroup("api/v1/openapi.json", runtime: runtime).get { request, context -> Response in
            let caller = context.caller
            let asked = try OpenAPIRequest(try request.queryPairs)
            let current = try await runtime.metadata.metadata(for: caller.tenant)
            let etag = asked.etag(metadataVersion: current.version, roles: caller.roles)
            if let seen = request.headers[.ifNoneMatch],
                seen.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag })
            {
                return Response(status: .notModified, headers: [.eTag: etag])
            }
            return JSONResponse.make(.ok, bytes: current.openAPI(for: caller.roles, version: asked.version), headers: [.eTag: etag])
        }
    }
}
