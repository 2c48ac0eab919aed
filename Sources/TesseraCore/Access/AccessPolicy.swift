/// What one user may do: the union of their roles. Scopes of different kinds (team, subordinates)
/// are not nested, so the union keeps each granted kind and the SQL ORs them.
public struct AccessPolicy: Sendable, Equatable {
    /// The scopes an action reaches on one entity.
    public struct Reach: Sendable, Equatable {
        /// Empty: nothing. Contains `.all`: everything (the others are then dropped).
        public var scopes: Set<RecordScope>

        public static let nothing = Reach(scopes: [])
        public static let everything = Reach(scopes: [.all])

        public var isNothing: Bool { scopes.isEmpty }
        public var isEverything: Bool { scopes.contains(.all) }

        mutating func add(_ scope: RecordScope) {
            guard scope != .none, !isEverything else { return }
            scopes = scope == .all ? [.all] : scopes.union([scope])
        }
    }

    /// What the user may do with one entity.
    public struct EntityAccess: Sendable, Equatable {
        public var reach: [RecordAction: Reach]
        /// Fields below `edit`; a field not listed is editable.
        public var fields: [String: FieldAccess]

        public static let nothing = EntityAccess(reach: [:], fields: [:])
        public static let everything = EntityAccess(
            reach: Dictionary(uniqueKeysWithValues: RecordAction.allCases.map { ($0, Reach.everything) }), fields: [:])

        public func reach(_ action: RecordAction) -> Reach { reach[action] ?? .nothing }
        public func field(_ name: String) -> FieldAccess { fields[name] ?? .edit }
        /// Fields the user may not see at all.
        public var hidden: Set<String> { Set(fields.filter { $0.value == .none }.keys) }
    }

    public let isAdmin: Bool
    public let special: Set<SpecialPermission>
    private let entities: [String: EntityAccess]
    /// From a `*` entry: entities a role does not name.
    private let others: EntityAccess

    /// The union of the named roles; names with no definition (a deleted role) grant nothing.
    public init(roles names: [String], definitions: [RoleDefinition]) {
        let byName = Dictionary(definitions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let granted = names.compactMap { $0 == RoleDefinition.adminName ? RoleDefinition.admin : byName[$0] }
        isAdmin = names.contains(RoleDefinition.adminName)
        special = granted.reduce(into: []) { $0.formUnion($1.special) }
        if isAdmin {
            entities = [:]
            others = .everything
            return
        }
        // `*` stands for every entity a role does not name, so each entity is folded per role.
        let named = Set(granted.flatMap { $0.permissions.keys }).subtracting([RoleDecoder.everyEntity])
        entities = Dictionary(
            uniqueKeysWithValues: named.map { entity in
                (entity, Self.union(granted.compactMap { $0.permissions[entity] ?? $0.permissions[RoleDecoder.everyEntity] }))
            })
        others = Self.union(granted.compactMap { $0.permissions[RoleDecoder.everyEntity] })
    }

    /// Scopes are added up per action; a field is restricted only as far as every role restricts it.
    static func union(_ permissions: [RoleDefinition.EntityPermission]) -> EntityAccess {
        guard !permissions.isEmpty else { return .nothing }
        var access = EntityAccess.nothing
        for action in RecordAction.allCases {
            var reach = Reach.nothing
            for permission in permissions { reach.add(permission.scope(action)) }
            access.reach[action] = reach
        }
        for name in Set(permissions.flatMap { $0.fields.keys }) {
            let level = permissions.map { $0.fields[name] ?? .edit }.max()!
            if level != .edit { access.fields[name] = level }
        }
        return access
    }

    public func entity(_ name: String) -> EntityAccess { entities[name] ?? others }

    public func has(_ permission: SpecialPermission) -> Bool { isAdmin || special.contains(permission) }
}
