/// A saved way of looking at one entity's records (a list, a kanban board, a calendar): shared
/// with roles by those who manage metadata, or one user's own.
public struct ViewDefinition: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case list, kanban, calendar
    }

    /// A field shown, with the width a UI should give it (pixels), if the designer chose one.
    public struct Column: Sendable, Equatable {
        public let field: String
        public let width: Int?
    }

    public struct SortKey: Sendable, Equatable {
        public let field: String
        public let descending: Bool
    }

    /// A figure per lane or group besides its count: `sum(amount)`.
    public struct Aggregate: Sendable, Equatable {
        public enum Function: String, Sendable, CaseIterable {
            case sum, avg, min, max
        }

        public let function: Function
        public let field: String

        /// The name the figure has in responses: `sum_amount`.
        public var key: String { "\(function.rawValue)_\(field)" }
    }

    /// One PostgREST filter the view always applies (`status` → `eq.new`).
    public struct FilterText: Sendable, Equatable {
        public let field: String
        public let text: String
    }

    public let name: String
    public let label: Label?
    public let entity: String
    public let kind: Kind
    /// Fields shown: a list's or calendar's columns, a kanban card's fields.
    public let columns: [Column]
    /// An expression over `record` (it may read `user` and `now()`).
    public let filter: String?
    public let filters: [FilterText]
    public let sort: [SortKey]
    public let pageSize: Int
    /// The author of a personal view (a lowercase UUID); nil for a shared view.
    public let owner: String?
    /// Roles a shared view is offered to; empty means every role.
    public let roles: [String]
    public let isDefault: Bool
    /// A list's grouping field (counts per group).
    public let groupBy: String?
    /// A kanban board's lane field.
    public let lanes: String?
    /// A kanban lane's (or a list group's) figure besides its count.
    public let aggregate: Aggregate?
    /// A calendar's date fields; `end` absent means each record is one point in time.
    public let start: String?
    public let end: String?
    /// The definition as stored and served.
    public let json: JSONValue

    public var isShared: Bool { owner == nil }

    /// What it is stored under: shared views by name, personal ones by author and name, so two
    /// users' views never clash and a personal view may take a shared view's name.
    public var key: String { Self.key(name: name, owner: owner) }

    public static func key(name: String, owner: String?) -> String { owner.map { "\($0)/\(name)" } ?? name }

    /// Every field the view reads (its columns, filter fields aside): what a field change must keep.
    public var fieldsUsed: [String] {
        var names = columns.map(\.field) + filters.map(\.field) + sort.map(\.field)
        names += [groupBy, lanes, aggregate?.field, start, end].compactMap { $0 }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// Whether a caller with these roles is offered the view: their own, or shared with one of
    /// their roles (or with all); those who manage metadata see every shared view.
    public func isOffered(to userID: String, roles callerRoles: [String], managesMetadata: Bool) -> Bool {
        if let owner { return owner == userID }
        return managesMetadata || roles.isEmpty || roles.contains(where: callerRoles.contains)
    }

    /// Whether this and `other` claim the default of the same entity for a common audience.
    func defaultOverlaps(_ other: ViewDefinition) -> Bool {
        guard isDefault, other.isDefault, entity == other.entity, key != other.key, owner == other.owner else { return false }
        if owner != nil { return true }
        return roles.isEmpty || other.roles.isEmpty || roles.contains(where: other.roles.contains)
    }
}
