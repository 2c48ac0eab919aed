import Hummingbird
import TesseraApp
import TesseraCore
import TesseraStore

/// `GET /livez`: 200 while the process serves HTTP, without touching the database (a liveness probe,
/// and the benchmark's no-database ceiling). `GET /healthz`: 200 when the server also reaches
/// PostgreSQL, else 503. `GET /readyz`: 200 when PostgreSQL answers and holds every migration this
/// build knows (a readiness probe: a load balancer sends nothing before), else 503 saying which.
struct HealthRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        router.get("livez") { _, _ -> Response in
            JSONResponse.make(.ok, ["status": "ok"])
        }
        router.get("readyz") { _, _ -> Response in
            let ready = await runtime.readiness()
            guard ready.database else {
                return TesseraErrorResponse.make(TesseraError(status: 503, code: "unavailable", AccountMessage.databaseUnreachable))
            }
            guard ready.migrated else {
                return TesseraErrorResponse.make(TesseraError(status: 503, code: "unavailable", AccountMessage.migrationsPending))
            }
            return JSONResponse.make(.ok, ["status": "ready", "database": "ok", "migrations": .number(ControlSchema.latestVersion)])
        }
        router.get("healthz") { _, _ -> Response in
            guard await runtime.databaseIsReachable() else {
                return TesseraErrorResponse.make(TesseraError(status: 503, code: "unavailable", AccountMessage.databaseUnreachable))
            }
            return JSONResponse.make(.ok, ["status": "ok"])
        }
    }
}
