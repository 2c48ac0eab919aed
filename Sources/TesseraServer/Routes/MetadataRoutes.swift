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
            let updated = try await runtime.changeMetadata(context.caller) { current in
                try MetadataChangePlanner.createEntity(body, current: current)
            }
            let name = body["name"]?.stringValue ?? ""
            return JSONResponse.make(.created, try updated.require(name).json)
        }
        group.get(":entity") { _, context -> Response in
            let metadata = try await runtime.metadata.metadata(for: context.caller.tenant)
            return JSONResponse.make(.ok, try metadata.require(try context.parameters.required("entity")).json)
        }
        group.patch(":entity") { request, context -> Response in
            let name = try context.parameters.required("entity")
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let updated = try await runtime.changeMetadata(context.caller) { current in
                try MetadataChangePlanner.patchEntity(name, body, current: current)
            }
            return JSONResponse.make(.ok, try updated.require(name).json)
        }
        group.delete(":entity") { request, context -> Response in
            let name = try context.parameters.required("entity")
            let force = try request.queryPairs.contains { $0.0 == "force" && $0.1 == "true" }
            _ = try await runtime.changeMetadata(context.caller, force: force) { current in
                try MetadataChangePlanner.deleteEntity(name, current: current)
            }
            return Response(status: .noContent)
        }
        group.post(":entity/fields") { request, context -> Response in
            let name = try context.parameters.required("entity")
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let updated = try await runtime.changeMetadata(context.caller) { current in
                try MetadataChangePlanner.addField(to: name, body, current: current)
            }
            guard let field = try updated.require(name).fields.last else { throw TesseraError.internal() }
            return JSONResponse.make(.created, field.json)
        }
        group.patch(":entity/fields/:field") { request, context -> Response in
            let name = try context.parameters.required("entity")
            let fieldName = try context.parameters.required("field")
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let updated = try await runtime.changeMetadata(context.caller) { current in
                try MetadataChangePlanner.patchField(fieldName, of: name, body, current: current)
            }
            guard let field = try updated.require(name).field(fieldName) else { throw TesseraError.internal() }
            return JSONResponse.make(.ok, field.json)
        }
        group.get(":entity/rules") { _, context -> Response in
            let metadata = try await runtime.metadata.metadata(for: context.caller.tenant)
            let entity = try metadata.require(try context.parameters.required("entity"))
            return JSONResponse.make(.ok, .object([("data", .array(entity.rules.map(\.json)))]))
        }
        group.post(":entity/rules") { request, context -> Response in
            let name = try context.parameters.required("entity")
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let updated = try await runtime.changeMetadata(context.caller) { current in
                try MetadataChangePlanner.addRule(to: name, body, current: current)
            }
            guard let rule = try updated.require(name).rules.last else { throw TesseraError.internal() }
            return JSONResponse.make(.created, rule.json)
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
            let updated = try await runtime.changeMetadata(context.caller) { current in
                try MetadataChangePlanner.patchRule(ruleName, of: name, body, current: current)
            }
            guard let rule = try updated.require(name).rule(ruleName) else { throw TesseraError.internal() }
            return JSONResponse.make(.ok, rule.json)
        }
        group.delete(":entity/rules/:rule") { _, context -> Response in
            let name = try context.parameters.required("entity")
            let ruleName = try context.parameters.required("rule")
            _ = try await runtime.changeMetadata(context.caller) { current in
                try MetadataChangePlanner.deleteRule(ruleName, of: name, current: current)
            }
            return Response(status: .noContent)
        }
        group.delete(":entity/fields/:field") { _, context -> Response in
            let name = try context.parameters.required("entity")
            let fieldName = try context.parameters.required("field")
            _ = try await runtime.changeMetadata(context.caller) { current in
                try MetadataChangePlanner.deleteField(fieldName, of: name, current: current)
            }
            return Response(status: .noContent)
        }
    }
}
