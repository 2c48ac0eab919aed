import Foundation
public import Logging
public import PostgresNIO
public import TesseraCore
public import TesseraStore

/// Runs one outbox event: in one transaction it locks the event, checks the trigger and the
/// condition, runs the actions and marks the event done, so their effects and the event's end
/// commit together. A failure rolls all of it back and is recorded for a retry with backoff;
/// after the last attempt, or for failures a retry cannot heal, the event is dead-lettered.
public struct EventProcessor: Sendable {
    let client: DatabasePool
    let metadata: MetadataCache
    let records: RecordStore
    let users: UserStore
    let outbox: OutboxStore
    let settings: TenantSettingsStore
    let assignments: AssignmentStore
    let locks: RecordLockStore
    let webhooks: WebhookSender
    let channels: ChannelSender
    let clock: AutomationClock
    /// Base of the retry backoff, in seconds (see `OutboxStore.fail`).
    let retryBase: Double
    let logger: Logger

    /// Automation steps one original write may cause; beyond it a loop is stopped.
    public static let maxDepth = 8
    /// The author of automation writes in history (`by`); `via` names the automation.
    static let systemUser = Caller.systemUserID

    public init(
        client: DatabasePool, metadata: MetadataCache, records: RecordStore, users: UserStore, outbox: OutboxStore, settings: TenantSettingsStore,
        locks: RecordLockStore, webhooks: WebhookSender, clock: AutomationClock = AutomationClock(), retryBase: Double = 5, logger: Logger
    ) {
        self.assignments = AssignmentStore(logger: logger)
        self.channels = ChannelSender(http: webhooks)
        self.locks = locks
        self.client = client
        self.metadata = metadata
        self.records = records
        self.users = users
        self.outbox = outbox
        self.settings = settings
        self.webhooks = webhooks
        self.clock = clock
        self.retryBase = retryBase
        self.logger = logger
    }

    /// Processes the tenant's oldest due event; false when none is due.
    public func processNext(_ tenant: Tenant) async throws -> Bool {
        let started = Date()
        return try await client.withTransaction(logger: logger) { connection in
            guard let event = try await outbox.claim(tenant, now: clock.now(), on: connection) else { return false }
            // The event stays locked to the end; a failure undoes only the actions' effects, and
            // the failure is recorded in the same transaction (no other worker can take the event
            // between the rollback and the record).
            try await connection.query("SAVEPOINT automation_event", logger: logger)
            do {
                let current = try await metadata.metadata(for: tenant)
                if event.event == .approvalDeadline || event.event == .approvalNotice {
                    let detail =
                        event.event == .approvalDeadline
                        ? try await approvalDeadline(event, current, on: connection) : try await approvalNotice(event, current, on: connection)
                    try await outbox.finish(
                        tenant, event, outcome: detail == nil ? .skipped : .ok, startedAt: started, detail: detail, on: connection)
                    return true
                }
                guard let automation = current.automation(event.automation) else {
                    try await outbox.finish(
                        tenant, event, outcome: .skipped, startedAt: started,
                        detail: .object([("reason", "the automation was deleted or switched off")]), on: connection)
                    return true
                }
                let detail = try await run(automation, event, current, on: connection)
                try await outbox.finish(tenant, event, outcome: detail == nil ? .skipped : .ok, startedAt: started, detail: detail, on: connection)
            } catch {
                // Shutting down is not the event's fault: roll back and leave it, untouched, to
                // the next worker (of this instance or another).
                if error is CancellationError || Task.isCancelled { throw error }
                let failure: AutomationFailure =
                    switch error {
                    case let failure as AutomationFailure: failure
                    case let error as TesseraError: AutomationFailure(message: "\(error.code): \(error.message)", permanent: error.status < 500)
                    default: AutomationFailure(message: String(describing: error), permanent: false)
                    }
                try await connection.query("ROLLBACK TO SAVEPOINT automation_event", logger: logger)
                let outcome = try await outbox.fail(
                    tenant, event, error: failure.message, permanent: failure.permanent, startedAt: started,
                    retryBase: retryBase, on: connection)
                logger.warning(
                    "Automation failed",
                    metadata: [
                        "tenant": "\(tenant.slug)", "automation": "\(event.automation)",
                        "event": "\(event.id)", "outcome": "\(outcome.rawValue)", "error": "\(failure.message)",
                    ])
            }
            return true
        }
    }

    /// Whether the tenant has an event due now (a cheap probe before claiming).
    public func hasDue(_ tenant: Tenant) async throws -> Bool {
        try await outbox.hasDue(tenant, now: clock.now())
    }

    /// Events claimed together by `processBatch`.
    public static let batchSize = 50

    /// Runs up to `batchSize` due events of the tenant in one transaction (two statements to claim
    /// and finish them all, plus their actions'), which is what makes thousands a second possible.
    /// Webhooks are left to the one-by-one path, and if any event of the batch fails the whole
    /// batch is rolled back and its events go through `processNext`, which records each failure.
    /// Returns how many events were handled.
    public func processBatch(_ tenant: Tenant) async throws -> Int {
        let started = Date()
        struct BatchFailed: Error { let count: Int }
        do {
            return try await client.withTransaction(logger: logger) { connection in
                let events = try await outbox.claim(tenant, limit: Self.batchSize, now: clock.now(), on: connection)
                guard !events.isEmpty else { return 0 }
                let current = try await metadata.metadata(for: tenant)
                var results: [(outcome: OutboxStore.Outcome, detail: JSONValue?)] = []
                for event in events {
                    // Approval deadlines and notices are few (and notices call out): they go one by one.
                    if event.event == .approvalDeadline || event.event == .approvalNotice { throw BatchFailed(count: events.count) }
                    guard let automation = current.automation(event.automation) else {
                        results.append((.skipped, .object([("reason", "the automation was deleted or switched off")])))
                        continue
                    }
                    // Calls out of the database go one by one (see `processNext`), so a failure retries only its own event.
                    if Self.callsOut(automation.definition.actions(step: event.step)) || event.event == .tick {
                        throw BatchFailed(count: events.count)
                    }
                    do {
                        let detail = try await run(automation, event, current, on: connection)
                        results.append((detail == nil ? .skipped : .ok, detail))
                    } catch {
                        if error is CancellationError || Task.isCancelled { throw error }
                        throw BatchFailed(count: events.count)
                    }
                }
                try await outbox.finish(tenant, events, results: results, startedAt: started, on: connection)
                return events.count
            }
        } catch {
            guard let failed = (error as? BatchFailed) ?? ((error as? PostgresTransactionError)?.closureError as? BatchFailed) else { throw error }
            var handled = 0
            while handled < failed.count, try await processNext(tenant) { handled += 1 }
            return handled
        }
    }

    /// What webhooks and webhook channels receive about an event.
    func payload(_ automation: AutomationDefinition, _ event: OutboxStore.Event, _ tenant: Tenant, message: Label?) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("event_id", .number(Int(event.id))), ("automation", .string(automation.name)), ("tenant", .string(tenant.slug)),
            ("entity", .string(event.entity)), ("event", .string(event.event.rawValue)), ("record_id", .string(event.recordID)),
            ("record", event.new), ("old", event.old ?? .null),
        ]
        if let message { members.append(("message", message.json)) }
        return .object(members)
    }

    /// A notification as text: the message, then which record it is about.
    static func text(_ message: Label, model: EntityModel, record: JSONValue) -> String {
        let title = model.definition.titleField.flatMap { record[$0]?.stringValue }
        let id = record["id"]?.stringValue ?? ""
        return "\(message.zhFirst)\n\(model.definition.label.zhFirst): \(title.map { "\($0) (\(id))" } ?? id)"
    }

    /// Whether actions reach outside the database (webhooks, channels, email).
    static func callsOut(_ actions: [AutomationAction]) -> Bool {
        actions.contains { action in
            switch action {
            case .webhook: true
            case .notify(_, let channel, _): channel != "inbox"
            default: false
            }
        }
    }

    /// A date or datetime value as microseconds (a date at midnight in the tenant's zone).
    static func instant(_ value: JSONValue?, type: FieldType, zone: TimeZoneRules) -> Int64? {
        guard let text = value?.stringValue else { return nil }
        if type == .date {
            guard let days = TimeText.parseDate(text) else { return nil }
            return zone.midnight(days)
        }
        return TimeText.parseTimestamp(text)
    }

    /// The plan of an automation's read or write: the system's own work, which no role limits.
    func plan(_ operation: RecordPlan.Operation, _ caller: Caller, _ model: EntityModel, _ writes: [RecordWrite] = []) throws -> RecordPlan {
        var plan = try RecordPlan(operation, caller: caller, model: model)
        plan.take(writes)
        return plan
    }

    /// The actions' summary, or nil when the trigger's filter or the condition does not hold.
    func run(
        _ compiled: CompiledAutomation, _ event: OutboxStore.Event, _ metadata: TenantMetadata, on connection: PostgresConnection
    ) async throws -> JSONValue? {
        let automation = compiled.definition
        let tenant = metadata.tenant
        let model = try metadata.model(event.entity)
        var caller = Caller(tenant: tenant, userID: Self.systemUser, keyID: Self.systemUser, roles: [])
        caller.automation = automation.name
        caller.automationDepth = event.depth + 1
        let now = clock.now()
        let timeZone = TimeZoneRules(identifier: tenant.timeZone) ?? .utc
        if event.event == .tick { return try await tick(compiled, model, metadata, now: now, timeZone: timeZone, on: connection) }
        var current = event.new
        if event.event == .timer {
            // A timer runs against the record as it is now, and only if its field still says it is due
            // (a later write scheduled a newer timer and removed this one, unless they crossed) and,
            // for an SLA, the clock has not been stopped by the response.
            guard let json = try? await records.get(try plan(.read, caller, model), id: event.recordID, transaction: connection).json else {
                return nil
            }
            current = try JSONParser.parse(json)
            if case .schedule = automation.trigger {
            } else {
                guard let timer = automation.timers.first(where: { $0.step == event.step }),
                    let column = Column.resolve(timer.field, in: model.definition),
                    let start = Self.instant(current[timer.field], type: column.type, zone: timeZone)
                else { return nil }
                if let stop = timer.stop, let value = current[stop], !value.isNull { return nil }
                let due = timer.span.after(start, calendar: tenant.calendar, zone: timeZone)
                if due > now {
                    // Working days count by today's calendar: a holiday declared since the timer
                    // was set moves it later, so it waits again instead of being lost.
                    if case .workingDays = timer.span {
                        try await outbox.rescheduleTimer(
                            tenant, replacing: event.id, automation: automation.name, entity: event.entity, recordID: event.recordID,
                            step: event.step, due: due,
                            on: connection)
                    }
                    return nil
                }
            }
        }
        guard TriggerMatch.fires(automation.trigger, event: event.event, old: event.old, new: current, stageField: model.stage?.field) else {
            return nil
        }
        var record = RecordValues(json: current, entity: model.definition)
        // The records one relation hop away that the condition or the values read, as of now.
        for (column, target) in compiled.hops.sorted(by: { $0.key < $1.key }) {
            guard case .string(let id)? = record.fields[column], let targetModel = try? metadata.model(target),
                let json = try? await records.get(try plan(.read, caller, targetModel), id: id, transaction: connection).json
            else { continue }
            record.related[column] = RecordValues(json: try JSONParser.parse(json), entity: targetModel.definition).fields
        }
        let before = RecordValues(json: TriggerMatch.before(old: event.old, new: current), entity: model.definition)
        let env = ExpressionEnvironment(records: [.record: record, .old: before], now: now, timeZone: timeZone, calendar: tenant.calendar)
        if let condition = try compiled.condition?.get() {
            guard try condition.isTrue(in: env) else { return nil }
            if case .update(_, true) = automation.trigger {
                // Only the write that makes the condition true: it must not have held before.
                let earlier = ExpressionEnvironment(
                    records: [.record: before, .old: before], now: now, timeZone: timeZone, calendar: tenant.calendar)
                if try condition.isTrue(in: earlier) { return nil }
            }
        }
        guard event.depth + 1 <= Self.maxDepth else {
            throw AutomationFailure(
                message:
                    """
                    stopped: this write is \(event.depth + 1) automation steps deep (at most \(Self.maxDepth)); an automation probably \
                    triggers itself
                    """,
                permanent: true)
        }
        var owner = current["owner_id"]?.stringValue
        func body(_ values: [(field: String, value: ActionValue)]) throws -> JSONValue {
            .object(
                try values.map { pair in
                    switch pair.value {
                    case .constant(let v): return (pair.field, v)
                    case .expression(let source):
                        return (pair.field, try compiled.value(source).evaluate(in: env).json)
                    }
                })
        }
        var done: [JSONValue] = []
        for (index, action) in automation.actions(step: event.step).enumerated() {
            switch action {
            case .set(let values):
                let write = try RecordInput.check(try body(values), entity: model.definition, mode: .update)
                guard write.problems.isEmpty else { throw TesseraError.validation(write.problems) }
                _ = try await records.update(try plan(.update, caller, model, [write]), id: event.recordID, transaction: connection)
                done.append(.object([("type", "set"), ("fields", .array(values.map { .string($0.field) }))]))
            case .create(let entityName, let values):
                let target = try metadata.model(entityName)
                var write = try RecordInput.check(try body(values), entity: target.definition, mode: .create)
                guard write.problems.isEmpty else { throw TesseraError.validation(write.problems) }
                if write.ownerID == nil { write.ownerID = owner }
                let created = try await records.create(try plan(.create, caller, target, [write]), transaction: connection)
                let id = created.first.flatMap { try? JSONParser.parse($0.json)["id"]?.stringValue } ?? nil
                done.append(.object([("type", "create"), ("entity", .string(entityName)), ("id", id.map(JSONValue.string) ?? .null)]))
            case .notify(let to, let channel, let message):
                if channel == "inbox" || channel == "email" {
                    let recipients = try await users.recipients(
                        tenant, to: to ?? "owner", owner: owner.flatMap(UUID.init(uuidString:)), on: connection)
                    if channel == "inbox" {
                        try await outbox.notify(
                            tenant, users: recipients, automation: automation.name, entity: event.entity, recordID: event.recordID,
                            message: message.json, on: connection)
                    } else {
                        try await deliver(
                            message, channel: channel, users: recipients, text: Self.text(message, model: model, record: current),
                            payload: payload(automation, event, tenant, message: message), tenant: tenant, automation: automation.name,
                            event: event.id, index: index, on: connection)
                    }
                    done.append(
                        .object([
                            ("type", "notify"), ("to", .string(to ?? "owner")), ("channel", .string(channel)), ("users", .number(recipients.count)),
                        ]))
                } else {
                    try await deliver(
                        message, channel: channel, users: [], text: Self.text(message, model: model, record: current),
                        payload: payload(automation, event, tenant, message: message), tenant: tenant, automation: automation.name,
                        event: event.id, index: index, on: connection)
                    done.append(.object([("type", "notify"), ("channel", .string(channel))]))
                }
            case .updateRelated(let relation, let values):
                guard let relatedID = current[relation]?.stringValue, let targetName = model.definition.field(relation)?.target else {
                    done.append(.object([("type", "update_related"), ("relation", .string(relation)), ("id", .null)]))
                    continue
                }
                let target = try metadata.model(targetName)
                let write = try RecordInput.check(try body(values), entity: target.definition, mode: .update)
                guard write.problems.isEmpty else { throw TesseraError.validation(write.problems) }
                do {
                    _ = try await records.update(try plan(.update, caller, target, [write]), id: relatedID, transaction: connection)
                } catch let error as TesseraError where error.status == 404 {
                    // The related record went to the recycle bin: nothing to touch.
                    done.append(
                        .object([("type", "update_related"), ("relation", .string(relation)), ("id", .string(relatedID)), ("missing", true)]))
                    continue
                }
                done.append(.object([("type", "update_related"), ("relation", .string(relation)), ("id", .string(relatedID))]))
            case .assign(let ruleName):
                guard let rule = metadata.assignmentRule(ruleName) else {
                    throw AutomationFailure(message: "assignment rule '\(ruleName)' no longer exists", permanent: true)
                }
                let outcome = try await assignments.assign(tenant, rule: rule, metadata: metadata, env: env, on: connection)
                if let user = outcome.userID, user.uuidString.lowercased() != owner {
                    let write = try RecordInput.check(
                        .object([("owner_id", .string(user.uuidString.lowercased()))]), entity: model.definition, mode: .update)
                    _ = try await records.update(try plan(.update, caller, model, [write]), id: event.recordID, transaction: connection)
                    owner = user.uuidString.lowercased()
                }
                done.append(
                    .object([
                        ("type", "assign"), ("rule", .string(ruleName)),
                        ("user_id", outcome.userID.map { .string($0.uuidString.lowercased()) } ?? .null),
                        ("source", .string(outcome.source)), ("candidates", .number(outcome.candidates)),
                    ]))
            case .lock(let duration):
                let seconds = (DurationText.parse(duration) ?? 0) / 1_000_000
                let holder = owner.flatMap(UUID.init(uuidString:))
                let lock = try await locks.lock(
                    tenant, entity: event.entity, recordID: event.recordID, holder: holder, seconds: seconds,
                    automation: automation.name, on: connection)
                done.append(
                    .object([
                        ("type", "lock"), ("until", lock.map { .string($0.until) } ?? .null),
                        ("held_by_other", .bool(lock == nil)),
                    ]))
            case .stageBack:
                guard let stage = model.stage, let key = current[stage.field]?.stringValue, let index = stage.stages.firstIndex(of: key), index > 0
                else {
                    done.append(.object([("type", "stage_back"), ("moved", false)]))
                    continue
                }
                let previous = stage.stages[index - 1]
                let write = try RecordInput.check(.object([(stage.field, .string(previous))]), entity: model.definition, mode: .update)
                guard write.problems.isEmpty else { throw TesseraError.validation(write.problems) }
                _ = try await records.update(try plan(.update, caller, model, [write]), id: event.recordID, transaction: connection)
                done.append(.object([("type", "stage_back"), ("from", .string(key)), ("to", .string(previous))]))
            case .escalate(let levels, let role, let field, let message):
                guard
                    let target = try await users.escalationTarget(
                        tenant, owner: owner.flatMap(UUID.init(uuidString:)), levels: levels, role: role, on: connection)
                else {
                    done.append(.object([("type", "escalate"), ("user_id", .null)]))
                    continue
                }
                try await outbox.notify(
                    tenant, users: [target], automation: automation.name, entity: event.entity, recordID: event.recordID,
                    message: message.json, on: connection)
                if let field {
                    let write = try RecordInput.check(
                        .object([(field, .string(target.uuidString.lowercased()))]), entity: model.definition, mode: .update)
                    _ = try await records.update(try plan(.update, caller, model, [write]), id: event.recordID, transaction: connection)
                }
                done.append(.object([("type", "escalate"), ("user_id", .string(target.uuidString.lowercased()))]))
            case .webhook(let url):
                // Sent while the event is held: if this process dies before the commit, the retry
                // sends the same idempotency key again and the receiver drops the repeat.
                try await webhooks.send(
                    url: url, body: JSONWriter.string(payload(automation, event, tenant, message: nil)),
                    secret: try await settings.webhookSecret(tenant),
                    idempotencyKey: "\(tenant.id.uuidString.lowercased()):\(event.id):\(index)", automation: automation.name)
                done.append(.object([("type", "webhook"), ("url", .string(url))]))
            }
        }
        return .object([("actions", .array(done))])
    }

    /// A schedule's tick: one `timer` event per live record meeting the condition (checked in SQL
    /// here and again in Swift when each runs), and the next tick, in the same transaction.
    func tick(
        _ compiled: CompiledAutomation, _ model: EntityModel, _ metadata: TenantMetadata, now: Int64, timeZone: TimeZoneRules,
        on connection: PostgresConnection
    ) async throws -> JSONValue {
        let tenant = metadata.tenant
        let count = try await outbox.fanOut(
            tenant, compiled.definition, model, condition: try compiled.condition?.get(), now: now, timeZone: timeZone,
            limit: Self.maxScheduledRecords, on: connection)
        try await ScheduleTicks.insertNext(tenant, compiled.definition, after: now, on: connection, logger: logger)
        return .object([("type", "schedule"), ("records", .number(count))])
    }

    /// Records one schedule tick may run for.
    public static let maxScheduledRecords = 100_000
}
