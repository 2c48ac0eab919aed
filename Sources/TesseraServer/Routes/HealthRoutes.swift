import Hummingbird
import TesseraApp
import TesseraCore

/// `GET /healthz`: 200 when the server takes requests and reaches PostgreSQL, else 503.
struct HealthRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ -> Response in
            guard await runtime.databaseIsReachable() else {
                return TesseraErrorResponse.make(TesseraError(status: 503, code: "unavailable", AccountMessage.databaseUnreachable))
            }
            return JSONResponse.make(.ok, ["status": "ok"])
        }
    }
}
