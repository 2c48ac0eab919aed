/// Plans the operations of `/api/v1/meta/automations` against a tenant's current metadata.
public enum AutomationChangePlanner {
    public static func create(
        _ json: JSONValue, entities: [EntityDefinition], roles: [String], rules: [AssignmentRule] = [],
        automations: [AutomationDefinition]
    ) throws(TesseraError) -> MetadataChange {
        let automation = try AutomationDecoder.automation(json, entities: entities, roles: roles, rules: rules)
        guard !automations.contains(where: { $0.name == automation.name }) else {
            throw .definitionConflict(.alreadyExists(.automation, automation.name), code: "duplicate")
        }
        return MetadataChange(
            entities: entities, steps: [], action: "automation.create", target: automation.name, automations: automations + [automation])
    }

    /// Several automations at once (a pack); names already taken are refused.
    public static func createAll(
        _ new: [AutomationDefinition], automations: [AutomationDefinition], change: MetadataChange
    ) throws(TesseraError) -> MetadataChange {
        let clashes = new.map(\.name).filter { name in automations.contains { $0.name == name } }
        guard clashes.isEmpty else {
            throw .definitionConflict(.alreadyExistAll(.automation, clashes), code: "duplicate")
        }
        var change = change
        change.automations = automations + new
        return change
    }

    /// Top-level members of the body replace the automation's (e.g. `{"active":false}`); `name` cannot change.
    public static func patch(
        _ name: String, _ json: JSONValue, entities: [EntityDefinition], roles: [String], rules: [AssignmentRule] = [],
        automations: [AutomationDefinition]
    ) throws(TesseraError) -> MetadataChange {
        guard let index = automations.firstIndex(where: { $0.name == name }) else { throw .definitionNotFound(.noSuch(.automation, name)) }
        var updated = automations
        updated[index] = try AutomationDecoder.automation(
            try automations[index].json.patched(with: json, name: name, what: .automation),
            entities: entities, roles: roles, rules: rules)
        return MetadataChange(entities: entities, steps: [], action: "automation.update", target: name, automations: updated)
    }

    public static func delete(
        _ name: String, entities: [EntityDefinition], automations: [AutomationDefinition]
    ) throws(TesseraError) -> MetadataChange {
        guard let index = automations.firstIndex(where: { $0.name == name }) else { throw .definitionNotFound(.noSuch(.automation, name)) }
        var updated = automations
        updated.remove(at: index)
        return MetadataChange(entities: entities, steps: [], action: "automation.delete", target: name, automations: updated)
    }
}
