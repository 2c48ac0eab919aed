import Foundation
import Hummingbird
import TesseraApp
import TesseraCore
import TesseraStore

/// Approval processes as metadata (`/api/v1/meta/approvals`, changes need `manage_metadata`, every
/// version kept at `…/{name}/versions`) and running approvals: submitting a record
/// (`POST /api/v1/data/{entity}/{id}/approvals`), the approver's inbox and one approval
/// (`GET /api/v1/approvals`, `…/{id}`), and the answers (`POST /api/v1/approvals/{id}/{action}`).
struct ApprovalRoutes {
    let runtime: TesseraRuntime

    static let definitions = DefinitionRoutes<ApprovalDefinition>(
        kind: "approval process",
        list: \.approvals,
        find: { metadata, name in metadata.approvals.first { $0.name == name } },
        json: \.json,
        create: { body, current in try ApprovalChangePlanner.create(body, current: current) },
        patch: { name, body, current in try ApprovalChangePlanner.patch(try current.approval(name), body, current: current) },
        delete: { name, current in ApprovalChangePlanner.delete(try current.approval(name), current: current) })

    func register(on router: Router<AppRequestContext>) {
        let meta = router.tenantGroup("api/v1/meta/approvals", runtime: runtime)
        Self.definitions.register(on: meta, runtime: runtime)
        let service = runtime.approvals
        meta.get(":name/versions") { _, context -> Response in
            let versions = try await service.versions(context.caller, process: try context.parameters.required("name"))
            return JSONResponse.make(.ok, .object([("data", .array(versions))]))
        }

        let data = router.tenantGroup("api/v1/data", runtime: runtime)
        data.post(":entity/:id/approvals") { request, context -> Response in
            let body = try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
            let (fields, comment) = try Self.read(body, allowed: ["process", "comment"])
            guard let process = fields["process"] else {
                throw TesseraError.validation([.init(field: "process", rule: "required", AccountMessage.requiredString("process"))])
            }
            let approval = try await service.submit(
                context.caller, entity: try context.parameters.required("entity"), id: try context.parameters.required("id"), process: process,
                comment: comment)
            return JSONResponse.make(.created, approval)
        }
        data.get(":entity/:id/approvals") { _, context -> Response in
            let list = try await service.forRecord(
                context.caller, entity: try context.parameters.required("entity"), id: try context.parameters.required("id"))
            return JSONResponse.make(.ok, .object([("data", .array(list))]))
        }

        let api = router.tenantGroup("api/v1/approvals", runtime: runtime)
        api.get { request, context -> Response in
            let pairs = try request.queryPairs
            func value(_ key: String) -> String? { pairs.first { $0.0 == key }?.1 }
            let limitText = value("limit") ?? "100"
            guard let limit = Int(limitText), (1...500).contains(limit) else {
                throw TesseraError.validation([.approval(field: "limit", rule: "range", .limitShape(max: 500))])
            }
            let status = value("status")
            if let status, !["pending", "approved", "rejected", "recalled", "closed", "void"].contains(status) {
                throw TesseraError.validation([.init(field: "status", rule: "enum", AccountMessage.notKnownProperty("status=" + status))])
            }
            let list = try await service.list(context.caller, for: value("for") ?? "me", status: status, limit: limit)
            return JSONResponse.make(.ok, .object([("data", .array(list))]))
        }
        api.get(":id") { _, context -> Response in
            JSONResponse.make(.ok, try await service.show(context.caller, id: try context.parameters.required("id")))
        }
        api.post(":id/:action") { request, context -> Response in
            let name = try context.parameters.required("action")
            guard let action = ApprovalService.Action(rawValue: name) else {
                throw TesseraError(status: 404, code: "not_found", localized: ApprovalMessage.answerAction(name))
            }
            let body = try await Self.optionalBody(request)
            let (fields, comment) = try Self.read(body, allowed: action == .delegate ? ["comment", "to"] : ["comment"])
            let answered = try await service.answer(
                context.caller, id: try context.parameters.required("id"), action: action, comment: comment, to: fields["to"])
            return JSONResponse.make(.ok, answered)
        }
    }

    /// An empty body is no comment.
    static func optionalBody(_ request: Request) async throws -> JSONValue {
        var request = request
        let buffer = try await request.collectBody(upTo: TesseraRuntime.maxJSONBody)
        guard buffer.readableBytes > 0 else { return .object([]) }
        return try await request.jsonBody(limit: TesseraRuntime.maxJSONBody)
    }

    /// The body's string members (only those allowed) and its comment (at most `maxComment` characters).
    static func read(_ body: JSONValue, allowed: Set<String>) throws -> ([String: String], String?) {
        guard case .object(let members) = body else { throw TesseraError.validation([.init(field: nil, rule: "type", AccountMessage.bodyObject)]) }
        var problems: [TesseraError.Detail] = []
        var out: [String: String] = [:]
        var comment: String?
        for (key, value) in members {
            guard allowed.contains(key) else {
                problems.append(.init(field: key, rule: "unknown_property", AccountMessage.notKnownProperty(key)))
                continue
            }
            if key == "comment" {
                guard case .string(let text) = value, text.count <= ApprovalService.maxComment else {
                    problems.append(.approval(field: key, rule: "type", .commentShape(max: ApprovalService.maxComment)))
                    continue
                }
                comment = text
            } else if case .string(let text) = value {
                out[key] = text
            } else {
                problems.append(.init(field: key, rule: "type", AccountMessage.requiredString(key)))
            }
        }
        guard problems.isEmpty else { throw TesseraError.validation(problems) }
        return (out, comment)
    }
}
