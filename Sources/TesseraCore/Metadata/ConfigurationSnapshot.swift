/// A tenant's whole configuration as stored documents, one list per kind: what a revision keeps
/// and what a revert restores. Decoding it gives the metadata every request is planned against.
public struct ConfigurationSnapshot: Sendable, Equatable {
    public var entities: [JSONValue] = []
    public var roles: [JSONValue] = []
    public var automations: [JSONValue] = []
    public var assignmentRules: [JSONValue] = []
    public var views: [JSONValue] = []
    public var forms: [JSONValue] = []
    public var approvals: [JSONValue] = []
    public var dashboards: [JSONValue] = []
    /// The installed packs (`InstalledPack.json`): a revert puts their versions back too.
    public var packs: [JSONValue] = []

    public init() {}

    public init(_ metadata: TenantMetadata) {
        entities = metadata.entities.map(\.json)
        roles = metadata.roles.map(\.json)
        automations = metadata.automations.map(\.json)
        assignmentRules = metadata.assignmentRules.map(\.json)
        views = metadata.views.map(\.json)
        forms = metadata.forms.map(\.json)
        approvals = metadata.approvals.map(\.json)
        dashboards = metadata.dashboards.map(\.json)
    }

    /// The kinds in the order they are stored, each with its member name in the JSON form.
    static var kinds: [(String, any WritableKeyPath<ConfigurationSnapshot, [JSONValue]> & Sendable)] {
        [
            ("entities", \.entities), ("roles", \.roles), ("automations", \.automations), ("assignment_rules", \.assignmentRules),
            ("views", \.views), ("forms", \.forms), ("approvals", \.approvals), ("dashboards", \.dashboards), ("packs", \.packs),
        ]
    }

    /// The installed packs it records.
    public var installedPacks: [InstalledPack] { packs.compactMap(InstalledPack.init(json:)) }

    public var json: JSONValue { .object(Self.kinds.map { ($0.0, .array(self[keyPath: $0.1])) }) }

    public init(json: JSONValue) {
        for (name, path) in Self.kinds { self[keyPath: path] = json[name]?.arrayValue ?? [] }
    }

    /// The metadata these documents describe. Entities must decode (a table stands behind each);
    /// any other document that no longer does (saved by an older server) is left out, as a
    /// stored role that no longer decodes grants nothing, unless `strict`: then every problem
    /// of every document is one 422 (what an upgrade merged must hold as a whole).
    public func decoded(
        tenant: Tenant, version: Int64, retainedColumns: Set<String> = [], strict: Bool = false
    ) throws(TesseraError) -> TenantMetadata {
        var problems: [TesseraError.Detail] = []
        func each<T>(_ documents: [JSONValue], _ path: String, _ decode: (JSONValue) throws(TesseraError) -> T) -> [T] {
            documents.compactMap { document in
                do throws(TesseraError) { return try decode(document) } catch {
                    if strict {
                        let name = document["name"]?.stringValue ?? "?"
                        problems += error.details.map {
                            $0.prefixed(field: "\(path).\(name).", message: "\(path) \(name): ", whenNoField: "\(path).\(name)")
                        }
                    }
                    return nil
                }
            }
        }
        let names = Set(entities.compactMap { $0["name"]?.stringValue })
        let entities = try self.entities.map { document throws(TesseraError) in try MetadataDecoder.entity(document, knownEntities: names) }
        let roles = each(self.roles, "roles") { (json) throws(TesseraError) in try RoleDecoder.role(json, entities: entities) }
        let roleNames = roles.map(\.name)
        let rules = each(assignmentRules, "assignment_rules") { (json) throws(TesseraError) in
            try AssignmentRuleDecoder.rule(json, entities: entities, roles: roleNames)
        }
        let automations = each(self.automations, "automations") { (json) throws(TesseraError) in
            try AutomationDecoder.automation(json, entities: entities, roles: roleNames, rules: rules)
        }
        let views = each(self.views, "views") { (json) throws(TesseraError) in try ViewDecoder.view(json, entities: entities, roles: roleNames) }
        let forms = each(self.forms, "forms") { (json) throws(TesseraError) in
            try FormDecoder.form(json, entity: json["entity"]?.stringValue ?? "", entities: entities, roles: roleNames, placesRequired: false)
        }
        let approvals = each(self.approvals, "approvals") { (json) throws(TesseraError) in
            try ApprovalDecoder.approval(json, entities: entities, roles: roleNames, version: json["version"]?.intValue ?? 1)
        }
        let sharedViews = views.filter(\.isShared).map(\.name)
        let dashboards = each(self.dashboards, "dashboards") { (json) throws(TesseraError) in
            try DashboardDecoder.dashboard(json, entities: entities, roles: roleNames, views: sharedViews)
        }
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        return TenantMetadata(
            tenant: tenant, version: version, entities: entities, roles: roles, automations: automations, assignmentRules: rules,
            views: views, forms: forms, approvals: approvals, dashboards: dashboards, retainedColumns: retainedColumns)
    }
}
