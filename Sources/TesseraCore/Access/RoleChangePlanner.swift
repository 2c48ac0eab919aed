/// Plans the role operations of `/api/v1/meta/roles` against a tenant's current metadata.
public enum RoleChangePlanner {
    public static func create(_ json: JSONValue, entities: [EntityDefinition], roles: [RoleDefinition]) throws(TesseraError) -> MetadataChange {
        let role = try RoleDecoder.role(json, entities: entities)
        guard !roles.contains(where: { $0.name == role.name }) else {
            throw .definitionConflict(.alreadyExists(.role, role.name), code: "duplicate")
        }
        return MetadataChange(entities: entities, steps: [], action: "role.create", target: role.name, roles: roles + [role])
    }

    /// Several roles at once (a pack); names already taken are refused.
    public static func createAll(_ new: [RoleDefinition], roles: [RoleDefinition], change: MetadataChange) throws(TesseraError) -> MetadataChange {
        let clashes = new.map(\.name).filter { name in roles.contains { $0.name == name } }
        guard clashes.isEmpty else { throw .definitionConflict(.alreadyExistAll(.role, clashes), code: "duplicate") }
        var change = change
        change.roles = roles + new
        return change
    }

    /// Top-level members of the body replace the role's; `name` cannot change.
    public static func patch(
        _ name: String, _ json: JSONValue, entities: [EntityDefinition], roles: [RoleDefinition]
    ) throws(TesseraError) -> MetadataChange {
        let index = try position(name, roles)
        // The stored form of `permissions` is complete, so a patch replaces whole members.
        var updated = roles
        updated[index] = try RoleDecoder.role(try roles[index].json.patched(with: json, name: name, what: .role), entities: entities)
        return MetadataChange(entities: entities, steps: [], action: "role.update", target: name, roles: updated)
    }

    /// Users holding a deleted role keep its name, which then grants nothing.
    public static func delete(_ name: String, entities: [EntityDefinition], roles: [RoleDefinition]) throws(TesseraError) -> MetadataChange {
        let index = try position(name, roles)
        var updated = roles
        updated.remove(at: index)
        return MetadataChange(entities: entities, steps: [], action: "role.delete", target: name, roles: updated)
    }

    private static func position(_ name: String, _ roles: [RoleDefinition]) throws(TesseraError) -> Int {
        if name == RoleDefinition.adminName { throw TesseraError(status: 403, code: "forbidden", localized: DefinitionMessage.adminImmutable) }
        guard let index = roles.firstIndex(where: { $0.name == name }) else { throw .definitionNotFound(.noSuch(.role, name)) }
        return index
    }

    /// The role without references to entities or fields that no longer exist, so a later
    /// entity of the same name does not inherit old grants.
    public static func pruned(_ role: RoleDefinition, entities: [EntityDefinition]) -> RoleDefinition {
        let byName = Dictionary(entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var role = role
        var kept: [String: RoleDefinition.EntityPermission] = [:]
        for (name, permission) in role.permissions {
            if name == RoleDecoder.everyEntity { kept[name] = permission; continue }
            guard let entity = byName[name] else { continue }
            var p = permission
            p.fields = p.fields.filter { entity.field($0.key) != nil }
            kept[name] = p
        }
        role.permissions = kept
        return role
    }
}
