/// What one caller may do with one field of an entity, and why: the answer forms, writes and
/// responses all read.
public struct FieldPlan: Sendable, Equatable {
    /// Why a field is not visible, not editable, or required.
    public enum Reason: String, Sendable, Equatable {
        /// A role hides the field: it is absent from records, filters and history.
        case hiddenByRole = "hidden_by_role"
        /// A formula that reads a hidden field would give the hidden value away.
        case readsHiddenField = "reads_hidden_field"
        /// The roles let the caller read the field but not change it.
        case readOnlyByRole = "read_only_by_role"
        /// The field is `read_only`: only automations and approval steps write it.
        case keptByProcess = "kept_by_process"
        /// Computed by the server (formula) or numbered by it (auto_number).
        case computed
    }

    public let name: String
    public let visible: Bool
    public let editable: Bool
    /// Required by the field's definition (stage gates and rules add conditions of their own).
    public let required: Bool
    /// Set whenever the field is not both visible and editable.
    public let reason: Reason?

    public init(name: String, visible: Bool, editable: Bool, required: Bool, reason: Reason?) {
        self.name = name
        self.visible = visible
        self.editable = editable
        self.required = required
        self.reason = reason
    }

    /// Whether the caller's roles, not the field's nature, keep the caller from writing it (403).
    public var refusedByRoles: Bool { reason != nil && reason != .computed && reason != .keptByProcess }
}
