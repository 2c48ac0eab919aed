import Hummingbird
import TesseraApp
import TesseraCore
import TesseraStore

/// Platform routes: create and list tenants (platform admin token only).
struct TenantRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        let group = router.group("api/v1/tenants").add(middleware: AdminAuthMiddleware(runtime: runtime))
        group.post { request, _ -> Response in
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let input = try TenantInput.check(body, knownPacks: runtime.packs.ids())
            let admin = input.adminEmail.flatMap { email in input.adminPassword.map { (email: email, password: $0) } }
            let (tenant, key) = try await runtime.createTenant(
                slug: input.slug, name: input.name, timeZone: input.timeZone, locale: input.locale, packs: input.packs, admin: admin)
            return JSONResponse.make(.created, .object([("tenant", tenant.json), ("api_key", .string(key))]))
        }
        group.get { _, _ -> Response in
            let tenants = try await runtime.tenants.list()
            return JSONResponse.make(.ok, .object([("data", .array(tenants.map(\.json)))]))
        }
    }
}
