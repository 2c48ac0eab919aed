import Hummingbird
import TesseraApp
import TesseraCore
import TesseraStore

/// Automations as metadata (`/api/v1/meta/automations`, changes need `manage_metadata`) and their
/// run log (`/api/v1/automation-runs`).
struct AutomationRoutes {
    let runtime: TesseraRuntime

    static let definitions = DefinitionRoutes<AutomationDefinition>(
        kind: "automation",
        list: \.automations,
        find: { metadata, name in metadata.automations.first { $0.name == name } },
        json: \.json,
        create: { body, current in
            try AutomationChangePlanner.create(
                body, entities: current.entities, roles: current.roles.map(\.name), rules: current.assignmentRules,
                automations: current.automations)
        },
        patch: { name, body, current in
            try AutomationChangePlanner.patch(
                name, body, entities: current.entities, roles: current.roles.map(\.name), rules: current.assignmentRules,
                automations: current.automations)
        },
        delete: { name, current in try AutomationChangePlanner.delete(name, entities: current.entities, automations: current.automations) })

    func register(on router: Router<AppRequestContext>) {
        Self.definitions.register(on: router.tenantGroup("api/v1/meta/automations", runtime: runtime), runtime: runtime)
        let api = router.tenantGroup("api/v1", runtime: runtime)
        api.get("automation-runs") { request, context -> Response in
            let caller = context.caller
            try await runtime.require(.manageMetadata, caller)
            let pairs = try request.queryPairs
            func value(_ key: String) -> String? { pairs.first { $0.0 == key }?.1 }
            let limit = min(max(Int(value("limit") ?? "") ?? 100, 1), 500)
            var record = value("record")
            if let r = record {
                guard let id = UUIDText.normalized(r) else { throw TesseraError.badRequest(AccountMessage.recordQuery, code: "invalid_query") }
                record = id
            }
            if let result = value("result"), OutboxStore.Outcome(rawValue: result) == nil {
                throw TesseraError.badRequest(AccountMessage.resultQuery, code: "invalid_query")
            }
            let runs = try await runtime.outbox.runs(
                caller.tenant, automation: value("automation"), record: record, result: value("result"), limit: limit)
            return JSONResponse.make(.ok, .object([("data", .array(runs))]))
        }
        api.get("automation-events/dead") { _, context -> Response in
            let caller = context.caller
            try await runtime.require(.manageMetadata, caller)
            return JSONResponse.make(.ok, .object([("data", .array(try await runtime.outbox.dead(caller.tenant, limit: 500)))]))
        }
        api.post("automation-events/:id/replay") { _, context -> Response in
            let caller = context.caller
            try await runtime.require(.manageMetadata, caller)
            guard let id = Int64(try context.parameters.required("id")) else { throw TesseraError.notFound(AccountMessage.noDeadEvent) }
            try await runtime.outbox.replay(caller.tenant, eventID: id)
            runtime.signal.announce(caller.tenant.schema)
            return Response(status: .noContent)
        }
        api.get("inbox") { request, context -> Response in
            let caller = context.caller
            let unread = try request.queryPairs.contains { $0.0 == "unread" && $0.1 == "true" }
            let messages = try await runtime.outbox.inbox(caller.tenant, user: caller.userID, unread: unread, limit: 200)
            return JSONResponse.make(.ok, .object([("data", .array(messages))]))
        }
        api.post("inbox/:id/read") { _, context -> Response in
            let caller = context.caller
            guard let id = Int64(try context.parameters.required("id")) else { throw TesseraError.notFound(AccountMessage.noInboxMessage) }
            try await runtime.outbox.markRead(caller.tenant, user: caller.userID, id: id)
            return Response(status: .noContent)
        }
        api.post("inbox/read-all") { _, context -> Response in
            let caller = context.caller
            try await runtime.outbox.markRead(caller.tenant, user: caller.userID, id: nil)
            return Response(status: .noContent)
        }
    }
}
