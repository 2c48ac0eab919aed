import Hummingbird
import TesseraApp
import TesseraCore
import TesseraStore

/// The template market: the catalogue (each pack, what it holds, the version installed here and
/// whether an upgrade is available), installs, and upgrades that keep the tenant's changes.
struct PackRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        let group = router.tenantGroup("api/v1/packs", runtime: runtime)
        group.get { _, context -> Response in
            let caller = context.caller
            let installed = Dictionary(try await runtime.installer.installed(in: caller.tenant), uniquingKeysWith: { a, _ in a })
            var items: [JSONValue] = []
            for id in runtime.packs.ids() {
                let pack = try runtime.packs.load(id)
                items.append(pack.catalogueJSON(installed: installed[id]))
            }
            return JSONResponse.make(.ok, .object([("data", .array(items))]))
        }
        group.post(":id/upgrade") { request, context -> Response in
            let caller = context.caller
            try await runtime.require(.manageMetadata, caller)
            let pairs = try request.queryPairs
            let dryRun = pairs.contains { $0.0 == "dry_run" && $0.1 == "true" }
            // `accept` takes the pack's value for the conflicts named, in the body or the query.
            var accept = Set(pairs.filter { $0.0 == "accept" }.flatMap { $0.1.split(separator: ",").map(String.init) })
            if let body = try await request.optionalJSONBody(limit: 1 << 20) {
                guard case .object = body, body["accept"].map({ $0.arrayValue?.allSatisfy { $0.stringValue != nil } ?? false }) ?? true else {
                    throw TesseraError.validation([.init(field: "accept", rule: "type", AccountMessage.acceptShape)])
                }
                accept.formUnion(body["accept"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            }
            let upgrade = try await runtime.installer.upgrade(
                try context.parameters.required("id"), in: caller.tenant, actor: caller.userID, dryRun: dryRun, accept: accept)
            if !dryRun { runtime.metadata.store(upgrade.applied.metadata) }
            return JSONResponse.make(
                .ok,
                .object([
                    ("pack", .string(upgrade.pack.id)), ("from", .string(upgrade.from)), ("to", .string(upgrade.pack.version)),
                    ("dry_run", .bool(dryRun)), ("revision", .number(Double(upgrade.applied.revision))), ("merge", upgrade.report.json),
                    ("diff", upgrade.applied.detail), ("retained", .array(upgrade.applied.retained.map(JSONValue.string))),
                    ("duration_ms", .number(upgrade.milliseconds)),
                ]))
        }
        group.post(":id/install") { _, context -> Response in
            let caller = context.caller
            try await runtime.require(.manageMetadata, caller)
            let result = try await runtime.installer.install(try context.parameters.required("id"), into: caller.tenant, actor: caller.userID)
            runtime.metadata.store(result.metadata)
            return JSONResponse.make(
                .created,
                .object([
                    ("pack", result.pack.summaryJSON),
                    ("duration_ms", .number(result.milliseconds)),
                ]))
        }
    }
}
