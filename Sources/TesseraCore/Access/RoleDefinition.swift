/// A role: per-entity record scopes and field access, plus special permissions. Defined by packs
/// and edited by tenant admins at `/api/v1/meta/roles`; a user with several roles gets the union.
public struct RoleDefinition: Sendable, Equatable {
    /// What one role may do with one entity.
    public struct EntityPermission: Sendable, Equatable {
        public var scopes: [RecordAction: RecordScope]
        /// Fields the role may not edit (`read`) or not see (`none`); others are editable.
        public var fields: [String: FieldAccess]

        public init(scopes: [RecordAction: RecordScope], fields: [String: FieldAccess] = [:]) {
            self.scopes = scopes
            self.fields = fields
        }

        public func scope(_ action: RecordAction) -> RecordScope { scopes[action] ?? .none }

        var json: JSONValue {
            var m: [(String, JSONValue)] = RecordAction.allCases.map { ($0.rawValue, .string(scope($0).rawValue)) }
            if !fields.isEmpty { m.append(("fields", .object(fields.keys.sorted().map { ($0, .string(fields[$0]!.rawValue)) }))) }
            return .object(m)
        }
    }

    public var name: String
    public var label: Label
    /// Given to users created without roles, so a new user can work at once.
    public var isDefault: Bool
    /// Entity name → permission; entities not listed are out of reach.
    public var permissions: [String: EntityPermission]
    public var special: Set<SpecialPermission>

    public init(
        name: String, label: Label? = nil, isDefault: Bool = false, permissions: [String: EntityPermission] = [:],
        special: Set<SpecialPermission> = []
    ) {
        self.name = name
        self.label = label ?? Label(en: name)
        self.isDefault = isDefault
        self.permissions = permissions
        self.special = special
    }

    /// The built-in tenant administrator: everything, on every entity. It cannot be changed or deleted.
    public static let adminName = "admin"
    public static let admin = RoleDefinition(name: adminName, label: Label(en: "Tenant admin", zh: "租户管理员"), special: Set(SpecialPermission.allCases))

    public var json: JSONValue {
        var m: [(String, JSONValue)] = [("name", .string(name)), ("label", label.json)]
        if isDefault { m.append(("default", .bool(true))) }
        if name == Self.adminName {
            m.append(("permissions", .string("all")))
        } else {
            m.append(("permissions", .object(permissions.keys.sorted().map { ($0, permissions[$0]!.json) })))
        }
        m.append(("special", .array(special.map(\.rawValue).sorted().map(JSONValue.string))))
        return .object(m)
    }
}
