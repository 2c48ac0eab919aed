/// Plans the operations of `/api/v1/meta/dashboards` against a tenant's current metadata (the
/// route has checked `manage_metadata`).
public enum DashboardChangePlanner {
    /// A shared dashboard (the route has checked `manage_metadata`), or with `"personal": true` the
    /// author's own (it lists no roles). The owner comes from the credential: a body's is refused.
    public static func create(_ json: JSONValue, author: String, current: TenantMetadata) throws(TesseraError) -> MetadataChange {
        let (body, personal) = try split(json)
        let dashboard = try decode(personal ? body.setting("owner", .string(author)) : body, current)
        if personal, !dashboard.roles.isEmpty {
            throw .invalidMetadata([.dashboard(field: "roles", rule: "personal", .personalRoles)])
        }
        guard !current.dashboards.contains(where: { $0.key == dashboard.key }) else {
            throw .definitionConflict(.alreadyExists(.dashboard, dashboard.name), code: "duplicate")
        }
        return change(current, action: "dashboard.create", target: dashboard.key, dashboards: current.dashboards + [dashboard])
    }

    /// Top-level members of the body replace the dashboard's; `name`, `owner` and whether it is
    /// personal cannot change.
    public static func patch(_ dashboard: DashboardDefinition, _ json: JSONValue, current: TenantMetadata) throws(TesseraError) -> MetadataChange {
        let (body, _) = try split(json)
        let merged = try dashboard.json.patched(with: body, name: dashboard.name, what: .dashboard)
        let updated = try decode(dashboard.owner.map { merged.setting("owner", .string($0)) } ?? merged, current)
        if !updated.isShared, !updated.roles.isEmpty {
            throw .invalidMetadata([.dashboard(field: "roles", rule: "personal", .personalRoles)])
        }
        return change(
            current, action: "dashboard.update", target: dashboard.key,
            dashboards: current.dashboards.map { $0.key == dashboard.key ? updated : $0 })
    }

    public static func delete(_ dashboard: DashboardDefinition, current: TenantMetadata) -> MetadataChange {
        change(current, action: "dashboard.delete", target: dashboard.key, dashboards: current.dashboards.filter { $0.key != dashboard.key })
    }

    /// Whether a create's body asks for a personal dashboard (what decides the permission it needs).
    public static func isPersonal(_ json: JSONValue) -> Bool { json["personal"] == .bool(true) }

    /// The body without `personal`, and whether it asked for a personal dashboard; `owner` is the server's.
    static func split(_ json: JSONValue) throws(TesseraError) -> (JSONValue, Bool) {
        guard case .object(let members) = json else { throw .invalidMetadata([.definition(field: nil, rule: "type", .notAnObject(""))]) }
        if members.contains(where: { $0.0 == "owner" }) {
            throw .invalidMetadata([.dashboard(field: "owner", rule: "owner", .ownerFromCredential)])
        }
        let personal = members.first { $0.0 == "personal" }?.1
        if let personal, personal.boolValue == nil {
            throw .invalidMetadata([.definition(field: "personal", rule: "type", .notABool("personal"))])
        }
        return (.object(members.filter { $0.0 != "personal" }), personal?.boolValue == true)
    }

    /// Several dashboards at once (a pack); names already taken are refused.
    public static func createAll(
        _ new: [DashboardDefinition], dashboards: [DashboardDefinition], change: MetadataChange
    ) throws(TesseraError) -> MetadataChange {
        let clashes = new.map(\.name).filter { name in dashboards.contains { $0.name == name } }
        guard clashes.isEmpty else { throw .definitionConflict(.alreadyExistAll(.dashboard, clashes), code: "duplicate") }
        var change = change
        change.dashboards = dashboards + new
        return change
    }

    static func decode(_ json: JSONValue, _ current: TenantMetadata) throws(TesseraError) -> DashboardDefinition {
        try DashboardDecoder.dashboard(
            json, entities: current.entities, roles: current.roles.map(\.name), views: current.views.filter(\.isShared).map(\.name))
    }

    static func change(_ current: TenantMetadata, action: String, target: String, dashboards: [DashboardDefinition]) -> MetadataChange {
        var change = MetadataChange(entities: current.entities, steps: [], action: action, target: target)
        change.dashboards = dashboards
        return change
    }
}
