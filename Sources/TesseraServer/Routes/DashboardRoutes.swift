import Hummingbird
import NIOCore
import TesseraApp
import TesseraCore

/// Dashboards as metadata (`/api/v1/meta/dashboards`: offered to the roles they list, changed by
/// those who manage metadata) and their data (`/api/v1/dashboards/{name}/data`: every widget in
/// one answer, each as its own API call would answer this caller; `…/widgets/{widget}.svg`: one
/// widget drawn as an SVG chart).
struct DashboardRoutes {
    let runtime: TesseraRuntime

    /// The dashboard the caller may change: their own, or a shared one (the change then needs
    /// manage_metadata).
    private func editable(_ caller: Caller, name: String) async throws -> DashboardDefinition {
        try await runtime.dashboards.dashboard(caller, name: name)
    }

    func register(on router: Router<AppRequestContext>) {
        let meta = router.tenantGroup("api/v1/meta/dashboards", runtime: runtime)
        let dashboards = runtime.dashboards
        meta.get { _, context -> Response in
            JSONResponse.make(.ok, .object([("data", .array(try await dashboards.list(context.caller).map(\.json)))]))
        }
        meta.get(":name") { _, context -> Response in
            JSONResponse.make(.ok, try await dashboards.dashboard(context.caller, name: try context.parameters.required("name")).json)
        }
        meta.post { request, context -> Response in
            let caller = context.caller
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let author = caller.userID.uuidString.lowercased()
            let plan: @Sendable (TenantMetadata) throws -> MetadataChange = { try DashboardChangePlanner.create(body, author: author, current: $0) }
            // A personal dashboard is anyone's to make; a shared one needs manage_metadata.
            let updated =
                DashboardChangePlanner.isPersonal(body)
                ? try await runtime.changeOwnMetadata(caller, plan) : try await runtime.changeTenantMetadata(caller, plan)
            guard let created = try? updated.dashboard(body["name"]?.stringValue ?? "", for: caller) else { throw TesseraError.internal() }
            return JSONResponse.make(.created, created.json)
        }
        meta.patch(":name") { request, context -> Response in
            let caller = context.caller
            let dashboard = try await editable(caller, name: try context.parameters.required("name"))
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let plan: @Sendable (TenantMetadata) throws -> MetadataChange = { try DashboardChangePlanner.patch(dashboard, body, current: $0) }
            let updated =
                dashboard.isShared ? try await runtime.changeTenantMetadata(caller, plan) : try await runtime.changeOwnMetadata(caller, plan)
            guard let changed = updated.dashboards.first(where: { $0.key == dashboard.key }) else { throw TesseraError.internal() }
            return JSONResponse.make(.ok, changed.json)
        }
        meta.delete(":name") { _, context -> Response in
            let caller = context.caller
            let dashboard = try await editable(caller, name: try context.parameters.required("name"))
            let plan: @Sendable (TenantMetadata) throws -> MetadataChange = { DashboardChangePlanner.delete(dashboard, current: $0) }
            _ = dashboard.isShared ? try await runtime.changeTenantMetadata(caller, plan) : try await runtime.changeOwnMetadata(caller, plan)
            return Response(status: .noContent)
        }
        let data = router.tenantGroup("api/v1/dashboards", runtime: runtime)
        data.get(":name/widgets/:file") { request, context -> Response in
            // One widget drawn as an SVG chart: `/api/v1/dashboards/director/widgets/funnel.svg`.
            let file = try context.parameters.required("file")
            let name = try context.parameters.required("name")
            guard file.hasSuffix(".svg") else {
                throw TesseraError(status: 404, code: "not_found", localized: DashboardMessage.noWidget(file, dashboard: name))
            }
            let result = try await dashboards.widget(context.caller, name: name, widget: String(file.dropLast(4)))
            let locale = request.messageLocale(user: context.caller.locale, tenant: nil)
            let chartData: JSONValue
            switch result.data {
            case .json(let json): chartData = json
            case .failed(let error): throw error
            case .view(let planned, let answer):
                let current = try await runtime.metadata.metadata(for: context.caller.tenant)
                chartData = try JSONParser.parse(ViewRoutes.render(planned, answer, entity: try current.require(planned.view.entity)))
            }
            let widget = result.widget
            let title = widget.label.map { $0[locale.rawValue] ?? $0.zhFirst } ?? widget.name
            let svg = ChartSVG.render(kind: widget.kind, title: title, data: chartData, locale: locale)
            return Response(
                status: .ok, headers: [.contentType: "image/svg+xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: svg)))
        }
        data.get(":name/data") { request, context -> Response in
            let (dashboard, results) = try await dashboards.data(context.caller, name: try context.parameters.required("name"))
            let current = try await runtime.metadata.metadata(for: context.caller.tenant)
            let locale = request.messageLocale(user: context.caller.locale, tenant: nil)
            var text = "{\"name\":"
            JSONWriter.writeString(dashboard.name, into: &text)
            text += ",\"label\":" + JSONWriter.string(dashboard.label?.json ?? .null) + ",\"widgets\":["
            for (i, result) in results.enumerated() {
                if i > 0 { text += "," }
                let widget = result.widget
                var head: [(String, JSONValue)] = [
                    ("name", .string(widget.name)), ("kind", .string(widget.kind.rawValue)), ("label", widget.label?.json ?? .null),
                    ("period", result.from.map { .object([("from", .string($0)), ("to", .string(result.to ?? ""))]) } ?? .null),
                    ("ms", .number((result.milliseconds * 10).rounded() / 10)),
                ]
                switch result.data {
                case .json(let json):
                    head.append(("data", json))
                    text += JSONWriter.string(.object(head))
                case .failed(let error):
                    head.append(("error", error.localized(locale).json["error"] ?? .null))
                    text += JSONWriter.string(.object(head))
                case .view(let planned, let answer):
                    // The view's own answer, spliced in as its route renders it.
                    let entity = try current.require(planned.view.entity)
                    let object = JSONWriter.string(.object(head))
                    text += object.dropLast() + ",\"data\":" + ViewRoutes.render(planned, answer, entity: entity) + "}"
                }
            }
            text += "]}"
            return JSONResponse.make(.ok, text: text)
        }
    }
}
