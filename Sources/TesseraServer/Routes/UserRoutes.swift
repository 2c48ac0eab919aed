import Foundation
import Hummingbird
import TesseraApp
import TesseraCore
import TesseraStore

/// Users, their API keys, teams, the hierarchy and account settings of the caller's tenant.
/// Everyone may read the directory; changes need `manage_users`.
struct UserRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<AppRequestContext>) {
        let group = router.tenantGroup("api/v1", runtime: runtime)

        group.get("users") { request, context -> Response in
            let caller = context.caller
            let pairs = try request.queryPairs
            let limit = min(max(Int(pairs.first { $0.0 == "limit" }?.1 ?? "") ?? 100, 1), UserStore.maxPage)
            let after = pairs.first { $0.0 == "after" }.flatMap { UUIDText.normalized($0.1) }.flatMap(UUID.init(uuidString:))
            let users = try await runtime.users.list(caller.tenant, limit: limit + 1, after: after)
            let page = Array(users.prefix(limit))
            let next: JSONValue = users.count > limit ? .string(page.last!.id.uuidString.lowercased()) : .null
            return JSONResponse.make(.ok, .object([("data", .array(page.map(\.json))), ("next_after", next)]))
        }
        group.post("users") { request, context -> Response in
            let caller = context.caller
            let (metadata, policy) = try await managing(caller)
            let input = try UserInput.check(try await request.jsonBody(limit: TesseraRuntime.maxJSONBody), creating: true)
            let roles = input.roles ?? metadata.defaultRoles
            try requireGrantable(roles, metadata, policy)
            let user = try await runtime.users.create(caller.tenant, input, defaultRoles: metadata.defaultRoles)
            return JSONResponse.make(.created, user.json)
        }
        group.get("users/:id") { _, context -> Response in
            let caller = context.caller
            return JSONResponse.make(.ok, try await runtime.users.get(caller.tenant, id: try context.parameters.required("id")).json)
        }
        group.patch("users/:id") { request, context -> Response in
            let caller = context.caller
            let (metadata, policy) = try await managing(caller)
            let id = try context.parameters.required("id")
            let input = try UserInput.check(try await request.jsonBody(limit: TesseraRuntime.maxJSONBody), creating: false)
            let target = try await runtime.users.get(caller.tenant, id: id)
            // Only an admin may change an admin: anyone else could take the account over.
            if target.roles.contains(RoleDefinition.adminName), !policy.isAdmin {
                throw TesseraError.forbidden(AccountMessage.onlyAdminChangesAdmin)
            }
            if let roles = input.roles { try requireGrantable(roles, metadata, policy) }
            let user = try await runtime.users.update(caller.tenant, id: id, input)
            runtime.callers.forget(tenant: caller.tenant.id)
            return JSONResponse.make(.ok, user.json)
        }
        group.get("users/:id/subordinates") { _, context -> Response in
            let caller = context.caller
            let user = try await runtime.users.get(caller.tenant, id: try context.parameters.required("id"))
            let rows = try await runtime.users.subordinates(caller.tenant, of: user.id)
            return JSONResponse.make(
                .ok,
                .object([
                    (
                        "data",
                        .array(
                            rows.map { row in
                                guard case .object(var m) = row.user.json else { return .null }
                                m.append(("depth", .number(row.depth)))
                                return .object(m)
                            })
                    )
                ]))
        }
        group.get("users/:id/managers") { _, context -> Response in
            let caller = context.caller
            let user = try await runtime.users.get(caller.tenant, id: try context.parameters.required("id"))
            return JSONResponse.make(.ok, .object([("data", .array(try await runtime.users.managerChain(caller.tenant, of: user.id).map(\.json)))]))
        }

        // API keys: your own, or anyone's (integration identities included) with manage_users.
        group.get("users/:id/api-keys") { _, context -> Response in
            let (caller, user) = try await keyOwner(context)
            return JSONResponse.make(.ok, .object([("data", .array(try await runtime.sessions.keys(caller.tenant, userID: user.id).map(\.json)))]))
        }
        group.post("users/:id/api-keys") { request, context -> Response in
            let (caller, user) = try await keyOwner(context)
            let body = try await request.jsonBody(limit: 16 << 10)
            let input = try APIKeyInput.check(body)
            guard user.status == .active else {
                throw TesseraError.conflict(AccountMessage.userInactive(user.status.rawValue), code: "user_inactive")
            }
            let (info, key) = try await runtime.sessions.createKey(caller.tenant, userID: user.id, name: input.name, expiresAt: input.expiresAt())
            guard case .object(var m) = info.json else { throw TesseraError.internal() }
            m.append(("key", .string(key)))
            return JSONResponse.make(.created, .object(m))
        }
        group.delete("users/:id/api-keys/:key") { _, context -> Response in
            let (caller, user) = try await keyOwner(context)
            try await runtime.sessions.revokeKey(caller.tenant, userID: user.id, keyID: try context.parameters.required("key"))
            runtime.callers.forget(tenant: caller.tenant.id)
            return Response(status: .noContent)
        }

        group.get("teams") { _, context -> Response in
            let caller = context.caller
            return JSONResponse.make(.ok, .object([("data", .array(try await runtime.users.teams(caller.tenant).map(\.json)))]))
        }
        group.post("teams") { request, context -> Response in
            let caller = context.caller
            _ = try await managing(caller)
            let team = try await runtime.users.saveTeam(
                caller.tenant, id: nil,
                try TeamInput.check(try await request.jsonBody(limit: TesseraRuntime.maxJSONBody), creating: true))
            return JSONResponse.make(.created, team.json)
        }
        group.patch("teams/:id") { request, context -> Response in
            let caller = context.caller
            _ = try await managing(caller)
            let team = try await runtime.users.saveTeam(
                caller.tenant, id: try context.parameters.required("id"),
                try TeamInput.check(try await request.jsonBody(limit: TesseraRuntime.maxJSONBody), creating: false))
            return JSONResponse.make(.ok, team.json)
        }
        group.delete("teams/:id") { _, context -> Response in
            let caller = context.caller
            _ = try await managing(caller)
            try await runtime.users.deleteTeam(caller.tenant, id: try context.parameters.required("id"))
            return Response(status: .noContent)
        }
        group.get("teams/:id/members") { _, context -> Response in
            let caller = context.caller
            return JSONResponse.make(
                .ok,
                .object([("data", .array(try await runtime.users.members(caller.tenant, team: try context.parameters.required("id")).map(\.json)))]))
        }

        group.get("settings") { _, context -> Response in
            let caller = context.caller
            guard case .object(var settings) = settingsJSON(try await runtime.settings.general(caller.tenant)) else {
                throw TesseraError.internal()
            }
            settings.append(("calendar", try await runtime.settings.calendar(caller.tenant).json))
            // The secret that signs automation webhooks, for those who set automations up.
            if try await runtime.access(caller).1.has(.manageMetadata) {
                settings.append(("webhook_secret", .string(try await runtime.settings.webhookSecret(caller.tenant))))
                let (channels, smtp) = try await runtime.settings.channels(caller.tenant)
                settings.append(("channels", .object(channels.sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) })))
                settings.append(("smtp", smtp?.json ?? .null))
            }
            return JSONResponse.make(.ok, .object(settings))
        }
        group.patch("settings") { request, context -> Response in
            let caller = context.caller
            let body = try await request.jsonBody(limit: 64 << 10)
            // Accounts are user management; channels and the mail server are automation set-up.
            let keys = try SettingsInput.keys(body)
            if keys.contains("freeze_after_days") || keys.contains("locale") { _ = try await managing(caller) }
            if keys.contains("channels") || keys.contains("smtp") || keys.contains("retention_days") || keys.contains("calendar") {
                try await runtime.require(.manageMetadata, caller)
            }
            let input = try SettingsInput.check(body, existing: try await runtime.settings.channels(caller.tenant))
            let (days, channels, smtp) = (input.freezeAfterDays, input.channels, input.smtp)
            if channels != nil || smtp != nil { try await runtime.settings.saveChannels(caller.tenant, channels: channels, smtp: smtp) }
            if let days {
                try await runtime.settings.setFreezeAfterDays(caller.tenant, days)
                try await runtime.sessions.freezeInactive(caller.tenant)
            }
            if let locale = input.locale { try await runtime.settings.setLocale(caller.tenant, locale) }
            if let retention = input.retentionDays { try await runtime.settings.setRetentionDays(caller.tenant, retention) }
            if let calendar = input.calendar { try await runtime.settings.setCalendar(caller.tenant, calendar) }
            // Cached callers carry the tenant's settings.
            if days != nil || input.locale != nil || input.calendar != nil { runtime.callers.forget(tenant: caller.tenant.id) }
            if input.calendar != nil { runtime.metadata.invalidate(caller.tenant.id) }
            guard case .object(var settings) = settingsJSON(try await runtime.settings.general(caller.tenant)) else {
                throw TesseraError.internal()
            }
            settings.append(("calendar", try await runtime.settings.calendar(caller.tenant).json))
            if channels != nil || smtp != nil {
                let saved = try await runtime.settings.channels(caller.tenant)
                settings.append(("channels", .object(saved.channels.sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) })))
                settings.append(("smtp", saved.smtp?.json ?? .null))
            }
            return JSONResponse.make(.ok, .object(settings))
        }
    }

    private func settingsJSON(_ general: (freezeAfterDays: Int?, locale: MessageLocale?, retentionDays: Int)) -> JSONValue {
        .object([
            ("freeze_after_days", general.freezeAfterDays.map { .number($0) } ?? .null),
            ("locale", .string((general.locale ?? .en).rawValue)), ("retention_days", .number(general.retentionDays)),
        ])
    }

    /// The caller's metadata and policy, or 403 without `manage_users`.
    private func managing(_ caller: Caller) async throws -> (TenantMetadata, AccessPolicy) {
        let (metadata, policy) = try await runtime.access(caller)
        guard policy.has(.manageUsers) else { throw TesseraError.forbidden(AccountMessage.needsManageUsers) }
        return (metadata, policy)
    }

    /// Roles must exist, and nobody hands out more than they hold: only admins grant `admin` or
    /// special permissions they lack.
    private func requireGrantable(_ roles: [String], _ metadata: TenantMetadata, _ policy: AccessPolicy) throws {
        let unknown = roles.filter { metadata.role($0) == nil }
        if !unknown.isEmpty {
            throw TesseraError.validation([
                .init(field: "roles", rule: "unknown_role", AccountMessage.unknownRoles(unknown))
            ])
        }
        guard !policy.isAdmin else { return }
        for name in roles {
            guard let role = metadata.role(name) else { continue }
            if name == RoleDefinition.adminName || !role.special.isSubset(of: policy.special) {
                throw TesseraError.forbidden(AccountMessage.onlyAdminGrants(name))
            }
        }
    }

    /// The user whose keys are addressed: the caller themselves, or anyone for `manage_users`.
    private func keyOwner(_ context: TenantContext) async throws -> (Caller, User) {
        let caller = context.caller
        let user = try await runtime.users.get(caller.tenant, id: try context.parameters.required("id"))
        if user.id != caller.userID { _ = try await managing(caller) }
        return (caller, user)
    }
}
