import Hummingbird
import TesseraApp
import TesseraCore

/// The five routes every kind of named metadata has (roles, automations, assignment rules): list
/// and read (open to the tenant), create, patch and delete (`manage_metadata`, through
/// `TesseraRuntime.changeTenantMetadata`). Each kind says how it is found and planned.
struct DefinitionRoutes<Definition: Sendable>: Sendable {
    /// What a 404 calls one of them ("role", "automation").
    let kind: String
    let list: @Sendable (TenantMetadata) -> [Definition]
    let find: @Sendable (TenantMetadata, String) -> Definition?
    let json: @Sendable (Definition) -> JSONValue
    let create: @Sendable (JSONValue, TenantMetadata) throws -> MetadataChange
    let patch: @Sendable (String, JSONValue, TenantMetadata) throws -> MetadataChange
    let delete: @Sendable (String, TenantMetadata) throws -> MetadataChange

    /// The routes on `group`, one definition at `/{name}`.
    func register(on group: RouterGroup<TenantContext>, runtime: TesseraRuntime) {
        group.get { _, context -> Response in
            let metadata = try await runtime.metadata.metadata(for: context.caller.tenant)
            return JSONResponse.make(.ok, .object([("data", .array(list(metadata).map(json)))]))
        }
        group.get(":name") { _, context -> Response in
            JSONResponse.make(.ok, json(try await definition(context, runtime)))
        }
        group.post { request, context -> Response in
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let updated = try await runtime.changeTenantMetadata(context.caller) { current in try create(body, current) }
            guard let created = find(updated, body["name"]?.stringValue ?? "") else { throw TesseraError.internal() }
            return JSONResponse.make(.created, json(created))
        }
        group.patch(":name") { request, context -> Response in
            let name = try context.parameters.required("name")
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let updated = try await runtime.changeTenantMetadata(context.caller) { current in try patch(name, body, current) }
            guard let changed = find(updated, name) else { throw TesseraError.internal() }
            return JSONResponse.make(.ok, json(changed))
        }
        group.delete(":name") { _, context -> Response in
            let name = try context.parameters.required("name")
            _ = try await runtime.changeTenantMetadata(context.caller) { current in try delete(name, current) }
            return Response(status: .noContent)
        }
    }

    /// The definition the path names, or a 404 naming it.
    func definition(_ context: TenantContext, _ runtime: TesseraRuntime) async throws -> Definition {
        let metadata = try await runtime.metadata.metadata(for: context.caller.tenant)
        let name = try context.parameters.required("name")
        guard let found = find(metadata, name) else { throw TesseraError.notFound(AccountMessage.noDefinition(kind: kind, name: name)) }
        return found
    }
}
