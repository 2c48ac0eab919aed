/// Which records of an entity an action may touch, from nothing to everything.
public enum RecordScope: String, Sendable, Hashable, CaseIterable, Comparable {
    case none
    /// Records the user owns.
    case own
    /// Records the user owns or is named in by a `user` field (pre-sales, delivery).
    case assigned
    /// Records owned by anyone in the user's team.
    case team
    /// Records owned by the user or anyone below them in the manager hierarchy.
    case subordinates
    case all

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: RecordScope, rhs: RecordScope) -> Bool { lhs.rank < rhs.rank }
}

/// The record actions a role grants per entity.
public enum RecordAction: String, Sendable, Hashable, CaseIterable {
    case create, read, update, delete
}

/// What a role may do with one field: nothing (the field is absent), read it, or also change it.
public enum FieldAccess: String, Sendable, Hashable, CaseIterable, Comparable {
    case none, read, edit

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: FieldAccess, rhs: FieldAccess) -> Bool { lhs.rank < rhs.rank }
}

/// Permissions beyond records.
public enum SpecialPermission: String, Sendable, Hashable, CaseIterable {
    case manageMetadata = "manage_metadata"
    case manageUsers = "manage_users"
    /// Bulk creates (arrays of records).
    case `import`
    case export
}
