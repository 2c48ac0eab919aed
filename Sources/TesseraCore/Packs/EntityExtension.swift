/// Fields and rules a pack adds to an entity of a pack it requires (`extensions/<entity>.yaml`):
/// a CRM pack adding churn flags to the sales pack's customer. Installing it adds them to the
/// tenant's entity; the extended entity's own fields and rules stay as they are.
public struct EntityExtension: Sendable, Equatable {
    public var entity: String
    public var fields: [FieldDefinition]
    public var rules: [ValidationRule]

    /// Decodes `{entity, fields, rules}` against the entity it extends: the fields must be new to
    /// it, and the extended entity must hold as a whole (rules may use the new fields).
    static func decode(_ json: JSONValue, entities: [EntityDefinition], knownEntities: Set<String>) throws(TesseraError) -> EntityExtension {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "", problems: &problems) else { throw .invalidMetadata(problems) }
        reader.rejectUnknown(allowed: ["entity", "fields", "rules"])
        let name = reader.string("entity") ?? ""
        let fields = reader.raw("fields")?.arrayValue ?? []
        let rules = reader.raw("rules")?.arrayValue ?? []
        problems += reader.problems
        guard let base = entities.first(where: { $0.name == name }) else {
            throw .invalidMetadata(
                problems + [.init(field: "entity", rule: "unknown_entity", message: "'\(name)' is not an entity of a required pack")])
        }
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        let extended = try Self.extended(base, fields: fields, rules: rules, knownEntities: knownEntities)
        let fieldNames = Set(fields.compactMap { $0["name"]?.stringValue }), ruleNames = Set(rules.compactMap { $0["name"]?.stringValue })
        return EntityExtension(
            entity: name, fields: extended.fields.filter { fieldNames.contains($0.name) },
            rules: extended.rules.filter { ruleNames.contains($0.name) })
    }

    /// `entity` with the extension's fields and rules after its own, checked as a whole; a field
    /// or rule the entity already has by that name is a 409 naming each.
    public func applied(to entity: EntityDefinition, knownEntities: Set<String>) throws(TesseraError) -> EntityDefinition {
        try Self.extended(entity, fields: fields.map(\.json), rules: rules.map(\.json), knownEntities: knownEntities)
    }

    static func extended(
        _ base: EntityDefinition, fields: [JSONValue], rules: [JSONValue], knownEntities: Set<String>
    ) throws(TesseraError) -> EntityDefinition {
        let clashes =
            fields.compactMap { $0["name"]?.stringValue }.filter { base.field($0) != nil }.map { "\(base.name).\($0)" }
            + rules.compactMap { $0["name"]?.stringValue }.filter { base.rule($0) != nil }.map { "\(base.name).rules.\($0)" }
        guard clashes.isEmpty else {
            throw .definitionConflict(.extensionClashes(clashes), code: "extension_collision")
        }
        guard case .object(var members) = base.json else { throw .internal() }
        func append(_ key: String, _ items: [JSONValue]) {
            guard !items.isEmpty else { return }
            if let i = members.firstIndex(where: { $0.0 == key }) {
                members[i].1 = .array((members[i].1.arrayValue ?? []) + items)
            } else {
                members.append((key, .array(items)))
            }
        }
        append("fields", fields)
        append("rules", rules)
        return try MetadataDecoder.entity(.object(members), knownEntities: knownEntities)
    }

    /// The extension as part of a pack's own copy of its objects: the entity with only what the
    /// pack adds (an upgrade merges those fields and rules, and leaves the rest to its owner).
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("name", .string(entity)), ("fields", .array(fields.map(\.json)))]
        if !rules.isEmpty { members.append(("rules", .array(rules.map(\.json)))) }
        return .object(members)
    }
}
