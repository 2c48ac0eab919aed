import Hummingbird
import NIOCore
import TesseraApp
import TesseraCore
import TesseraStore

/// The generated REST API over every entity of the caller's tenant. HTTP only: each handler reads
/// the request, hands it to the record service (which plans and runs it) and renders the result.
struct DataRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        let group = router.tenantGroup("api/v1/data", runtime: runtime)
        let records = runtime.records

        group.get(":entity") { request, context -> Response in
            let page = try await records.list(context.caller, entity: try context.parameters.required("entity"), try request.queryPairs)
            var text = "{\"data\":[" + page.records.joined(separator: ",") + "],\"next_cursor\":"
            if let cursor = page.nextCursor { JSONWriter.writeString(cursor, into: &text) } else { text += "null" }
            if let count = page.count { text += ",\"count\":\(count)" }
            text += "}"
            return JSONResponse.make(.ok, text: text)
        }
        group.get(":entity/aggregate") { request, context -> Response in
            let answer = try await records.aggregate(context.caller, entity: try context.parameters.required("entity"), try request.queryPairs)
            return JSONResponse.make(.ok, answer)
        }
        group.get(":entity/export") { request, context -> Response in
            let entity = try context.parameters.required("entity")
            let export = try await records.export(context.caller, entity: entity, try request.queryPairs)
            // Streamed a page at a time: memory stays at one page, whatever the export's size.
            let body = ResponseBody { writer in
                var page: RecordStore.Page? = export.first
                var text = CSVText.bom + CSVText.row(export.columns)
                while let current = page {
                    for record in current.records { text += CSVText.row(CSVText.cells(try JSONParser.parse(record), columns: export.columns)) }
                    try await writer.write(ByteBuffer(string: text))
                    text = ""
                    page = try await export.page(after: current)
                }
                try await writer.finish(nil)
            }
            var headers: HTTPFields = [.contentType: "text/csv; charset=utf-8"]
            headers[.contentDisposition] = "attachment; filename=\"\(entity).csv\""
            return Response(status: .ok, headers: headers, body: body)
        }
        group.post(":entity") { request, context -> Response in
            let entity = try context.parameters.required("entity")
            // The entity and the caller's right to create are decided before the body is read.
            let planned = try await records.plan(.create, context.caller, entity: entity)
            let body = try await request.jsonBody(limit: TesseraRuntime.maxBulkBody)
            let (created, bulk) = try await records.create(planned, body)
            if bulk { return JSONResponse.make(.created, text: "{\"data\":[" + created.map(\.json).joined(separator: ",") + "]}") }
            guard let record = created.first else { throw TesseraError.internal() }
            return Self.recordResponse(.created, record)
        }
        group.get(":entity/:id") { request, context -> Response in
            let record = try await records.get(
                context.caller, entity: try context.parameters.required("entity"), id: try context.parameters.required("id"),
                try request.queryPairs)
            return Self.recordResponse(.ok, record)
        }
        group.patch(":entity/:id") { request, context -> Response in
            let planned = try await records.plan(.update, context.caller, entity: try context.parameters.required("entity"))
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let record = try await records.update(
                planned, id: try context.parameters.required("id"), body, expectedVersion: try request.ifMatchVersion())
            return Self.recordResponse(.ok, record)
        }
        group.delete(":entity/:id") { request, context -> Response in
            try await records.delete(
                context.caller, entity: try context.parameters.required("entity"), id: try context.parameters.required("id"),
                expectedVersion: try request.ifMatchVersion())
            return Response(status: .noContent)
        }
        group.get(":entity/:id/history") { _, context -> Response in
            let entries = try await records.history(
                context.caller, entity: try context.parameters.required("entity"), id: try context.parameters.required("id"))
            let data: [JSONValue] = entries.map { entry in
                .object([
                    ("action", .string(entry.action)), ("at", .string(TimeText.timestamp(entry.at))),
                    ("by", entry.actor.map(JSONValue.string) ?? .null), ("via", entry.via.map(JSONValue.string) ?? .null),
                    ("changes", .array(entry.changes.map { .object([("field", .string($0.field)), ("old", $0.old), ("new", $0.new)]) })),
                ])
            }
            return JSONResponse.make(.ok, .object([("data", .array(data))]))
        }
        group.get(":entity/:id/related") { request, context -> Response in
            let id = try context.parameters.required("id")
            let lists = try await records.related(context.caller, entity: try context.parameters.required("entity"), id: id, try request.queryPairs)
            var w = JSONStreamWriter(capacity: 1024 + 2048 * lists.count)
            w.openObject()
            w.member("record", .string(id))
            w.key("data")
            w.openArray()
            for list in lists {
                w.openObject()
                list.write(to: &w)
                w.closeObject()
            }
            w.closeArray()
            w.closeObject()
            return JSONResponse.make(.ok, bytes: w.bytes)
        }
        group.get(":entity/:id/stages") { _, context -> Response in
            let visits = try await records.stageHistory(
                context.caller, entity: try context.parameters.required("entity"), id: try context.parameters.required("id"))
            // Seconds per stage, stages in the order first entered.
            var order: [String] = []
            var seconds: [String: Double] = [:]
            for visit in visits {
                guard let stage = visit.to else { continue }
                if seconds[stage] == nil { order.append(stage) }
                seconds[stage, default: 0] += Double(visit.duration) / 1_000_000
            }
            let totals: [(String, JSONValue)] = order.map { ($0, .number(String(seconds[$0]!))) }
            let data: [JSONValue] = visits.map { visit in
                .object([
                    ("from", visit.from.map(JSONValue.string) ?? .null), ("to", visit.to.map(JSONValue.string) ?? .null),
                    ("at", .string(TimeText.timestamp(visit.at))), ("by", visit.by.map(JSONValue.string) ?? .null),
                    ("seconds", .number(String(Double(visit.duration) / 1_000_000))),
                ])
            }
            return JSONResponse.make(
                .ok,
                .object([
                    ("data", .array(data)), ("current", visits.last?.to.map(JSONValue.string) ?? .null),
                    ("seconds_by_stage", .object(totals)),
                ]))
        }
        group.post(":entity/:id/lock") { request, context -> Response in
            let planned = try await records.plan(.lock, context.caller, entity: try context.parameters.required("entity"))
            let body = try await request.jsonBody(limit: 4 << 10)
            let lock = try await records.lock(planned, id: try context.parameters.required("id"), body)
            return JSONResponse.make(.ok, .object([("holder", .string(lock.holder)), ("until", .string(lock.until))]))
        }
        group.delete(":entity/:id/lock") { _, context -> Response in
            try await records.unlock(context.caller, entity: try context.parameters.required("entity"), id: try context.parameters.required("id"))
            return Response(status: .noContent)
        }
        group.post(":entity/:id/restore") { _, context -> Response in
            let record = try await records.restore(
                context.caller, entity: try context.parameters.required("entity"), id: try context.parameters.required("id"))
            return Self.recordResponse(.ok, record)
        }
    }

    /// A single record, with its version as the ETag (send it back in If-Match).
    static func recordResponse(_ status: HTTPResponse.Status, _ record: RecordStore.Result) -> Response {
        JSONResponse.make(status, text: record.json, headers: [.eTag: "\"\(record.version)\""])
    }
}
