import Hummingbird
import TesseraApp
import TesseraCore
import TesseraStore

/// The designer backend: entities and fields of the caller's tenant.
struct MetadataRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        router.tenantGroup("api/v1/meta/log", runtime: runtime).get { request, context -> Response in
            let caller = context.caller
            try await runtime.require(.manageMetadata, caller)
            let limit = min(max(Int(try request.queryPairs.first { $0.0 == "limit" }?.1 ?? "") ?? 100, 1), 500)
            let entries = try await runtime.metadataStore.log(caller.tenant, limit: limit)
            let data: [JSONValue] = entries.map { entry in
                .object([
                    ("at", .string(Timestamp.rfc3339(entry.at))), ("by", entry.actor.map { .string($0.uuidString.lowercased()) } ?? .null),
                    ("action", .string(entry.action)), ("target", .string(entry.target)),
                    ("entities", entry.detail.flatMap { try? JSONParser.parse($0) } ?? .null),
                ])
            }
            return JSONResponse.make(.ok, .object([("data", .array(data))]))
        }
        let group = router.tenantGroup("api/v1/meta/entities", runtime: runtime)

        group.get { _, context -> Response in
            let metadata = try await runtime.metadata.metadata(for: context.caller.tenant)
            return JSONResponse.make(.ok, .object([("data", .array(metadata.entities.map(\.json)))]))
        }
        group.post { request, context -> Response in
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let name = body["name"]?.stringValue ?? ""
            return try await change(context, .created) {
                try MetadataChangePlanner.createEntity(body, current: $0)
            } answer: {
                try $0.require(name).json
            }
        }
        group.get(":entity") { _, context -> Response in
            let metadata = try await runtime.metadata.metadata(for: context.caller.tenant)
            return JSONResponse.make(.ok, try metadata.require(try context.parameters.required("entity")).json)
        }
        group.patch(":entity") { request, context -> Response in
            let name = try context.parameters.required("entity")
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            return try await change(context, .ok) {
                try MetadataChangePlanner.patchEntity(name, body, current: $0)
            } answer: {
                try $0.require(name).json
            }
        }
        group.delete(":entity") { request, context -> Response in
            let name = try context.parameters.required("entity")
            let force = try request.queryPairs.contains { $0.0 == "force" && $0.1 == "true" }
            return try await remove(context, force: force) { try MetadataChangePlanner.deleteEntity(name, current: $0) }
        }
        group.post(":entity/fields") { request, context -> Response in
            let name = try context.parameters.required("entity")
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            return try await change(context, .created) {
                try MetadataChangePlanner.addField(to: name, body, current: $0)
            } answer: {
                try $0.require(name).fields.last?.json
            }
        }
        group.patch(":entity/fields/:field") { request, context -> Response in
            let name = try context.parameters.required("entity")
            let fieldName = try context.parameters.required("field")
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            return try await change(context, .ok) {
                try MetadataChangePlanner.patchField(fieldName, of: name, body, current: $0)
            } answer: {
                try $0.require(name).field(fieldName)?.json
            }
        }
        group.get(":entity/rules") { _, context -> Response in
            let metadata = try await runtime.metadata.metadata(for: context.caller.tenant)
            let entity = try metadata.require(try context.parameters.required("entity"))
            return JSONResponse.make(.ok, .object([("data", .array(entity.rules.map(\.json)))]))
        }
        group.post(":entity/rules") { request, context -> Response in
            let name = try context.parameters.required("entity")
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            return try await change(context, .created) {
                try MetadataChangePlanner.addRule(to: name, body, current: $0)
            } answer: {
                try $0.require(name).rules.last?.json
            }
        }
        group.post(":entity/rules/preview") { request, context -> Response in
            let caller = context.caller
            // A preview counts every record, whoever owns it: a designer's tool.
            try await runtime.require(.manageMetadata, caller)
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let (decoded, problems) = RuleDecoder.decode(body)
            guard let rule = decoded else { throw TesseraError.invalidMetadata(problems) }
            let (count, sample) = try await runtime.records.preview(caller, entity: try context.parameters.required("entity"), rule: rule)
            return JSONResponse.make(.ok, .object([("violations", .number(count)), ("sample", .array(sample.map { .string($0) }))]))
        }
        group.patch(":entity/rules/:rule") { request, context -> Response in
            let name = try context.parameters.required("entity")
            let ruleName = try context.parameters.required("rule")
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            return try await change(context, .ok) {
                try MetadataChangePlanner.patchRule(ruleName, of: name, body, current: $0)
            } answer: {
                try $0.require(name).rule(ruleName)?.json
            }
        }
        group.delete(":entity/rules/:rule") { _, context -> Response in
            let name = try context.parameters.required("entity")
            let ruleName = try context.parameters.required("rule")
            return try await remove(context) { try MetadataChangePlanner.deleteRule(ruleName, of: name, current: $0) }
        }
        group.delete(":entity/fields/:field") { _, context -> Response in
            let name = try context.parameters.required("entity")
            let fieldName = try context.parameters.required("field")
            return try await remove(context) { try MetadataChangePlanner.deleteField(fieldName, of: name, current: $0) }
        }
    }

    /// Runs one planned change of the caller's entities and answers with the part of the new
    /// metadata `answer` picks (the entity, field or rule made or changed).
    private func change(
        _ context: TenantContext, _ status: HTTPResponse.Status, _ plan: @escaping @Sendable ([EntityDefinition]) throws -> MetadataChange,
        answer: (TenantMetadata) throws -> JSONValue?
    ) async throws -> Response {
        guard let json = try answer(try await runtime.changeMetadata(context.caller, plan)) else { throw TesseraError.internal() }
        return JSONResponse.make(status, json)
    }

    /// Runs one planned removal and answers 204.
    private func remove(
        _ context: TenantContext, force: Bool = false, _ plan: @escaping @Sendable ([EntityDefinition]) throws -> MetadataChange
    ) async throws -> Response {
        _ = try await runtime.changeMetadata(context.caller, force: force, plan)
        return Response(status: .noContent)
    }
}
