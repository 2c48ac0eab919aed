import Hummingbird
import TesseraApp
import TesseraCore

/// Process metrics over the stage history: `/api/v1/metrics/funnel` and `/api/v1/metrics/dwell`.
struct MetricsRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        let group = router.tenantGroup("api/v1/metrics", runtime: runtime)
        let records = runtime.records
        group.get("funnel") { request, context -> Response in
            JSONResponse.make(.ok, try await records.funnel(context.caller, try request.queryPairs))
        }
        group.get("dwell") { request, context -> Response in
            JSONResponse.make(.ok, try await records.dwell(context.caller, try request.queryPairs))
        }
    }
}
