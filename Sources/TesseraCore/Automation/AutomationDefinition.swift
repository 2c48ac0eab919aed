/// An automation: when something happens to a record of `entity` (the trigger) and the condition
/// holds, run the actions in order. Defined by packs and tenant admins at `/api/v1/meta/automations`.
public struct AutomationDefinition: Sendable, Equatable {
    public var name: String
    public var label: Label?
    public var entity: String
    public var trigger: AutomationTrigger
    /// An expression over `record` (and `old` for updates) that must be true.
    public var condition: String?
    public var actions: [AutomationAction]
    public var active: Bool

    public var json: JSONValue {
        var m: [(String, JSONValue)] = [("name", .string(name))]
        if let label { m.append(("label", label.json)) }
        m.append(("entity", .string(entity)))
        m.append(("trigger", trigger.json))
        if let condition { m.append(("condition", .string(condition))) }
        m.append(("actions", .array(actions.map(\.json))))
        m.append(("active", .bool(active)))
        return .object(m)
    }
}

/// What starts an automation.
public enum AutomationTrigger: Sendable, Equatable {
    case create
    /// Any change, or a change of one of `fields`.
    case update(fields: [String])
    /// The stage field moved (optionally only from or to a given stage).
    case stageChange(from: String?, to: String?)
    case delete
    /// At a date or datetime field's value plus `offset` (`"-1d"`: a day before).
    case time(field: String, offset: String)
    /// When a date or datetime field is older than `after` (no activity since).
    case inactive(field: String, after: String)

    /// The record event this trigger listens to (what the outbox records).
    public var event: RecordEvent {
        switch self {
        case .create: .create
        case .update, .stageChange: .update
        case .delete: .delete
        case .time, .inactive: .timer
        }
    }

    /// For time triggers: the field and the offset from its value, in microseconds.
    public var timer: (field: String, offset: Int64)? {
        switch self {
        case .time(let field, let offset): DurationText.parse(offset).map { (field, $0) }
        case .inactive(let field, let after): DurationText.parse(after).map { (field, $0) }
        default: nil
        }
    }

    var json: JSONValue {
        switch self {
        case .create: return .object([("on", "create")])
        case .delete: return .object([("on", "delete")])
        case .update(let fields):
            return .object([("on", "update")] + (fields.isEmpty ? [] : [("fields", .array(fields.map(JSONValue.string)))]))
        case .stageChange(let from, let to):
            var m: [(String, JSONValue)] = [("on", "stage_change")]
            if let from { m.append(("from", .string(from))) }
            if let to { m.append(("to", .string(to))) }
            return .object(m)
        case .time(let field, let offset):
            return .object([("on", "time"), ("field", .string(field)), ("offset", .string(offset))])
        case .inactive(let field, let after):
            return .object([("on", "inactive"), ("field", .string(field)), ("after", .string(after))])
        }
    }
}

/// A write to a record, as automations see it.
public enum RecordEvent: String, Sendable, CaseIterable {
    case create, update, delete
    /// A time trigger came due (scheduled by the record's writes, run against its current state).
    case timer
}

/// A value an action writes: a constant, or an expression over the triggering record.
public enum ActionValue: Sendable, Equatable {
    case constant(JSONValue)
    case expression(String)

    var json: JSONValue {
        switch self {
        case .constant(let v): v
        case .expression(let e): .object([("expression", .string(e))])
        }
    }
}

/// One step of an automation.
public enum AutomationAction: Sendable, Equatable {
    /// Set fields of the triggering record.
    case set([(field: String, value: ActionValue)])
    /// Create a record of another (or the same) entity.
    case create(entity: String, values: [(field: String, value: ActionValue)])
    /// A message to a user's in-app inbox: the record's owner, their manager, or a role's members.
    case notify(to: String, message: Label)
    /// POST the event to a URL, signed (HMAC-SHA256 with the tenant's webhook secret) and with an
    /// idempotency key, so receivers can verify it and drop repeats.
    case webhook(url: String)

    public static func == (lhs: AutomationAction, rhs: AutomationAction) -> Bool {
        JSONWriter.string(lhs.json) == JSONWriter.string(rhs.json)
    }

    var json: JSONValue {
        func values(_ pairs: [(field: String, value: ActionValue)]) -> JSONValue { .object(pairs.map { ($0.field, $0.value.json) }) }
        switch self {
        case .set(let pairs): return .object([("type", "set"), ("values", values(pairs))])
        case .create(let entity, let pairs): return .object([("type", "create"), ("entity", .string(entity)), ("values", values(pairs))])
        case .notify(let to, let message):
            return .object([("type", "notify"), ("to", .string(to)), ("channel", "inbox"), ("message", message.json)])
        case .webhook(let url): return .object([("type", "webhook"), ("url", .string(url))])
        }
    }
}
