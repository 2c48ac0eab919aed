import Hummingbird
import TesseraApp
import TesseraCore
import TesseraStore

/// Roles as metadata: `/api/v1/meta/roles` (reading is open to the tenant; changes need `manage_metadata`).
struct RoleRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        let group = router.tenantGroup("api/v1/meta/roles", runtime: runtime)
        group.get { _, context -> Response in
            let metadata = try await runtime.metadata.metadata(for: context.caller.tenant)
            return JSONResponse.make(.ok, .object([("data", .array(([RoleDefinition.admin] + metadata.roles).map(\.json)))]))
        }
        group.get(":role") { _, context -> Response in
            let metadata = try await runtime.metadata.metadata(for: context.caller.tenant)
            let name = try context.parameters.required("role")
            guard let role = metadata.role(name) else { throw TesseraError.notFound("No role '\(name)'.") }
            return JSONResponse.make(.ok, role.json)
        }
        group.post { request, context -> Response in
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let updated = try await runtime.changeTenantMetadata(context.caller) { current in
                try RoleChangePlanner.create(body, entities: current.entities, roles: current.roles)
            }
            guard let role = updated.role(body["name"]?.stringValue ?? "") else { throw TesseraError.internal() }
            return JSONResponse.make(.created, role.json)
        }
        group.patch(":role") { request, context -> Response in
            let name = try context.parameters.required("role")
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let updated = try await runtime.changeTenantMetadata(context.caller) { current in
                try RoleChangePlanner.patch(name, body, entities: current.entities, roles: current.roles)
            }
            guard let role = updated.role(name) else { throw TesseraError.internal() }
            return JSONResponse.make(.ok, role.json)
        }
        group.delete(":role") { _, context -> Response in
            let name = try context.parameters.required("role")
            _ = try await runtime.changeTenantMetadata(context.caller) { current in
                try RoleChangePlanner.delete(name, entities: current.entities, roles: current.roles)
            }
            return Response(status: .noContent)
        }
    }
}
