/// What a metadata change does: the tenant's complete new entity list and the schema steps,
/// and the complete new role list when roles change (nil: roles as they are).
public struct MetadataChange: Sendable {
    public var entities: [EntityDefinition]
    public var steps: [SchemaChange]
    public var action: String
    public var target: String
    public var roles: [RoleDefinition]?
    /// The complete new automation list when automations change.
    public var automations: [AutomationDefinition]?
    /// The complete new assignment-rule list when rules change.
    public var assignmentRules: [AssignmentRule]?
    /// The complete new view list when views change.
    public var views: [ViewDefinition]?
    /// The complete new form list when forms change.
    public var forms: [FormDefinition]?
    /// The complete new approval-process list when processes change.
    public var approvals: [ApprovalDefinition]?
    /// The complete new dashboard list when dashboards change.
    public var dashboards: [DashboardDefinition]?
    /// What the change does to the installed packs (nil: nothing).
    public var packs: PackChange?

    public init(
        entities: [EntityDefinition], steps: [SchemaChange], action: String, target: String, roles: [RoleDefinition]? = nil,
        automations: [AutomationDefinition]? = nil, assignmentRules: [AssignmentRule]? = nil, views: [ViewDefinition]? = nil,
        forms: [FormDefinition]? = nil
    ) {
        self.forms = forms
        self.assignmentRules = assignmentRules
        self.views = views
        self.entities = entities
        self.steps = steps
        self.action = action
        self.target = target
        self.roles = roles
        self.automations = automations
    }
}

/// Plans each metadata operation of the designer API against a tenant's current entities.
public enum MetadataChangePlanner {
    public static func createEntity(_ json: JSONValue, current: [EntityDefinition]) throws(TesseraError) -> MetadataChange {
        let names = Set(current.map(\.name))
        let entity = try MetadataDecoder.entity(json, knownEntities: names)
        guard !names.contains(entity.name) else { throw .definitionConflict(.alreadyExists(.entity, entity.name), code: "duplicate") }
        return MetadataChange(entities: current + [entity], steps: SchemaPlanner.createEntity(entity), action: "entity.create", target: entity.name)
    }

    /// Several entities at once (a pack): all tables first, then the foreign keys between them.
    public static func createEntities(
        _ entities: [EntityDefinition], current: [EntityDefinition], action: String, target: String
    ) throws(TesseraError) -> MetadataChange {
        let existing = Set(current.map(\.name))
        let clashes = entities.map(\.name).filter(existing.contains)
        guard clashes.isEmpty else {
            throw .definitionConflict(.alreadyExistAll(.entity, clashes), code: "duplicate")
        }
        var tables: [SchemaChange] = []
        var keys: [SchemaChange] = []
        for entity in entities {
            let split = SchemaPlanner.createEntityDeferringForeignKeys(entity)
            tables += split.tables
            keys += split.foreignKeys
        }
        return MetadataChange(entities: current + entities, steps: tables + keys, action: action, target: target)
    }

    public static func patchEntity(_ name: String, _ json: JSONValue, current: [EntityDefinition]) throws(TesseraError) -> MetadataChange {
        let index = try position(of: name, in: current)
        var entities = current
        entities[index] = try MetadataDecoder.patchedEntity(json, existing: current[index])
        return MetadataChange(entities: entities, steps: [], action: "entity.update", target: name)
    }

    public static func deleteEntity(_ name: String, current: [EntityDefinition]) throws(TesseraError) -> MetadataChange {
        let index = try position(of: name, in: current)
        let referrers = current.flatMap { entity in
            entity.fields.filter { $0.type == .relation && $0.target == name && entity.name != name }.map { "\(entity.name).\($0.name)" }
        }
        guard referrers.isEmpty else {
            throw .definitionConflict(.entityInUse(name, referrers: referrers), code: "entity_in_use")
        }
        var entities = current
        entities.remove(at: index)
        return MetadataChange(
            entities: entities, steps: [.checkRows(entity: name, check: .noRecords), .dropTable(entity: name)],
            action: "entity.delete", target: name)
    }

    public static func addField(to name: String, _ json: JSONValue, current: [EntityDefinition]) throws(TesseraError) -> MetadataChange {
        let index = try position(of: name, in: current)
        let field = try MetadataDecoder.newField(json, in: current[index], knownEntities: Set(current.map(\.name)))
        var entities = current
        entities[index].fields.append(field)
        return MetadataChange(
            entities: entities, steps: SchemaPlanner.addField(field, to: name), action: "field.create", target: "\(name).\(field.name)")
    }

    public static func patchField(
        _ fieldName: String, of name: String, _ json: JSONValue, current: [EntityDefinition]
    ) throws(TesseraError) -> MetadataChange {
        let index = try position(of: name, in: current)
        guard let fieldIndex = current[index].fields.firstIndex(where: { $0.name == fieldName }) else {
            throw .definitionNotFound(.entityHasNoField(name, fieldName))
        }
        let old = current[index].fields[fieldIndex]
        let new = try MetadataDecoder.patchedField(json, existing: old)
        var entities = current
        entities[index].fields[fieldIndex] = new
        var problems = MetadataDecoder.check(entities[index], knownEntities: Set(current.map(\.name)))
        problems = problems.filter { $0.field?.hasPrefix("fields[\(fieldIndex)]") ?? false }
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        let steps = try SchemaPlanner.changeField(from: old, to: new, in: name)
        return MetadataChange(entities: entities, steps: steps, action: "field.update", target: "\(name).\(fieldName)")
    }

    public static func deleteField(_ fieldName: String, of name: String, current: [EntityDefinition]) throws(TesseraError) -> MetadataChange {
        let index = try position(of: name, in: current)
        guard let fieldIndex = current[index].fields.firstIndex(where: { $0.name == fieldName }) else {
            throw .definitionNotFound(.entityHasNoField(name, fieldName))
        }
        var entities = current
        let field = entities[index].fields.remove(at: fieldIndex)
        if entities[index].titleField == fieldName { entities[index].titleField = nil }
        return MetadataChange(
            entities: entities, steps: SchemaPlanner.dropField(field, from: name), action: "field.delete", target: "\(name).\(fieldName)")
    }

    static func position(of name: String, in entities: [EntityDefinition]) throws(TesseraError) -> Int {
        guard let index = entities.firstIndex(where: { $0.name == name }) else { throw .notFound(.noEntity(name)) }
        return index
    }
}

/// Rule operations of the designer API: each is a metadata change like any other, so rules are
/// checked against the entity as it will be and saved in the same transaction as their index.
extension MetadataChangePlanner {
    public static func addRule(to name: String, _ json: JSONValue, current: [EntityDefinition]) throws(TesseraError) -> MetadataChange {
        let index = try position(of: name, in: current)
        let (decoded, problems) = RuleDecoder.decode(json)
        guard let rule = decoded else { throw .invalidMetadata(problems) }
        guard current[index].rule(rule.name) == nil else {
            throw .definitionConflict(.entityHasRule(name, rule.name), code: "duplicate_rule")
        }
        var entities = current
        entities[index].rules.append(rule)
        let steps: [SchemaChange] = rule.kind == .duplicate ? [.createMatchIndex(entity: name, rule: rule)] : []
        return MetadataChange(entities: entities, steps: steps, action: "rule.create", target: "\(name).\(rule.name)")
    }

    public static func patchRule(
        _ ruleName: String, of name: String, _ json: JSONValue, current: [EntityDefinition]
    ) throws(TesseraError) -> MetadataChange {
        let index = try position(of: name, in: current)
        guard let ruleIndex = current[index].rules.firstIndex(where: { $0.name == ruleName }) else {
            throw .definitionNotFound(.entityHasNoRule(name, ruleName))
        }
        let old = current[index].rules[ruleIndex]
        let new = try RuleDecoder.patched(json, existing: old)
        var entities = current
        entities[index].rules[ruleIndex] = new
        var steps: [SchemaChange] = []
        if old.kind == .duplicate, old.match != new.match || old.normalize != new.normalize {
            steps = [.dropMatchIndex(entity: name, rule: old.name), .createMatchIndex(entity: name, rule: new)]
        }
        return MetadataChange(entities: entities, steps: steps, action: "rule.update", target: "\(name).\(ruleName)")
    }

    public static func deleteRule(_ ruleName: String, of name: String, current: [EntityDefinition]) throws(TesseraError) -> MetadataChange {
        let index = try position(of: name, in: current)
        guard let ruleIndex = current[index].rules.firstIndex(where: { $0.name == ruleName }) else {
            throw .definitionNotFound(.entityHasNoRule(name, ruleName))
        }
        var entities = current
        let rule = entities[index].rules.remove(at: ruleIndex)
        let steps: [SchemaChange] = rule.kind == .duplicate ? [.dropMatchIndex(entity: name, rule: rule.name)] : []
        return MetadataChange(entities: entities, steps: steps, action: "rule.delete", target: "\(name).\(ruleName)")
    }
}
