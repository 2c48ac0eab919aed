import Hummingbird
import TesseraApp
import TesseraCore
import TesseraStore

/// Password sign-in: login (no key needed), logout, password change, and who am I.
struct AuthRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        router.post("api/v1/auth/login") { request, _ -> Response in
            let body = try await request.jsonBody(limit: 16 << 10)
            var problems: [TesseraError.Detail] = []
            if case .object(let members) = body {
                for (key, _) in members where !["tenant", "email", "password"].contains(key) {
                    problems.append(.init(field: key, rule: "unknown_property", message: "\(key) is not a login property"))
                }
            }
            func text(_ key: String) -> String? {
                guard let value = body[key]?.stringValue, !value.isEmpty else {
                    problems.append(.init(field: key, rule: "required", message: "\(key) is required (a string)"))
                    return nil
                }
                return value
            }
            let tenant = text("tenant"), email = text("email"), password = text("password")
            guard problems.isEmpty, let tenant, let email, let password else { throw TesseraError.validation(problems) }
            let login = try await runtime.sessions.login(tenantSlug: tenant, email: email, password: password)
            return JSONResponse.make(.ok, .object([("token", .string(login.token)), ("token_type", .string("Bearer")),
                                                   ("expires_at", .string(Timestamp.rfc3339(login.expiresAt))), ("user", login.user.json)]))
        }
        let group = router.tenantGroup("api/v1", runtime: runtime)
        group.post("auth/logout") { _, context -> Response in
            let caller = context.caller
            try await runtime.sessions.logout(caller)
            runtime.callers.forget(tenant: caller.tenant.id)
            return Response(status: .noContent)
        }
        group.post("auth/password") { request, context -> Response in
            let caller = context.caller
            let body = try await request.jsonBody(limit: 16 << 10)
            guard let current = body["current_password"]?.stringValue, let new = body["new_password"]?.stringValue else {
                throw TesseraError.validation([.init(field: nil, rule: "required", message: "current_password and new_password are required (strings)")])
            }
            try await runtime.sessions.changePassword(caller, current: current, new: new)
            runtime.callers.forget(tenant: caller.tenant.id)
            return Response(status: .noContent)
        }
        group.get("me") { _, context -> Response in
            let caller = context.caller
            let (metadata, policy) = try await runtime.access(caller)
            let user = try await runtime.users.get(caller.tenant, id: caller.userID.uuidString)
            let entities: [(String, JSONValue)] = metadata.entities.map { entity in
                let access = policy.entity(entity.name)
                var members: [(String, JSONValue)] = RecordAction.allCases.map { action in
                    let reach = access.reach(action)
                    return (action.rawValue, .array(reach.scopes.sorted().map { .string($0.rawValue) }))
                }
                if !access.fields.isEmpty { members.append(("fields", .object(access.fields.keys.sorted().map { ($0, .string(access.fields[$0]!.rawValue)) }))) }
                return (entity.name, .object(members))
            }
            return JSONResponse.make(.ok, .object([
                ("user", user.json), ("tenant", caller.tenant.json),
                ("expires_at", caller.expiresAt.map { .string(Timestamp.rfc3339($0)) } ?? .null),
                ("permissions", .object(entities)),
                ("special", .array(SpecialPermission.allCases.filter(policy.has).map { .string($0.rawValue) })),
            ]))
        }
    }
}
