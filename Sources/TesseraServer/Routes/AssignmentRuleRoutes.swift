import Hummingbird
import TesseraApp
import TesseraCore
import TesseraStore

/// Assignment rules as metadata (`/api/v1/meta/assignment-rules`, changes need `manage_metadata`)
/// and where each candidate of a rule stands (`…/{name}/standings`).
struct AssignmentRuleRoutes {
    let runtime: TesseraRuntime

    static let definitions = DefinitionRoutes<AssignmentRule>(
        kind: "assignment rule",
        list: \.assignmentRules,
        find: { metadata, name in metadata.assignmentRules.first { $0.name == name } },
        json: \.json,
        create: { body, current in
            try AssignmentRuleChangePlanner.create(body, entities: current.entities, roles: current.roles.map(\.name), rules: current.assignmentRules)
        },
        patch: { name, body, current in
            try AssignmentRuleChangePlanner.patch(
                name, body, entities: current.entities, roles: current.roles.map(\.name), rules: current.assignmentRules)
        },
        delete: { name, current in
            try AssignmentRuleChangePlanner.delete(name, entities: current.entities, rules: current.assignmentRules, automations: current.automations)
        })

    func register(on router: Router<AppRequestContext>) {
        let group = router.tenantGroup("api/v1/meta/assignment-rules", runtime: runtime)
        Self.definitions.register(on: group, runtime: runtime)
        group.get(":name/standings") { _, context -> Response in
            let caller = context.caller
            try await runtime.require(.manageMetadata, caller)
            let rule = try await Self.definitions.definition(context, runtime)
            let standings = try await runtime.assignmentStandings(caller.tenant, rule: rule.name)
            return JSONResponse.make(.ok, .object([("data", .array(standings))]))
        }
    }
}
