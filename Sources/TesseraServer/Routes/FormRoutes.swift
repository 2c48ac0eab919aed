import Hummingbird
import TesseraApp
import TesseraCore
import TesseraStore

/// Forms as metadata (`/api/v1/meta/entities/{entity}/forms`: changing them needs
/// `manage_metadata`) and resolved for a caller and a record (`/api/v1/data/{entity}/form`,
/// `…/{id}/form`; `POST` with a draft body shows the form as the draft would).
struct FormRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        let meta = router.tenantGroup("api/v1/meta/entities", runtime: runtime)
        meta.get(":entity/forms") { _, context -> Response in
            let current = try await runtime.metadata.metadata(for: context.caller.tenant)
            let entity = try current.require(try context.parameters.required("entity")).name
            return JSONResponse.make(.ok, .object([("data", .array(current.forms.filter { $0.entity == entity }.map(\.json)))]))
        }
        meta.get(":entity/forms/:name") { _, context -> Response in
            let current = try await runtime.metadata.metadata(for: context.caller.tenant)
            let form = try current.form(try context.parameters.required("name"), entity: try context.parameters.required("entity"))
            return JSONResponse.make(.ok, form.json)
        }
        meta.post(":entity/forms") { request, context -> Response in
            let entity = try context.parameters.required("entity")
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let updated = try await runtime.changeTenantMetadata(context.caller) { try FormChangePlanner.create(body, entity: entity, current: $0) }
            return JSONResponse.make(.created, try updated.form(body["name"]?.stringValue ?? "", entity: entity).json)
        }
        meta.patch(":entity/forms/:name") { request, context -> Response in
            let entity = try context.parameters.required("entity"), name = try context.parameters.required("name")
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let updated = try await runtime.changeTenantMetadata(context.caller) { current in
                try FormChangePlanner.patch(try current.form(name, entity: entity), body, current: current)
            }
            return JSONResponse.make(.ok, try updated.form(name, entity: entity).json)
        }
        meta.delete(":entity/forms/:name") { _, context -> Response in
            let entity = try context.parameters.required("entity"), name = try context.parameters.required("name")
            _ = try await runtime.changeTenantMetadata(context.caller) { current in
                FormChangePlanner.delete(try current.form(name, entity: entity), current: current)
            }
            return Response(status: .noContent)
        }

        let data = router.tenantGroup("api/v1/data", runtime: runtime)
        let forms = runtime.forms
        data.get(":entity/form") { request, context -> Response in
            try await answer(request, context, id: nil, draft: nil)
        }
        data.post(":entity/form") { request, context -> Response in
            try await answer(request, context, id: nil, draft: try await request.jsonBody(limit: TesseraRuntime.maxJSONBody))
        }
        data.get(":entity/:id/form") { request, context -> Response in
            try await answer(request, context, id: try context.parameters.required("id"), draft: nil)
        }
        data.post(":entity/:id/form") { request, context -> Response in
            try await answer(
                request, context, id: try context.parameters.required("id"), draft: try await request.jsonBody(limit: TesseraRuntime.maxJSONBody))
        }

        @Sendable func answer(_ request: Request, _ context: TenantContext, id: String?, draft: JSONValue?) async throws -> Response {
            let caller = context.caller
            let resolved = try await forms.resolve(caller, entity: try context.parameters.required("entity"), id: id, draft: draft)
            return JSONResponse.make(.ok, bytes: resolved.encoded(request.messageLocale(user: caller.locale, tenant: caller.tenant.locale)))
        }
    }
}
