/// One request's decision about one entity's records, made once from the caller's policy, the
/// entity model and the input: which fields the caller sees and may edit (and why), which rows
/// each action reaches, the checked writes, the checks the store must still run against the
/// database, and the side effects the write statement carries. The store runs it as it is.
public struct RecordPlan: Sendable {
    /// What the request does; each operation needs one record action of the caller's roles.
    public enum Operation: String, Sendable, CaseIterable {
        case list, read, create, update, delete, restore
        /// Taking a lock keeps others from changing the record: it needs the update scope.
        case lock

        public var action: RecordAction {
            switch self {
            case .list, .read: .read
            case .create: .create
            case .update, .lock: .update
            case .delete, .restore: .delete
            }
        }
    }

    /// What the write statement does besides writing the row (all in that one statement).
    public struct Effects: Sendable {
        /// Automations listening, by the record event they listen to (one outbox row each).
        public let events: [RecordEvent: [String]]
        /// Time triggers whose timers the write (re)schedules.
        public let timers: [ScheduledTimer]
        /// The stage field whose moves the stage history records.
        public let stageField: String?
        /// Whether the write must read the current row and check rules and stage gates first.
        public let checksRules: Bool
    }

    public let operation: Operation
    public let model: EntityModel
    public let tenant: Tenant
    public let actor: RecordActor
    /// The caller's roles on the entity; nil for admins and the system's own work.
    let access: AccessPolicy.EntityAccess?
    /// Fields the caller may not see: absent from records, filters, `select=`, `where=` and history.
    public let hidden: Set<String>
    /// Rows each action reaches; an action that reaches every row has no entry.
    public let scopes: [RecordAction: RowScope]
    /// The checked bodies of a create or update (one per record; problems kept with each).
    public internal(set) var writes: [RecordWrite] = []
    /// Owners the writes give records to, each to be checked against the action's scope (a rep
    /// cannot hand a record to someone outside their reach, nor create one for them).
    public internal(set) var ownerChecks: [String] = []
    public let effects: Effects
    /// The entity's forms offered to the caller's roles: the one that applies at the record's
    /// stage binds their writes. Empty for automations, which act for the tenant.
    public let forms: [CompiledForm]
    /// One clock reading, the caller and the zone: what formulas, rules and `where=` read.
    public let environment: ExpressionEnvironment

    public var entity: EntityDefinition { model.definition }

    /// The rows `action` reaches; nil when it reaches every row.
    public func scope(_ action: RecordAction) -> RowScope? { scopes[action] }

    /// The entity as this caller sees it: what queries are parsed against.
    public var visibleEntity: EntityDefinition { Self.visible(entity, hiding: hidden) }

    /// The columns of the caller's records, in order: system columns, then the visible fields.
    public var columns: [String] { SystemColumn.names + entity.fields.map(\.name).filter { !hidden.contains($0) } }

    /// The columns a record's JSON holds when fields are hidden or the table keeps removed
    /// fields' columns (nil: the whole row).
    public var visibleColumns: [String]? { hidden.isEmpty && !model.holdsRetainedColumns ? nil : columns }

    /// Every field of the entity, in definition order (derived when asked: most requests only need `hidden`).
    public var fields: [FieldPlan] { entity.fields.map { Self.fieldPlan($0, access: access, hidden: hidden, person: actor.isPerson) } }

    public func field(_ name: String) -> FieldPlan? {
        entity.field(name).map { Self.fieldPlan($0, access: access, hidden: hidden, person: actor.isPerson) }
    }
}
