/// Plans the operations of `/api/v1/meta/dashboards` against a tenant's current metadata (the
/// route has checked `manage_metadata`).
public enum DashboardChangePlanner {
    public static func create(_ json: JSONValue, current: TenantMetadata) throws(TesseraError) -> MetadataChange {
        let dashboard = try decode(json, current)
        guard !current.dashboards.contains(where: { $0.name == dashboard.name }) else {
            throw .definitionConflict(.alreadyExists(.dashboard, dashboard.name), code: "duplicate")
        }
        return change(current, action: "dashboard.create", target: dashboard.name, dashboards: current.dashboards + [dashboard])
    }

    /// Top-level members of the body replace the dashboard's; `name` cannot change.
    public static func patch(_ name: String, _ json: JSONValue, current: TenantMetadata) throws(TesseraError) -> MetadataChange {
        guard let dashboard = current.dashboards.first(where: { $0.name == name }) else {
            throw TesseraError(status: 404, code: "not_found", localized: DashboardMessage.noDashboard(name))
        }
        let merged = try dashboard.json.patched(with: json, name: name, what: .dashboard)
        let updated = try decode(merged, current)
        return change(current, action: "dashboard.update", target: name, dashboards: current.dashboards.map { $0.name == name ? updated : $0 })
    }

    public static func delete(_ name: String, current: TenantMetadata) throws(TesseraError) -> MetadataChange {
        guard current.dashboards.contains(where: { $0.name == name }) else {
            throw TesseraError(status: 404, code: "not_found", localized: DashboardMessage.noDashboard(name))
        }
        return change(current, action: "dashboard.delete", target: name, dashboards: current.dashboards.filter { $0.name != name })
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

    private static func change(_ current: TenantMetadata, action: String, target: String, dashboards: [DashboardDefinition]) -> MetadataChange {
        var change = MetadataChange(entities: current.entities, steps: [], action: action, target: target)
        change.dashboards = dashboards
        return change
    }
}
