import Hummingbird
import TesseraApp
import TesseraCore
import TesseraStore

/// Assignment rules as metadata (`/api/v1/meta/assignment-rules`, changes need `manage_metadata`)
/// and where each candidate of a rule stands (`…/{name}/standings`).
struct AssignmentRuleRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        let group = router.tenantGroup("api/v1/meta/assignment-rules", runtime: runtime)
        group.get { _, context -> Response in
            let metadata = try await runtime.metadata.metadata(for: context.caller.tenant)
            return JSONResponse.make(.ok, .object([("data", .array(metadata.assignmentRules.map(\.json)))]))
        }
        group.get(":name") { _, context -> Response in
            JSONResponse.make(.ok, try await rule(context).json)
        }
        group.get(":name/standings") { _, context -> Response in
            let caller = context.caller
            try await runtime.require(.manageMetadata, caller)
            let rule = try await rule(context)
            let standings = try await runtime.assignmentStandings(caller.tenant, rule: rule.name)
            return JSONResponse.make(.ok, .object([("data", .array(standings))]))
        }
        group.post { request, context -> Response in
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let updated = try await runtime.changeTenantMetadata(context.caller) { current in
                try AssignmentRuleChangePlanner.create(body, entities: current.entities, roles: current.roles.map(\.name), rules: current.assignmentRules)
            }
            guard let rule = updated.assignmentRules.first(where: { $0.name == body["name"]?.stringValue }) else { throw TesseraError.internal() }
            return JSONResponse.make(.created, rule.json)
        }
        group.patch(":name") { request, context -> Response in
            let name = try context.parameters.required("name")
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let updated = try await runtime.changeTenantMetadata(context.caller) { current in
                try AssignmentRuleChangePlanner.patch(name, body, entities: current.entities, roles: current.roles.map(\.name), rules: current.assignmentRules)
            }
            guard let rule = updated.assignmentRules.first(where: { $0.name == name }) else { throw TesseraError.internal() }
            return JSONResponse.make(.ok, rule.json)
        }
        group.delete(":name") { _, context -> Response in
            let name = try context.parameters.required("name")
            _ = try await runtime.changeTenantMetadata(context.caller) { current in
                try AssignmentRuleChangePlanner.delete(name, entities: current.entities, rules: current.assignmentRules, automations: current.automations)
            }
            return Response(status: .noContent)
        }
    }

    private func rule(_ context: TenantContext) async throws -> AssignmentRule {
        let metadata = try await runtime.metadata.metadata(for: context.caller.tenant)
        let name = try context.parameters.required("name")
        guard let rule = metadata.assignmentRules.first(where: { $0.name == name }) else { throw TesseraError.notFound("No assignment rule '\(name)'.") }
        return rule
    }
}
