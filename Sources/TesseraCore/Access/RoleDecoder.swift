/// Reads and checks a role from its JSON (or pack YAML) form against the tenant's entities.
public enum RoleDecoder {
    /// The key that stands for every entity a role does not list by name.
    public static let everyEntity = "*"

    public static func role(_ json: JSONValue, entities: [EntityDefinition]) throws(TesseraError) -> RoleDefinition {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "", problems: &problems) else { throw .invalidMetadata(problems) }
        reader.rejectUnknown(allowed: ["name", "label", "default", "permissions", "special"])
        let name = reader.string("name") ?? ""
        if !APIName.isValid(name) { reader.fail("name", rule: "name", .nameMustMatch) }
        if name == RoleDefinition.adminName {
            reader.fail("name", rule: "reserved", .adminReserved)
        }
        let label = reader.label("label")
        let isDefault = reader.bool("default") ?? false
        var special: Set<SpecialPermission> = []
        for value in reader.stringArray("special") ?? [] {
            if let s = SpecialPermission(rawValue: value) {
                special.insert(s)
            } else {
                reader.fail("special", rule: "enum", .about("special", .notOneOf(value, SpecialPermission.allCases.map(\.rawValue))))
            }
        }
        var permissions: [String: RoleDefinition.EntityPermission] = [:]
        if let raw = reader.raw("permissions"), !raw.isNull {
            if case .object(let members) = raw {
                let byName = Dictionary(entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
                for (entityName, value) in members {
                    let path = "permissions.\(entityName)"
                    let entity = byName[entityName]
                    if entity == nil, entityName != everyEntity {
                        problems.append(.definition(field: path, rule: "unknown_entity", .about(path, .noEntity(entityName))))
                        continue
                    }
                    if let permission = Self.permission(value, entity: entity, path: path, problems: &problems) {
                        permissions[entityName] = permission
                    }
                }
            } else {
                reader.fail("permissions", rule: "type", .permissionsShape)
            }
        }
        problems = reader.problems + problems
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        return RoleDefinition(name: name, label: label, isDefault: isDefault, permissions: permissions, special: special)
    }

    private static func permission(
        _ value: JSONValue, entity: EntityDefinition?, path: String, problems: inout [TesseraError.Detail]
    ) -> RoleDefinition.EntityPermission? {
        guard var reader = ObjectReader(value, path: path, problems: &problems) else { return nil }
        reader.rejectUnknown(allowed: Set(RecordAction.allCases.map(\.rawValue) + ["fields"]))
        let scopeNames = RecordScope.allCases.map(\.rawValue).joined(separator: "|")
        var scopes: [RecordAction: RecordScope] = [:]
        for action in RecordAction.allCases {
            // Every action has a scope, so equal roles compare equal however they were written.
            scopes[action] = RecordScope.none
            guard let text = reader.string(action.rawValue) else { continue }
            guard let scope = RecordScope(rawValue: text) else {
                reader.fail(action.rawValue, rule: "enum", .mustBeOneOf(reader.at(action.rawValue), scopeNames))
                continue
            }
            if action == .create, scope == .assigned {
                reader.fail(action.rawValue, rule: "enum", .about(reader.at(action.rawValue), .assignedNotCreate))
            }
            scopes[action] = scope
        }
        var fields: [String: FieldAccess] = [:]
        if let raw = reader.raw("fields"), !raw.isNull {
            if case .object(let members) = raw {
                for (fieldName, access) in members {
                    let at = reader.at("fields.\(fieldName)")
                    if let entity, entity.field(fieldName) == nil {
                        reader.fail("fields.\(fieldName)", rule: "unknown_field", .about(at, .entityLacksField(entity.name, fieldName)))
                    } else if entity == nil {
                        reader.fail("fields.\(fieldName)", rule: "unknown_field", .about(at, .fieldAccessNeedsEntity))
                    } else if case .string(let s) = access, let level = FieldAccess(rawValue: s) {
                        fields[fieldName] = level
                    } else {
                        reader.fail("fields.\(fieldName)", rule: "enum", .mustBeOneOf(at, "none|read|edit"))
                    }
                }
            } else {
                reader.fail("fields", rule: "type", .fieldAccessShape(reader.at("fields")))
            }
        }
        problems += reader.problems
        return RoleDefinition.EntityPermission(scopes: scopes, fields: fields)
    }
}
