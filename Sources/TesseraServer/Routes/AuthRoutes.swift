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
            let input = try LoginInput.check(body)
            let login = try await runtime.sessions.login(tenantSlug: input.tenant, email: input.email, password: input.password)
            return JSONResponse.make(
                .ok,
                .object([
                    ("token", .string(login.token)), ("token_type", .string("Bearer")),
                    ("expires_at", .string(Timestamp.rfc3339(login.expiresAt))), ("user", login.user.json),
                ]))
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
            let input = try PasswordChangeInput.check(body)
            try await runtime.sessions.changePassword(caller, current: input.current, new: input.new)
            runtime.callers.forget(tenant: caller.tenant.id)
            return Response(status: .noContent)
        }
        // People choose their own name and language; everything else is an admin's.
        group.patch("me") { request, context -> Response in
            let caller = context.caller
            let input = try UserInput.checkOwn(try await request.jsonBody(limit: 16 << 10))
            let user = try await runtime.users.update(caller.tenant, id: caller.userID.uuidString, input)
            runtime.callers.forget(tenant: caller.tenant.id)
            return JSONResponse.make(.ok, user.json)
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
                if !access.fields.isEmpty {
                    members.append(("fields", .object(access.fields.keys.sorted().map { ($0, .string(access.fields[$0]!.rawValue)) })))
                }
                return (entity.name, .object(members))
            }
            return JSONResponse.make(
                .ok,
                .object([
                    ("user", user.json), ("tenant", caller.tenant.json),
                    ("expires_at", caller.expiresAt.map { .string(Timestamp.rfc3339($0)) } ?? .null),
                    ("permissions", .object(entities)),
                    ("special", .array(SpecialPermission.allCases.filter(policy.has).map { .string($0.rawValue) })),
                ]))
        }
    }
}
