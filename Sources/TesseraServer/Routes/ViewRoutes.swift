import Hummingbird
import TesseraApp
import TesseraCore
import TesseraStore

/// Views as metadata (`/api/v1/meta/views`: shared ones need `manage_metadata`, personal ones are
/// their author's) and their data (`/api/v1/views/{name}/data`).
struct ViewRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        let meta = router.tenantGroup("api/v1/meta/views", runtime: runtime)
        let views = runtime.views
        meta.get { request, context -> Response in
            let current = try await runtime.metadata.metadata(for: context.caller.tenant)
            let entity = try request.queryPairs.first { $0.0 == "entity" }?.1
            let offered = current.views(for: context.caller).filter { entity == nil || $0.entity == entity }
            return JSONResponse.make(.ok, .object([("data", .array(offered.map(\.json)))]))
        }
        meta.get(":name") { _, context -> Response in
            JSONResponse.make(.ok, try await views.view(context.caller, name: try context.parameters.required("name")).json)
        }
        meta.post { request, context -> Response in
            let caller = context.caller
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let (metadata, policy) = try await runtime.access(caller)
            // A personal view is made by someone who may read the entity's records (an unknown
            // entity is the decoder's 422).
            if let entity = body["entity"]?.stringValue, metadata.entity(entity) != nil, body["shared"] != .bool(true) {
                _ = try await runtime.records.plan(.list, caller, entity: entity)
            }
            let author = caller.userID.uuidString.lowercased()
            let updated = try await runtime.changeOwnMetadata(caller) { current in
                try ViewChangePlanner.create(body, author: author, managesMetadata: policy.has(.manageMetadata), current: current)
            }
            guard let created = updated.view(body["name"]?.stringValue ?? "", for: caller) else { throw TesseraError.internal() }
            return JSONResponse.make(.created, created.json)
        }
        meta.patch(":name") { request, context -> Response in
            let caller = context.caller
            let view = try await editable(caller, name: try context.parameters.required("name"))
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let updated = try await runtime.changeOwnMetadata(caller) { current in try ViewChangePlanner.patch(view, body, current: current) }
            guard let changed = updated.views.first(where: { $0.key == view.key }) else { throw TesseraError.internal() }
            return JSONResponse.make(.ok, changed.json)
        }
        meta.delete(":name") { _, context -> Response in
            let caller = context.caller
            let view = try await editable(caller, name: try context.parameters.required("name"))
            _ = try await runtime.changeOwnMetadata(caller) { current in ViewChangePlanner.delete(view, current: current) }
            return Response(status: .noContent)
        }
        router.tenantGroup("api/v1/views", runtime: runtime).get(":name/data") { request, context -> Response in
            let (planned, answer) = try await views.data(context.caller, name: try context.parameters.required("name"), try request.queryPairs)
            let current = try await runtime.metadata.metadata(for: context.caller.tenant)
            return JSONResponse.make(.ok, text: Self.render(planned, answer, entity: try current.require(planned.view.entity)))
        }
    }

    /// The view the caller may change: their own, or a shared one if they manage metadata.
    private func editable(_ caller: Caller, name: String) async throws -> ViewDefinition {
        let view = try await runtime.views.view(caller, name: name)
        if view.isShared { try await runtime.require(.manageMetadata, caller) }
        return view
    }

    /// The answer's JSON: the view's description, then its rows in its kind's shape (records are
    /// JSON texts from PostgreSQL, spliced in as they are).
    static func render(_ planned: ViewQuery, _ answer: ViewService.Answer, entity: EntityDefinition) -> String {
        let view = planned.view
        var columns: [JSONValue] = []
        for column in planned.columns {
            let field = entity.field(column.field)
            var m: [(String, JSONValue)] = [("field", .string(column.field))]
            if let width = column.width { m.append(("width", .number(width))) }
            m.append(("label", field?.label.json ?? .object([("en", .string(column.field))])))
            m.append(("type", .string(Column.resolve(column.field, in: entity)?.type.rawValue ?? "text")))
            if let field, field.type == .select || field.type == .multiSelect { m.append(("options", .array(field.options.map(\.json)))) }
            columns.append(.object(m))
        }
        var head: [(String, JSONValue)] = [("name", .string(view.name)), ("type", .string(view.kind.rawValue))]
        if let label = view.label { head.append(("label", label.json)) }
        head.append(("entity", .string(view.entity)))
        head.append(("shared", .bool(view.isShared)))
        head.append(("columns", .array(columns)))
        if let group = planned.groupColumn { head.append((view.kind == .kanban ? "lanes" : "group_by", .string(group.name))) }
        if let aggregate = view.aggregate { head.append(("aggregate", .string(aggregate.key))) }
        var text = "{\"view\":" + JSONWriter.string(.object(head))
        func page(_ page: RecordStore.Page, into text: inout String) {
            text += ",\"data\":[" + page.records.joined(separator: ",") + "],\"next_cursor\":"
            if let cursor = page.nextCursor { JSONWriter.writeString(cursor, into: &text) } else { text += "null" }
            if let count = page.count { text += ",\"count\":\(count)" }
        }
        func figure(_ value: String?) -> (String, JSONValue)? {
            view.aggregate.map { ($0.key, value.map { JSONValue.number($0) } ?? .null) }
        }
        switch answer {
        case .calendar(let p):
            page(p, into: &text)
            if let overlap = planned.query.overlap { text += ",\"from\":\"\(overlap.from)\",\"to\":\"\(overlap.to)\"" }
        case .list(let list):
            page(list.page, into: &text)
            if let groups = list.groups {
                let field = planned.groupColumn?.field
                let items: [JSONValue] = groups.map { g in
                    var m: [(String, JSONValue)] = [("key", g.key.map(JSONValue.string) ?? .null)]
                    if let key = g.key, let option = field?.option(key) { m.append(("label", option.label.json)) }
                    if let name = g.name { m.append(("name", .string(name))) }
                    m.append(("count", .number(g.count)))
                    if let f = figure(g.figure) { m.append(f) }
                    return .object(m)
                }
                text += ",\"groups\":" + JSONWriter.string(.array(items))
            }
        case .kanban(let lanes):
            text += ",\"lanes\":["
            for (i, lane) in lanes.enumerated() {
                if i > 0 { text += "," }
                var m: [(String, JSONValue)] = [("key", lane.lane.key.map(JSONValue.string) ?? .null)]
                if let label = lane.lane.label { m.append(("label", label.json)) }
                if let color = lane.lane.color { m.append(("color", .string(color))) }
                if let name = lane.lane.name { m.append(("name", .string(name))) }
                m.append(("count", .number(lane.count)))
                if let f = figure(lane.figure) { m.append(f) }
                var laneText = JSONWriter.string(.object(m))
                laneText.removeLast()
                page(lane.page, into: &laneText)
                text += laneText + "}"
            }
            text += "]"
        }
        return text + "}"
    }
}
