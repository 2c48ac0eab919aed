import Hummingbird
import TesseraCore

/// `GET /healthz`: 200 when the server takes requests and reaches PostgreSQL, else 503.
struct HealthRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ -> Response in
            do {
                try await runtime.client.query("SELECT 1", logger: runtime.logger)
                return JSONResponse.make(.ok, ["status": "ok"])
            } catch {
                return TesseraErrorResponse.make(.unavailable("PostgreSQL is not reachable."))
            }
        }
    }
}
