import Hummingbird
import TesseraApp
import TesseraCore

/// Roles as metadata: `/api/v1/meta/roles` (reading is open to the tenant; changes need `manage_metadata`).
struct RoleRoutes {
    let runtime: TesseraRuntime

    static let definitions = DefinitionRoutes<RoleDefinition>(
        kind: "role",
        list: { [RoleDefinition.admin] + $0.roles },
        find: { $0.role($1) },
        json: \.json,
        create: { body, current in try RoleChangePlanner.create(body, entities: current.entities, roles: current.roles) },
        patch: { name, body, current in try RoleChangePlanner.patch(name, body, entities: current.entities, roles: current.roles) },
        delete: { name, current in try RoleChangePlanner.delete(name, entities: current.entities, roles: current.roles) })

    func register(on router: Router<AppRequestContext>) {
        Self.definitions.register(on: router.tenantGroup("api/v1/meta/roles", runtime: runtime), runtime: runtime)
    }
}
