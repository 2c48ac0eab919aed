/// An approval process of one entity, as the designer API and packs describe it: when a record may
/// be submitted, which fields hold still while it is pending, the steps in order with who answers
/// each, and what approval and rejection do. Versioned: an edit makes a new version, and approvals
/// already running finish on the version they started on (they keep a copy of it).
public struct ApprovalDefinition: Sendable, Equatable {
    /// Where a step's approvers come from. In an `all` step each source is one party that must
    /// approve (any one of its people answers for it); in an `any` step the first answer settles it.
    public enum Approvers: Sendable, Equatable {
        /// Every active user holding the role.
        case role(String)
        /// The user a user field of the record names (`owner_id` included).
        case field(String)
        /// The record owner's manager, `levels` steps up (1: the direct manager).
        case manager(levels: Int)
        /// One named user (by id).
        case user(String)

        public var json: JSONValue {
            switch self {
            case .role(let role): .object([("role", .string(role))])
            case .field(let field): .object([("field", .string(field))])
            case .manager(let levels): .object([("manager", .number(levels))])
            case .user(let id): .object([("user", .string(id))])
            }
        }
    }

    /// How a step settles: `any` at the first answer, `all` when every party approved (or at the
    /// first rejection).
    public enum Mode: String, Sendable, Equatable {
        case any
        case all
    }

    /// One step of the chain.
    public struct Step: Sendable, Equatable {
        public let name: String
        public let label: Label?
        public let approvers: [Approvers]
        public let mode: Mode
        /// The step is passed over when this holds for the record as it is when the step is reached.
        public let skipWhen: String?
        /// Each approval records a signature over the record's version, void once the record changes.
        public let signature: Bool
        /// Marks after the step is entered, each with its actions (an SLA's steps): remind the
        /// approvers, escalate to their managers, set fields. A step answered in time runs none.
        public let deadline: [SLAStep]
        /// Run when the step is entered (not when it is skipped): e.g. set the record's state to
        /// "in finance review". The same actions as an outcome.
        public let onEnter: [AutomationAction]
    }

    /// A condition over other records that refuses submission while any record meets it: in
    /// `when`, `record` is the record submitted and `other` each record of `entity`.
    public struct Hold: Sendable, Equatable {
        public let name: String
        public let entity: String
        public let when: String
        /// Why submission is refused (a default names the hold).
        public let message: Label?
    }

    public let name: String
    public let label: Label?
    public let entity: String
    /// Counts edits: 1 when created, one more for every change.
    public let version: Int
    /// A record may be submitted only while this holds (nil: always).
    public let entryWhen: String?
    /// Fields nobody may change while an approval of this process is pending on the record.
    public let frozen: [String]
    public let steps: [Step]
    /// Submission is refused while any of these holds.
    public let holds: [Hold]
    /// Actions run when the last step approves, and when any step rejects (`set`, `create`,
    /// `update_related`, and `notify` to the inbox).
    public let onApprove: [AutomationAction]
    public let onReject: [AutomationAction]
    /// Run when the submitter recalls a pending approval (e.g. the state back to "not submitted").
    public let onRecall: [AutomationAction]
    /// Switched off, it takes no new submissions; running approvals go on.
    public let active: Bool
    /// The definition as stored and served.
    public let json: JSONValue

    public static func == (a: ApprovalDefinition, b: ApprovalDefinition) -> Bool { a.json == b.json }
}
