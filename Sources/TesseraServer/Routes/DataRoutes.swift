import Hummingbird
import NIOCore
import TesseraCore
import TesseraStore

/// The generated REST API over every entity of the caller's tenant.
struct DataRoutes {
    let runtime: TesseraRuntime
    /// Rows one CSV export may hold (it streams, but takes a request slot while it runs).
    static let maxExportRows = 100_000

    func register(on router: Router<AppRequestContext>) {
        let group = router.group("api/v1/data").add(middleware: TenantAuthMiddleware(runtime: runtime))

        group.get(":entity") { request, context -> Response in
            let (caller, metadata, entity) = try await resolveWithMetadata(context, .read)
            let pairs = try request.queryPairs
            let deletedOnly = pairs.contains { $0.0 == "deleted" && $0.1 == "only" }
            // Parsed against what the caller may see: a hidden field is as unknown as a missing one.
            let query = try ListQueryParser.parse(pairs, entity: visible(caller, entity), related: { name in
                guard let model = try? metadata.model(name) else { return nil }
                return visible(caller, model)
            })
            let page = try await runtime.records.list(caller, entity, query, deletedOnly: deletedOnly)
            var text = "{\"data\":[" + page.records.joined(separator: ",") + "],\"next_cursor\":"
            if let cursor = page.nextCursor { JSONWriter.writeString(cursor, into: &text) } else { text += "null" }
            if let count = page.count { text += ",\"count\":\(count)" }
            text += "}"
            return JSONResponse.make(.ok, text: text)
        }
        group.get(":entity/export") { request, context -> Response in
            let (caller, metadata, entity) = try await resolveWithMetadata(context, .read)
            guard caller.policy?.has(.export) == true else {
                throw TesseraError.forbidden("Exporting records needs the 'export' permission.")
            }
            // The list's filters, order, select and where=; pages are walked here, so no limit or cursor.
            let pairs = try request.queryPairs.filter { !["limit", "cursor", "count"].contains($0.0) }
            var query = try ListQueryParser.parse(pairs, entity: visible(caller, entity), related: { name in
                guard let model = try? metadata.model(name) else { return nil }
                return visible(caller, model)
            })
            query.limit = ListQuery.maxLimit
            query.exactCount = true
            let columns = query.select ?? RecordStore.columns(caller, entity)
            let first = try await runtime.records.list(caller, entity, query)
            if let total = first.count, total > Self.maxExportRows {
                throw TesseraError.validation([.init(field: nil, rule: "export_limit", message: "\(total) records match; an export takes at most \(Self.maxExportRows). Narrow the filters.")])
            }
            query.exactCount = false
            let records = runtime.records
            // Streamed a page at a time: memory stays at one page, whatever the export's size.
            let body = ResponseBody { [query] writer in
                var query = query
                var page = first
                var text = CSVText.bom + CSVText.row(columns)
                while true {
                    for record in page.records { text += CSVText.row(CSVText.cells(try JSONParser.parse(record), columns: columns)) }
                    try await writer.write(ByteBuffer(string: text))
                    text = ""
                    guard let after = page.nextAfter else { break }
                    query.after = after
                    page = try await records.list(caller, entity, query)
                }
                try await writer.finish(nil)
            }
            var headers: HTTPFields = [.contentType: "text/csv; charset=utf-8"]
            headers[.contentDisposition] = "attachment; filename=\"\(entity.name).csv\""
            return Response(status: .ok, headers: headers, body: body)
        }
        group.post(":entity") { request, context -> Response in
            let (caller, entity) = try await resolve(context, .create)
            let body = try await request.jsonBody(limit: TesseraRuntime.maxBulkBody)
            if case .array(let items) = body {
                guard caller.policy?.has(.import) == true else {
                    throw TesseraError.forbidden("Creating records in bulk (an array) needs the 'import' permission; send one record per request.")
                }
                guard !items.isEmpty else { throw TesseraError.validation([.init(field: nil, rule: "empty", message: "The array holds no records.")]) }
                guard items.count <= RecordStore.maxBulk else {
                    throw TesseraError.validation([.init(field: nil, rule: "bulk_limit", message: "At most \(RecordStore.maxBulk) records per request (got \(items.count)).")])
                }
                let writes = try items.map { item throws(TesseraError) in try RecordInput.check(item, entity: entity.definition, mode: .create) }
                for item in items { try requireEditable(caller, entity, item) }
                let created = try await runtime.records.create(caller, entity, writes, bulk: true)
                return JSONResponse.make(.created, text: "{\"data\":[" + created.joined(separator: ",") + "]}")
            }
            let write = try RecordInput.check(body, entity: entity.definition, mode: .create)
            try requireEditable(caller, entity, body)
            guard let record = try await runtime.records.create(caller, entity, [write]).first else { throw TesseraError.internal() }
            return recordResponse(.created, record)
        }
        group.get(":entity/:id") { request, context -> Response in
            let (caller, entity) = try await resolve(context, .read)
            let pairs = try request.queryPairs
            var select: [String]?
            if pairs.contains(where: { $0.0 == "select" }) {
                select = try ListQueryParser.parse(pairs.filter { $0.0 == "select" }, entity: visible(caller, entity)).select
            }
            let record = try await runtime.records.get(caller, entity, id: try context.parameters.required("id"), select: select)
            return recordResponse(.ok, record)
        }
        group.patch(":entity/:id") { request, context -> Response in
            let (caller, entity) = try await resolve(context, .update)
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            var write = try RecordInput.check(body, entity: entity.definition, mode: .update)
            try requireEditable(caller, entity, body)
            if let version = try request.ifMatchVersion() { write.expectedVersion = version }
            let record = try await runtime.records.update(caller, entity, id: try context.parameters.required("id"), write)
            return recordResponse(.ok, record)
        }
        group.delete(":entity/:id") { request, context -> Response in
            let (caller, entity) = try await resolve(context, .delete)
            try await runtime.records.delete(caller, entity, id: try context.parameters.required("id"), expectedVersion: try request.ifMatchVersion())
            return Response(status: .noContent)
        }
        group.get(":entity/:id/history") { _, context -> Response in
            let (caller, model) = try await resolve(context, .read)
            let entries = try await runtime.records.history(caller, model, id: try context.parameters.required("id"))
            let data: [JSONValue] = entries.map { entry in
                .object([("action", .string(entry.action)), ("at", .string(TimeText.timestamp(entry.at))),
                         ("by", entry.actor.map(JSONValue.string) ?? .null), ("via", entry.via.map(JSONValue.string) ?? .null),
                         ("changes", .array(entry.changes.map { .object([("field", .string($0.field)), ("old", $0.old), ("new", $0.new)]) }))])
            }
            return JSONResponse.make(.ok, .object([("data", .array(data))]))
        }
        group.get(":entity/:id/stages") { _, context -> Response in
            let (caller, model) = try await resolve(context, .read)
            let visits = try await runtime.records.stageHistory(caller, model, id: try context.parameters.required("id"))
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
                .object([("from", visit.from.map(JSONValue.string) ?? .null), ("to", visit.to.map(JSONValue.string) ?? .null),
                         ("at", .string(TimeText.timestamp(visit.at))), ("by", visit.by.map(JSONValue.string) ?? .null),
                         ("seconds", .number(String(Double(visit.duration) / 1_000_000)))])
            }
            return JSONResponse.make(.ok, .object([("data", .array(data)), ("current", visits.last?.to.map(JSONValue.string) ?? .null),
                                                   ("seconds_by_stage", .object(totals))]))
        }
        // "Lock for follow-up": the record stays readable, but only the locker may change it.
        group.post(":entity/:id/lock") { request, context -> Response in
            let (caller, entity) = try await resolve(context, .update)
            let body = try await request.jsonBody(limit: 4 << 10)
            let text = body["duration"]?.stringValue ?? "2h"
            guard case .object(let members) = body, members.allSatisfy({ $0.0 == "duration" }),
                  let micros = DurationText.parse(text), micros >= 60_000_000, micros <= 30 * 86_400_000_000 else {
                throw TesseraError.validation([.init(field: "duration", rule: "duration", message: "the body is {\"duration\": \"2h\"}, a duration from 1m to 30d")])
            }
            // Locking keeps others from changing the record: it needs the right to change it.
            let recordID = try await runtime.records.requireScope(.update, caller, entity, id: try context.parameters.required("id"))
            guard let lock = try await runtime.locks.lock(caller.tenant, entity: entity.name, recordID: recordID, holder: caller.userID,
                                                          seconds: micros / 1_000_000, automation: nil) else {
                let other = try await runtime.locks.current(caller.tenant, entity: entity.name, recordID: recordID)
                throw TesseraError(status: 423, code: "record_locked", message: "The \(entity.name) \(recordID) is locked by someone else until \(other?.until ?? "later").")
            }
            return JSONResponse.make(.ok, .object([("holder", .string(caller.userID.uuidString.lowercased())), ("until", .string(lock.until))]))
        }
        group.delete(":entity/:id/lock") { _, context -> Response in
            let (caller, entity) = try await resolve(context, .read)
            let recordID = try await runtime.records.requireScope(.read, caller, entity, id: try context.parameters.required("id"))
            // The holder unlocks; so may whoever manages the tenant's metadata (an admin clearing a stale lock).
            let anyone = try await runtime.access(caller).1.has(.manageMetadata)
            if try await !runtime.locks.unlock(caller.tenant, entity: entity.name, recordID: recordID, holder: anyone ? nil : caller.userID),
               let other = try await runtime.locks.current(caller.tenant, entity: entity.name, recordID: recordID) {
                throw TesseraError.forbidden("The \(entity.name) \(recordID) is locked by someone else until \(other.until); only they or an admin can unlock it.")
            }
            // Not locked (any more): what the caller asked for already holds.
            return Response(status: .noContent)
        }
        group.post(":entity/:id/restore") { _, context -> Response in
            let (caller, entity) = try await resolve(context, .delete)
            let record = try await runtime.records.restore(caller, entity, id: try context.parameters.required("id"))
            return recordResponse(.ok, record)
        }
    }

    private func resolve(_ context: AppRequestContext, _ action: RecordAction) async throws -> (Caller, EntityModel) {
        let (caller, _, entity) = try await resolveWithMetadata(context, action)
        return (caller, entity)
    }

    /// The caller with their policy, the metadata and the entity; 403 if the action reaches no record.
    private func resolveWithMetadata(_ context: AppRequestContext, _ action: RecordAction) async throws -> (Caller, TenantMetadata, EntityModel) {
        var caller = try context.requireCaller()
        let (metadata, policy) = try await runtime.access(caller)
        caller.policy = policy
        let model = try metadata.model(try context.parameters.required("entity"))
        try RecordStore.access(caller, model)?.require(action, entity: model.name)
        return (caller, metadata, model)
    }

    private func visible(_ caller: Caller, _ model: EntityModel) -> EntityDefinition {
        RecordStore.access(caller, model)?.visible(model.definition) ?? model.definition
    }

    /// 403 naming the fields the body sets that the caller may not edit (defaults filled in for
    /// fields the body leaves out are not the caller's edits).
    private func requireEditable(_ caller: Caller, _ model: EntityModel, _ body: JSONValue) throws {
        guard case .object(let members) = body else { return }
        try RecordStore.access(caller, model)?.requireEditable(members.map(\.0).filter { model.definition.field($0) != nil }, entity: model.name)
    }

    /// A single record, with its version as the ETag (send it back in If-Match).
    private func recordResponse(_ status: HTTPResponse.Status, _ json: String) -> Response {
        var headers: HTTPFields = [:]
        if let version = Self.version(in: json) { headers[.eTag] = "\"\(version)\"" }
        return JSONResponse.make(status, text: json, headers: headers)
    }

    /// Reads `"version":N` from a record's JSON text without parsing all of it.
    static func version(in json: String) -> Int64? {
        let needle = Array("\"version\":".utf8)
        let bytes = json.utf8
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if bytes[index] == needle[0], bytes[index...].starts(with: needle) {
                var value: Int64 = 0
                var cursor = bytes.index(index, offsetBy: needle.count)
                while cursor != bytes.endIndex, let digit = Optional(bytes[cursor]), digit >= 48, digit <= 57 {
                    value = value * 10 + Int64(digit - 48)
                    cursor = bytes.index(after: cursor)
                }
                return value
            }
            index = bytes.index(after: index)
        }
        return nil
    }
}
