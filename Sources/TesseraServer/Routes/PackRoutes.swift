import Hummingbird
import TesseraApp
import TesseraCore
import TesseraStore

/// The template market: list packs and install one into the caller's tenant.
struct PackRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        let group = router.tenantGroup("api/v1/packs", runtime: runtime)
        group.get { _, context -> Response in
            let caller = context.caller
            let installed = Dictionary(try await runtime.installer.installed(in: caller.tenant), uniquingKeysWith: { a, _ in a })
            var items: [JSONValue] = []
            for id in runtime.packs.ids() {
                guard case .object(var members) = try runtime.packs.load(id).summaryJSON else { continue }
                members.append(("installed_version", installed[id].map(JSONValue.string) ?? .null))
                items.append(.object(members))
            }
            return JSONResponse.make(.ok, .object([("data", .array(items))]))
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
