import Hummingbird
import TesseraApp
import TesseraCore

/// Configuration revisions (`/api/v1/meta/revisions`): every metadata change numbered, one
/// revision's diff, and `POST …/{n}/revert[?dry_run=true]` restoring the configuration as of n.
struct RevisionRoutes {
    let runtime: TesseraRuntime

    /// A revision number from the path or the query: a whole number from 0, or a 422 naming it.
    static func number(_ text: String, parameter: String) throws -> Int64 {
        guard let n = Int64(text), n >= 0, text.allSatisfy(\.isASCII) else {
            throw TesseraError.validation([
                .init(field: parameter, rule: "revision", localized: RevisionMessage.revisionShape(String(text.prefix(40))))
            ])
        }
        return n
    }

    func register(on router: Router<AppRequestContext>) {
        let group = router.tenantGroup("api/v1/meta/revisions", runtime: runtime)
        let revisions = runtime.revisions
        group.get { request, context -> Response in
            let pairs = try request.queryPairs
            let limit = min(max(Int(pairs.first { $0.0 == "limit" }?.1 ?? "") ?? 50, 1), 500)
            let before = try pairs.first { $0.0 == "before" }.map { try Self.number($0.1, parameter: "before") }
            return JSONResponse.make(.ok, try await revisions.list(context.caller, limit: limit, before: before))
        }
        group.get(":n") { _, context -> Response in
            let n = try Self.number(try context.parameters.required("n"), parameter: "n")
            return JSONResponse.make(.ok, try await revisions.revision(context.caller, n))
        }
        group.post(":n/revert") { request, context -> Response in
            let n = try Self.number(try context.parameters.required("n"), parameter: "n")
            let dryRun = try request.queryPairs.contains { $0.0 == "dry_run" && $0.1 == "true" }
            return JSONResponse.make(.ok, try await revisions.revert(context.caller, to: n, dryRun: dryRun))
        }
    }
}
