import Hummingbird
import TesseraApp
import TesseraCore

/// `GET /livez`: 200 while the process serves HTTP, without touching the database (a liveness probe,
/// and the benchmark's no-database ceiling). `GET /healthz`: 200 when the server also reaches
/// PostgreSQL, else 503 (a readiness probe).
struct HealthRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        router.get("livez") { _, _ -> Response in
            JSONResponse.make(.ok, ["status": "ok"])
        }
        router.get("healthz") { _, _ -> Response in
            guard await runtime.databaseIsReachable() else {
                return TesseraErrorResponse.make(TesseraError(status: 503, code: "unavailable", AccountMessage.databaseUnreachable))
            }
            return JSONResponse.make(.ok, ["status": "ok"])
        }
    }
}
