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
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let updated = try await runtime.changeTenantMetadata(context.caller) { try DashboardChangePlanner.create(body, current: $0) }
            guard let created = updated.dashboards.first(where: { $0.name == body["name"]?.stringValue }) else { throw TesseraError.internal() }
            return JSONResponse.make(.created, created.json)
        }
        meta.patch(":name") { request, context -> Response in
            let name = try context.parameters.required("name")
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let updated = try await runtime.changeTenantMetadata(context.caller) { try DashboardChangePlanner.patch(name, body, current: $0) }
            guard let changed = updated.dashboards.first(where: { $0.name == name }) else { throw TesseraError.internal() }
            return JSONResponse.make(.ok, changed.json)
        }
        meta.delete(":name") { _, context -> Response in
            let name = try context.parameters.required("name")
            _ = try await runtime.changeTenantMetadata(context.caller) { try DashboardChangePlanner.delete(name, current: $0) }
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
