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
    /// The steps of an SLA trigger, each with its own actions (`actions` is then empty).
    public var steps: [SLAStep] = []
    public var active: Bool

    /// The timers a record's writes schedule for this automation (time, inactive and SLA triggers).
    public var timers: [AutomationTimer] {
        switch trigger {
        case .time(let field, let offset): TimeSpan.parse(offset).map { [AutomationTimer(field: field, span: $0)] } ?? []
        case .inactive(let field, let after): TimeSpan.parse(after).map { [AutomationTimer(field: field, span: $0)] } ?? []
        case .sla(let start, let stop): steps.indices.map { AutomationTimer(field: start, span: steps[$0].span, step: $0, stop: stop) }
        default: []
        }
    }

    /// The actions an event runs: an SLA step's, or the automation's.
    public func actions(step: Int?) -> [AutomationAction] {
        guard let step else { return actions }
        return steps.indices.contains(step) ? steps[step].actions : []
    }

    public var json: JSONValue {
        var m: [(String, JSONValue)] = [("name", .string(name))]
        if let label { m.append(("label", label.json)) }
        m.append(("entity", .string(entity)))
        m.append(("trigger", trigger.json))
        if let condition { m.append(("condition", .string(condition))) }
        if steps.isEmpty { m.append(("actions", .array(actions.map(\.json)))) } else { m.append(("steps", .array(steps.map(\.json)))) }
        m.append(("active", .bool(active)))
        return .object(m)
    }
}

/// What starts an automation.
public enum AutomationTrigger: Sendable, Equatable {
    case create
    /// Any change, or a change of one of `fields`; with `becomesTrue`, only when the condition
    /// holds after the write and did not before it.
    case update(fields: [String], becomesTrue: Bool)
    /// The stage field moved (optionally only from or to a given stage).
    case stageChange(from: String?, to: String?)
    case delete
    /// At a date or datetime field's value plus `offset` (`"-1d"`: a day before).
    case time(field: String, offset: String)
    /// When a date or datetime field is older than `after` (no activity since).
    case inactive(field: String, after: String)
    /// A service-level clock started by `start` (a datetime field) and stopped by `stop` (a field
    /// that becomes set: the response); each of the automation's `steps` runs at its mark unless
    /// the clock stopped first.
    case sla(start: String, stop: String)
    /// A cron schedule (`minute hour day-of-month month day-of-week`) in the tenant's time zone:
    /// at each tick the actions run for every record that meets the condition.
    case schedule(cron: String)

    /// The record event this trigger listens to (what the outbox records).
    public var event: RecordEvent {
        switch self {
        case .create: .create
        case .update, .stageChange: .update
        case .delete: .delete
        case .time, .inactive, .sla, .schedule: .timer
        }
    }

    var json: JSONValue {
        switch self {
        case .create: return .object([("on", "create")])
        case .delete: return .object([("on", "delete")])
        case .update(let fields, let becomesTrue):
            return .object(
                [("on", "update")] + (fields.isEmpty ? [] : [("fields", .array(fields.map(JSONValue.string)))])
                    + (becomesTrue ? [("becomes_true", true)] : []))
        case .stageChange(let from, let to):
            var m: [(String, JSONValue)] = [("on", "stage_change")]
            if let from { m.append(("from", .string(from))) }
            if let to { m.append(("to", .string(to))) }
            return .object(m)
        case .time(let field, let offset):
            return .object([("on", "time"), ("field", .string(field)), ("offset", .string(offset))])
        case .inactive(let field, let after):
            return .object([("on", "inactive"), ("field", .string(field)), ("after", .string(after))])
        case .sla(let start, let stop):
            return .object([("on", "sla"), ("start", .string(start)), ("stop", .string(stop))])
        case .schedule(let cron):
            return .object([("on", "schedule"), ("cron", .string(cron))])
        }
    }
}

/// A write to a record, as automations see it.
public enum RecordEvent: String, Sendable, CaseIterable {
    case create, update, delete
    /// A time trigger came due (scheduled by the record's writes, or a schedule's tick for this
    /// record), run against the record's current state.
    case timer
    /// A schedule came due: fan out one `timer` event per record that meets the condition.
    case tick
    /// A mark of an approval step's deadline came due (`step` is the mark; `new` names the approval
    /// and its step). Written by approvals, not by record writes.
    case approvalDeadline = "approval_deadline"
    /// A notice of an approval to send by email or to a channel (`new` holds what and to whom):
    /// written in the approval's transaction, sent by the worker with retries like any call out.
    case approvalNotice = "approval_notice"
}

/// A timer: due `span` after the field's value (fixed, or in the tenant's working days); for an
/// SLA, its step, and the field whose being set stops the clock.
public struct AutomationTimer: Sendable, Equatable {
    public var field: String
    public var span: TimeSpan
    public var step: Int? = nil
    public var stop: String? = nil
}

/// One mark of an SLA: `after` the clock started, unless it stopped, run the actions.
public struct SLAStep: Sendable, Equatable {
    public var after: String
    public var actions: [AutomationAction]

    /// The mark after the clock started.
    public var span: TimeSpan { TimeSpan.parse(after) ?? .fixed(0) }

    var json: JSONValue { .object([("after", .string(after)), ("actions", .array(actions.map(\.json)))]) }
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
    /// A message to the record's owner, their manager, or a role's members, in the in-app inbox or
    /// by email; or to one of the tenant's named channels (a webhook, a WeCom or DingTalk group robot).
    case notify(to: String?, channel: String, message: Label)
    /// Set fields of the record a relation field points to (a follow-up touching its customer).
    case updateRelated(relation: String, values: [(field: String, value: ActionValue)])
    /// Give the record an owner picked by an assignment rule.
    case assign(rule: String)
    /// Make the record read-only for everyone but its owner for `duration`.
    case lock(duration: String)
    /// Move the record's stage back to the one before it.
    case stageBack
    /// Up the owner's manager chain, `levels` steps or to the first manager holding `role`: tell
    /// that person, and put them in the user field `field` if one is named (which gives them the
    /// record under an `assigned` scope).
    case escalate(levels: Int, role: String?, field: String?, message: Label)
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
        case .notify(let to, let channel, let message):
            return .object(
                [("type", "notify")] + (to.map { [("to", JSONValue.string($0))] } ?? []) + [("channel", .string(channel)), ("message", message.json)])
        case .webhook(let url): return .object([("type", "webhook"), ("url", .string(url))])
        case .updateRelated(let relation, let pairs):
            return .object([("type", "update_related"), ("relation", .string(relation)), ("values", values(pairs))])
        case .assign(let rule): return .object([("type", "assign"), ("rule", .string(rule))])
        case .lock(let duration): return .object([("type", "lock"), ("duration", .string(duration))])
        case .stageBack: return .object([("type", "stage_back")])
        case .escalate(let levels, let role, let field, let message):
            var m: [(String, JSONValue)] = [("type", "escalate")]
            if let role { m.append(("role", .string(role))) } else { m.append(("levels", .number(levels))) }
            if let field { m.append(("field", .string(field))) }
            m.append(("message", message.json))
            return .object(m)
        }
    }
}
