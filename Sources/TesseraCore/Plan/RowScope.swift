/// The rows an action may touch when it may not touch them all: the owner is the caller, or a
/// member of the caller's team, or below them, or the caller is named in a `user` field. The
/// store renders it as a predicate on the row.
public struct RowScope: Sendable, Equatable {
    /// Never `.everything` (no scope is needed then) and possibly `.nothing`.
    public let reach: AccessPolicy.Reach
    /// The caller, as a lowercase UUID.
    public let userID: String
    /// The entity's `user` fields (scope `assigned`).
    public let assignedFields: [String]

    public init(reach: AccessPolicy.Reach, userID: String, assignedFields: [String]) {
        self.reach = reach
        self.userID = userID
        self.assignedFields = assignedFields
    }
}
