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
            var problems: [TesseraError.Detail] = []
            guard case .object(let members) = body else { throw TesseraError.validation([.init(field: nil, rule: "type", message: "The body must be an object with slug and name.")]) }
            for (key, _) in members where !["slug", "name", "time_zone", "packs", "admin_email", "admin_password"].contains(key) {
                problems.append(.init(field: key, rule: "unknown_property", message: "'\(key)' is not a tenant property"))
            }
            let slug = body["slug"]?.stringValue
            let name = body["name"]?.stringValue
            if slug == nil { problems.append(.init(field: "slug", rule: "required", message: "slug is required (a string)")) }
            if name == nil { problems.append(.init(field: "name", rule: "required", message: "name is required (a string)")) }
            var packs: [String] = []
            if let list = body["packs"] {
                guard let items = list.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                    throw TesseraError.validation([.init(field: "packs", rule: "type", message: "packs must be an array of pack ids")])
                }
                packs = items.compactMap(\.stringValue)
                for pack in packs where !runtime.packs.ids().contains(pack) {
                    problems.append(.init(field: "packs", rule: "unknown_pack", message: "no pack '\(pack)'"))
                }
            }
            // Optional: the admin's sign-in, so people can log in from the first minute.
            var admin: (email: String, password: String)?
            if body["admin_email"] != nil || body["admin_password"] != nil {
                do throws(TesseraError) {
                    let input = try UserInput.check(.object([("name", .string("Admin")), ("email", body["admin_email"] ?? .null), ("password", body["admin_password"] ?? .null)]), creating: true)
                    if let email = input.email ?? nil, let password = input.password {
                        admin = (email, password)
                    } else {
                        problems.append(.init(field: "admin_password", rule: "required", message: "admin_email and admin_password go together"))
                    }
                } catch {
                    problems += error.details.map { d in var d = d; d.field = d.field.map { "admin_" + $0 }; d.message = "admin_" + d.message; return d }
                }
            }
            guard problems.isEmpty, let slug, let name else { throw TesseraError.validation(problems) }
            let (tenant, key) = try await runtime.createTenant(slug: slug, name: name, timeZone: body["time_zone"]?.stringValue, packs: packs, admin: admin)
            return JSONResponse.make(.created, .object([("tenant", tenant.json), ("api_key", .string(key))]))
        }
        group.get { _, _ -> Response in
            let tenants = try await runtime.tenants.list()
            return JSONResponse.make(.ok, .object([("data", .array(tenants.map(\.json)))]))
        }
    }
}
