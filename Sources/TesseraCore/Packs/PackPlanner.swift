/// The metadata change that installs a pack: its entities (tables, relations, rules, stages),
/// then its roles, assignment rules and automations, each checked against what the tenant has.
/// The installer applies it in one transaction; `tessera pack validate` plans it against an
/// empty tenant, so a pack that validates is a pack that installs.
public enum PackPlanner {
    public static func install(
        _ pack: PackManifest, entities: [EntityDefinition] = [], roles: [RoleDefinition] = [], rules: [AssignmentRule] = [],
        automations: [AutomationDefinition] = []
    ) throws(TesseraError) -> MetadataChange {
        let change = try MetadataChangePlanner.createEntities(
            pack.entities, current: entities, action: "pack.install", target: "\(pack.id)@\(pack.version)")
        let withRoles = try RoleChangePlanner.createAll(pack.roles, roles: roles, change: change)
        let withRules = try AssignmentRuleChangePlanner.createAll(pack.assignmentRules, rules: rules, change: withRoles)
        return try AutomationChangePlanner.createAll(pack.automations, automations: automations, change: withRules)
    }
}
