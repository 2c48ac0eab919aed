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
            ("views", \.views), ("forms", \.forms), ("approvals", \.approvals), ("dashboards", \.dashboards),
        ]
    }

    public var json: JSONValue { .object(Self.kinds.map { ($0.0, .array(self[keyPath: $0.1])) }) }

    public init(json: JSONValue) {
        for (name, path) in Self.kinds { self[keyPath: path] = json[name]?.arrayValue ?? [] }
    }

    /// The metadata these documents describe. Entities must decode (a table stands behind each);
    /// any other document that no longer does (saved by an older server) is left out, as a
    /// stored role that no longer decodes grants nothing.
    public func decoded(tenant: Tenant, version: Int64, retainedColumns: Set<String> = []) throws(TesseraError) -> TenantMetadata {
        let names = Set(entities.compactMap { $0["name"]?.stringValue })
        let entities = try self.entities.map { document throws(TesseraError) in try MetadataDecoder.entity(document, knownEntities: names) }
        let roles = self.roles.compactMap { try? RoleDecoder.role($0, entities: entities) }
        let roleNames = roles.map(\.name)
        let rules = assignmentRules.compactMap { try? AssignmentRuleDecoder.rule($0, entities: entities, roles: roleNames) }
        let automations = self.automations.compactMap {
            try? AutomationDecoder.automation($0, entities: entities, roles: roleNames, rules: rules)
        }
        let views = self.views.compactMap { try? ViewDecoder.view($0, entities: entities, roles: roleNames) }
        let forms = self.forms.compactMap { json in
            json["entity"]?.stringValue.flatMap {
                try? FormDecoder.form(json, entity: $0, entities: entities, roles: roleNames, placesRequired: false)
            }
        }
        let approvals = self.approvals.compactMap {
            try? ApprovalDecoder.approval($0, entities: entities, roles: roleNames, version: $0["version"]?.intValue ?? 1)
        }
        let sharedViews = views.filter(\.isShared).map(\.name)
        let dashboards = self.dashboards.compactMap {
            try? DashboardDecoder.dashboard($0, entities: entities, roles: roleNames, views: sharedViews)
        }
        return TenantMetadata(
            tenant: tenant, version: version, entities: entities, roles: roles, automations: automations, assignmentRules: rules,
            views: views, forms: forms, approvals: approvals, dashboards: dashboards, retainedColumns: retainedColumns)
    }
}
