/// Plans the operations of `/api/v1/meta/assignment-rules` against a tenant's current metadata.
public enum AssignmentRuleChangePlanner {
    public static func create(
        _ json: JSONValue, entities: [EntityDefinition], roles: [String], rules: [AssignmentRule]
    ) throws(TesseraError) -> MetadataChange {
        let rule = try AssignmentRuleDecoder.rule(json, entities: entities, roles: roles)
        guard !rules.contains(where: { $0.name == rule.name }) else {
            throw .definitionConflict(.alreadyExists(.assignmentRule, rule.name), code: "duplicate")
        }
        return MetadataChange(entities: entities, steps: [], action: "assignment_rule.create", target: rule.name, assignmentRules: rules + [rule])
    }

    /// Several rules at once (a pack); names already taken are refused.
    public static func createAll(_ new: [AssignmentRule], rules: [AssignmentRule], change: MetadataChange) throws(TesseraError) -> MetadataChange {
        let clashes = new.map(\.name).filter { name in rules.contains { $0.name == name } }
        guard clashes.isEmpty else {
            throw .definitionConflict(.alreadyExistAll(.assignmentRule, clashes), code: "duplicate")
        }
        var change = change
        change.assignmentRules = rules + new
        return change
    }

    /// Top-level members of the body replace the rule's; `name` cannot change.
    public static func patch(
        _ name: String, _ json: JSONValue, entities: [EntityDefinition], roles: [String], rules: [AssignmentRule]
    ) throws(TesseraError) -> MetadataChange {
        guard let index = rules.firstIndex(where: { $0.name == name }) else { throw .definitionNotFound(.noSuch(.assignmentRule, name)) }
        var updated = rules
        updated[index] = try AssignmentRuleDecoder.rule(
            try rules[index].json.patched(with: json, name: name, what: .assignmentRule),
            entities: entities, roles: roles)
        return MetadataChange(entities: entities, steps: [], action: "assignment_rule.update", target: name, assignmentRules: updated)
    }

    /// A rule an automation assigns with cannot go (the automation would break): 422 naming it.
    public static func delete(
        _ name: String, entities: [EntityDefinition], rules: [AssignmentRule],
        automations: [AutomationDefinition]
    ) throws(TesseraError) -> MetadataChange {
        guard let index = rules.firstIndex(where: { $0.name == name }) else { throw .definitionNotFound(.noSuch(.assignmentRule, name)) }
        let users = automations.filter { automation in
            (automation.actions + automation.steps.flatMap(\.actions)).contains { $0 == .assign(rule: name) }
        }.map(\.name)
        guard users.isEmpty else {
            throw .definitionConflict(.ruleInUse(name, automations: users), code: "rule_in_use")
        }
        var updated = rules
        updated.remove(at: index)
        return MetadataChange(entities: entities, steps: [], action: "assignment_rule.delete", target: name, assignmentRules: updated)
    }
}
