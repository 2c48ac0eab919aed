/// The metadata change that installs a pack: its entities (tables, relations, rules, stages),
/// then its roles, assignment rules and automations, each checked against what the tenant has.
/// The installer applies it in one transaction; `tessera pack validate` plans it against a
/// tenant that has only the packs it requires, so a pack that validates is a pack that installs.
public enum PackPlanner {
    public static func install(
        _ pack: PackManifest, entities: [EntityDefinition] = [], roles: [RoleDefinition] = [], rules: [AssignmentRule] = [],
        automations: [AutomationDefinition] = [], views: [ViewDefinition] = [], forms: [FormDefinition] = [],
        approvals: [ApprovalDefinition] = [], dashboards: [DashboardDefinition] = []
    ) throws(TesseraError) -> MetadataChange {
        var change = try MetadataChangePlanner.createEntities(
            pack.entities, current: entities, action: "pack.install", target: "\(pack.id)@\(pack.version)")
        // What the pack adds to its required packs' entities: new columns, match indexes.
        let known = Set(change.entities.map(\.name))
        for ext in pack.extensions {
            guard let i = change.entities.firstIndex(where: { $0.name == ext.entity }) else {
                throw .definitionConflict(.packExtendsMissing(pack.id, entity: ext.entity), code: "pack_requirement")
            }
            change.entities[i] = try ext.applied(to: change.entities[i], knownEntities: known)
            for field in ext.fields { change.steps += SchemaPlanner.addField(field, to: ext.entity) }
            for rule in ext.rules where rule.kind == .duplicate { change.steps.append(.createMatchIndex(entity: ext.entity, rule: rule)) }
        }
        let pack =
            pack.requires.isEmpty
            ? pack
            : try rechecked(
                pack, entities: change.entities, roles: roles.map(\.name), views: views.filter(\.isShared).map(\.name))
        let withRoles = try RoleChangePlanner.createAll(pack.roles, roles: roles, change: change)
        let withRules = try AssignmentRuleChangePlanner.createAll(pack.assignmentRules, rules: rules, change: withRoles)
        let withAutomations = try AutomationChangePlanner.createAll(pack.automations, automations: automations, change: withRules)
        let withViews = try ViewChangePlanner.createAll(pack.views, views: views, change: withAutomations)
        let withForms = try FormChangePlanner.createAll(pack.forms, forms: forms, change: withViews)
        let withApprovals = try ApprovalChangePlanner.createAll(pack.approvals, approvals: approvals, change: withForms)
        return try DashboardChangePlanner.createAll(pack.dashboards, dashboards: dashboards, change: withApprovals)
    }

    /// A pack that requires others was read against the market's copies of them; what counts on
    /// install is what the tenant has, so what names their entities, roles and shared views is
    /// checked again against it (with the pack's own).
    static func rechecked(
        _ pack: PackManifest, entities: [EntityDefinition], roles: [String], views: [String]
    ) throws(TesseraError) -> PackManifest {
        var problems: [TesseraError.Detail] = []
        let names = Set(entities.map(\.name))
        for entity in pack.entities {
            problems += MetadataDecoder.check(entity, knownEntities: names).map { $0.prefixed(field: "\(entity.name).", message: "\(entity.name): ") }
        }
        func again<T>(_ items: [T], _ decode: (T) throws(TesseraError) -> T) -> [T] {
            items.compactMap { item in
                do throws(TesseraError) { return try decode(item) } catch {
                    problems += error.details
                    return nil
                }
            }
        }
        var pack = pack
        pack.roles = again(pack.roles) { (role: RoleDefinition) throws(TesseraError) in try RoleDecoder.role(role.json, entities: entities) }
        let roleNames = roles + pack.roles.map(\.name)
        pack.assignmentRules = again(pack.assignmentRules) { (rule: AssignmentRule) throws(TesseraError) in
            try AssignmentRuleDecoder.rule(rule.json, entities: entities, roles: roleNames)
        }
        let rules = pack.assignmentRules
        pack.automations = again(pack.automations) { (automation: AutomationDefinition) throws(TesseraError) in
            try AutomationDecoder.automation(automation.json, entities: entities, roles: roleNames, rules: rules)
        }
        pack.views = again(pack.views) { (view: ViewDefinition) throws(TesseraError) in
            try ViewDecoder.view(view.json, entities: entities, roles: roleNames)
        }
        pack.forms = again(pack.forms) { (form: FormDefinition) throws(TesseraError) in
            try FormDecoder.form(form.json, entity: form.entity, entities: entities, roles: roleNames)
        }
        pack.approvals = again(pack.approvals) { (approval: ApprovalDefinition) throws(TesseraError) in
            try ApprovalDecoder.approval(approval.json, entities: entities, roles: roleNames)
        }
        let viewNames = views + pack.views.map(\.name)
        pack.dashboards = again(pack.dashboards) { (dashboard: DashboardDefinition) throws(TesseraError) in
            try DashboardDecoder.dashboard(dashboard.json, entities: entities, roles: roleNames, views: viewNames)
        }
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        return pack
    }
}
