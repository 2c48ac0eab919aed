public import Foundation
import PostgresNIO
public import TesseraAutomation
public import TesseraCore
public import TesseraStore

/// Runs approvals: submitting a record, answering, recalling and delegating. Each call is one
/// transaction that locks the approval row first, so concurrent answers are taken in turn and a
/// crash mid-way leaves the approval as it was before the call (nothing half-moved).
public struct ApprovalService: Sendable {
    let client: DatabasePool
    let metadata: MetadataCache
    let records: RecordService
    let store: RecordStore
    let approvals: ApprovalStore
    let users: UserStore
    let outbox: OutboxStore
    /// When deadline marks come due (the automation clock: tests move it).
    let clock: AutomationClock

    /// Blocking records a refused submission names, at most.
    public static let maxBlocking = 20

    var actions: ApprovalActions { ApprovalActions(records: store, users: users, outbox: outbox, approvals: approvals) }

    /// Longest comment kept with a submission or an answer.
    public static let maxComment = 2000

    /// The answers `POST /api/v1/approvals/{id}/{action}` takes.
    public enum Action: String, Sendable {
        case approve, reject, recall, delegate
    }

    /// Submits the record to `process`: the caller must be able to change the record, the entry
    /// condition and the entity's rules must hold, and no approval of the process may be pending on it.
    public func submit(_ caller: Caller, entity: String, id: String, process name: String, comment: String?) async throws -> JSONValue {
        let planned = try await records.plan(.read, caller, entity: entity, evaluates: true)
        let current = planned.metadata
        let process = try current.approval(name)
        guard process.entity == planned.plan.entity.name else {
            throw TesseraError(status: 404, code: "not_found", localized: ApprovalMessage.noProcess(name))
        }
        guard process.active else { throw TesseraError(status: 409, code: "approval_inactive", localized: ApprovalMessage.inactive(name)) }
        let row = try await store.formRecord(planned.plan, id: id)
        guard row.updatable else { throw TesseraError.forbidden(.readButNot(action: "update", entity: entity, id: id)) }
        let recordID = try JSONParser.parse(row.json)["id"]?.stringValue ?? id
        let env = try await environment(planned.plan, json: row.json)
        // A record that breaks its entity's rules (one added since it was saved) is not submitted.
        let violations = try planned.plan.model.rules.flatMap { rule in try rule.violations(in: env) }
        guard violations.isEmpty else { throw TesseraError.validation(violations) }
        if let entry = process.entryWhen {
            let compiled = try CompiledExpression(entry, in: context(planned.plan.model), expecting: .bool)
            guard try compiled.isTrue(in: env) else {
                throw TesseraError(status: 422, code: "entry_condition", localized: ApprovalMessage.entryNotMet(name))
            }
        }
        let approvalID = UUID()
        try await client.withTransaction(logger: approvals.logger) { connection in
            guard let locked = try await approvals.lockRecord(caller.tenant, entity: entity, id: recordID, on: connection) else {
                throw TesseraError.notFound(.noRecord(entity: entity, id: id))
            }
            try await checkHolds(process, model: planned.plan.model, tenant: caller.tenant, environment: env, on: connection)
            guard
                try await approvals.insert(
                    caller.tenant, id: approvalID, process: process, recordID: recordID, submittedBy: caller.userID, comment: comment,
                    recordVersion: locked.version, on: connection)
            else {
                let other = try await approvals.pending(caller.tenant, process: name, entity: entity, recordID: recordID, on: connection)
                throw TesseraError(
                    status: 409, code: "approval_pending",
                    localized: ApprovalMessage.alreadyPending(process: name, approval: other?.uuidString.lowercased() ?? "?"))
            }
            guard let approval = try await approvals.lock(caller.tenant, id: approvalID, on: connection) else { throw TesseraError.internal() }
            try await approvals.log(
                caller.tenant, approval: approval, actor: caller.userID, action: "submit", step: nil,
                detail: .object([("comment", comment.map(JSONValue.string) ?? .null), ("record_version", .number(Int(locked.version)))]),
                via: via(caller), on: connection)
            try await enter(step: 0, approval, process, caller, current, on: connection)
        }
        return try await show(caller, id: approvalID.uuidString)
    }

    /// One answer. Approve and reject need a pending task of the caller in the current step;
    /// recall is the submitter's; delegate hands the caller's task to `to`.
    public func answer(_ caller: Caller, id text: String, action: Action, comment: String?, to: String?) async throws -> JSONValue {
        guard let id = UUID(uuidString: text) else { throw TesseraError(status: 404, code: "not_found", localized: ApprovalMessage.noApproval(text)) }
        let current = try await metadata.metadata(for: caller.tenant)
        try await client.withTransaction(logger: approvals.logger) { connection in
            guard let approval = try await approvals.lock(caller.tenant, id: id, on: connection) else {
                throw TesseraError(status: 404, code: "not_found", localized: ApprovalMessage.noApproval(text))
            }
            let process = try ApprovalDecoder.approval(
                approval.definition, entities: current.entities, roles: current.roles.map(\.name), version: approval.version)
            let all = try await approvals.tasks(caller.tenant, approval: id, step: nil, on: connection)
            let tasks = all.filter { $0.step == approval.step }
            let mine = tasks.first { $0.approver == caller.userID && $0.status == "pending" }
            // Someone with nothing to do with it learns nothing about it.
            guard approval.submittedBy == caller.userID || all.contains(where: { $0.approver == caller.userID }) else {
                throw TesseraError(status: 404, code: "not_found", localized: ApprovalMessage.noApproval(text))
            }
            guard approval.status == "pending" else {
                throw TesseraError(status: 409, code: "not_pending", localized: ApprovalMessage.notPending(text, status: approval.status))
            }
            guard process.steps.indices.contains(approval.step) else { throw TesseraError.internal() }
            let step = process.steps[approval.step]
            switch action {
            case .recall:
                guard approval.submittedBy == caller.userID else {
                    throw TesseraError(status: 403, code: "forbidden", localized: ApprovalMessage.onlySubmitterRecalls(text))
                }
                try await approvals.setTasks(caller.tenant, approval: id, step: approval.step, from: "pending", to: "closed", on: connection)
                try await approvals.update(caller.tenant, approval: id, step: approval.step, status: "recalled", on: connection)
                try await approvals.log(
                    caller.tenant, approval: approval, actor: caller.userID, action: "recall", step: approval.step,
                    detail: .object([("comment", comment.map(JSONValue.string) ?? .null)]), via: via(caller), on: connection)
                try await notify(caller.tenant, tasks.filter { $0.status == "pending" }.map(\.approver), approval, process, .recalled, on: connection)
                _ = try await actions.run(process.onRecall, approval: approval, process: process, waiting: [], metadata: current, on: connection)
            case .delegate:
                guard let mine else { throw TesseraError(status: 403, code: "forbidden", localized: ApprovalMessage.notYourTurn(text)) }
                guard let to, let delegate = UUID(uuidString: to) else {
                    throw TesseraError.validation([.approval(field: "to", rule: "required", .delegateTo)])
                }
                guard try await users.activeUsers(caller.tenant, [delegate], on: connection) == [delegate] else {
                    throw TesseraError.validation([.approval(field: "to", rule: "unknown_user", .delegateUnknown(to))])
                }
                guard !tasks.contains(where: { $0.party == mine.party && $0.approver == delegate && $0.status == "pending" }) else {
                    throw TesseraError.validation([.approval(field: "to", rule: "duplicate", .delegateSelf)])
                }
                try await approvals.delegate(caller.tenant, task: mine.id, from: caller.userID, to: delegate, on: connection)
                try await approvals.log(
                    caller.tenant, approval: approval, actor: caller.userID, action: "delegate", step: approval.step,
                    detail: .object([
                        ("to", .string(delegate.uuidString.lowercased())), ("comment", comment.map(JSONValue.string) ?? .null),
                    ]), via: via(caller), on: connection)
                try await notify(caller.tenant, [delegate], approval, process, .requested, on: connection)
            case .approve, .reject:
                guard let mine else { throw TesseraError(status: 403, code: "forbidden", localized: ApprovalMessage.notYourTurn(text)) }
                guard let record = try await approvals.lockRecord(caller.tenant, entity: approval.entity, id: approval.recordID, on: connection)
                else { throw TesseraError.notFound(.noRecord(entity: approval.entity, id: approval.recordID)) }
                let signature =
                    step.signature && action == .approve
                    ? Self.signature(approval: id, task: mine.id, user: caller.userID, version: record.version, digest: record.digest) : nil
                try await approvals.answer(
                    caller.tenant, task: mine.id, status: action == .approve ? "approved" : "rejected", comment: comment,
                    recordVersion: record.version, signature: signature, on: connection)
                var detail: [(String, JSONValue)] = [
                    ("comment", comment.map(JSONValue.string) ?? .null), ("record_version", .number(Int(record.version))),
                ]
                if let signature { detail.append(("signature", .string(signature))) }
                try await approvals.log(
                    caller.tenant, approval: approval, actor: caller.userID, action: action.rawValue, step: approval.step, detail: .object(detail),
                    via: via(caller), on: connection)
                if action == .reject {
                    try await approvals.setTasks(caller.tenant, approval: id, step: approval.step, from: "pending", to: "closed", on: connection)
                    try await finish(approval, process, approved: false, caller: caller, current, on: connection)
                    return
                }
                try await approvals.setTasks(
                    caller.tenant, approval: id, step: approval.step, party: step.mode == .all ? mine.party : nil, from: "pending", to: "closed",
                    on: connection)
                if step.mode == .all {
                    // A signature counts only while the record is at the version it signed: a party
                    // that signed an older version must sign again.
                    let now = try await approvals.tasks(caller.tenant, approval: id, step: approval.step, on: connection)
                    var satisfied = Set<Int>()
                    for task in now where task.status == "approved" {
                        if !step.signature || task.recordVersion == record.version {
                            satisfied.insert(task.party)
                        } else {
                            try await approvals.setTask(caller.tenant, task: task.id, status: "void", on: connection)
                            try await approvals.setTasks(
                                caller.tenant, approval: id, step: approval.step, party: task.party, from: "closed", to: "pending", on: connection)
                            try await approvals.reopen(caller.tenant, task: task, on: connection)
                            try await approvals.log(
                                caller.tenant, approval: approval, actor: caller.userID, action: "signature_void", step: approval.step,
                                detail: .object([
                                    ("approver", .string(task.approver.uuidString.lowercased())),
                                    ("signed_version", .number(Int(task.recordVersion ?? 0))), ("record_version", .number(Int(record.version))),
                                ]), via: via(caller), on: connection)
                        }
                    }
                    guard satisfied.count == step.approvers.count else { return }
                }
                try await enter(step: approval.step + 1, approval, process, caller, current, on: connection)
            }
        }
        return try await show(caller, id: text)
    }

    /// Enters `index` (or the first step after it whose skip condition does not hold): its tasks
    /// are created and its approvers told. Past the last step the approval is approved.
    private func enter(
        step index: Int, _ approval: ApprovalStore.Approval, _ process: ApprovalDefinition, _ caller: Caller, _ current: TenantMetadata,
        on connection: PostgresConnection
    ) async throws {
        let model = try current.model(approval.entity)
        let system = try RecordPlan(.read, caller: Self.system(caller.tenant, process: process.name), model: model, evaluates: true)
        var index = index
        var env: ExpressionEnvironment?
        var json: String?
        while index < process.steps.count {
            let step = process.steps[index]
            if json == nil {
                json = try await approvals.lockRecord(caller.tenant, entity: approval.entity, id: approval.recordID, on: connection)?.json
            }
            guard let json else { throw TesseraError.notFound(.noRecord(entity: approval.entity, id: approval.recordID)) }
            if let skip = step.skipWhen {
                if env == nil { env = try await environment(system, json: json) }
                if try CompiledExpression(skip, in: context(model), expecting: .bool).isTrue(in: env!) {
                    try await approvals.log(
                        caller.tenant, approval: approval, actor: caller.userID, action: "skip", step: index,
                        detail: .object([("step", .string(step.name))]), via: via(caller), on: connection)
                    index += 1
                    continue
                }
            }
            let record = try JSONParser.parse(json)
            var parties = try await resolve(step, record: record, tenant: caller.tenant, on: connection)
            if parties.allSatisfy(\.isEmpty) {
                // Nobody to answer: the tenant's admins take the step rather than the approval stalling.
                let admins = try await users.recipients(caller.tenant, to: "role:" + RoleDefinition.adminName, owner: nil, on: connection)
                guard !admins.isEmpty else {
                    throw TesseraError(status: 422, code: "no_approvers", localized: ApprovalMessage.noApprovers(step: step.name))
                }
                parties = parties.map { _ in admins }
                try await approvals.log(
                    caller.tenant, approval: approval, actor: caller.userID, action: "routed_to_admins", step: index,
                    detail: .object([("step", .string(step.name))]), via: via(caller), on: connection)
            } else if step.mode == .all, let empty = parties.firstIndex(where: \.isEmpty) {
                // A party with nobody in it could never approve: its admins answer for it.
                parties[empty] = try await users.recipients(caller.tenant, to: "role:" + RoleDefinition.adminName, owner: nil, on: connection)
            }
            if step.mode == .any { parties = [Array(Set(parties.flatMap { $0 })).sorted { $0.uuidString < $1.uuidString }] }
            try await approvals.addTasks(caller.tenant, approval: approval.id, step: index, parties: parties, on: connection)
            try await approvals.update(caller.tenant, approval: approval.id, step: index, status: "pending", on: connection)
            try await approvals.log(
                caller.tenant, approval: approval, actor: caller.userID, action: "step", step: index,
                detail: .object([("step", .string(step.name)), ("approvers", .number(parties.reduce(0) { $0 + $1.count }))]), via: via(caller),
                on: connection)
            try await notify(caller.tenant, Array(Set(parties.flatMap { $0 })), approval, process, .requested, on: connection)
            _ = try await actions.run(step.onEnter, approval: approval, process: process, waiting: [], metadata: current, on: connection)
            // Each mark is a durable outbox event: it runs once, after a restart too, and does
            // nothing if the step has been answered by then.
            let entered = clock.now()
            let zone = TimeZoneRules(identifier: caller.tenant.timeZone) ?? .utc
            for (mark, deadline) in step.deadline.enumerated() {
                try await outbox.schedule(
                    caller.tenant, automation: "approval:" + process.name, entity: approval.entity, recordID: approval.recordID,
                    event: .approvalDeadline, new: .object([("approval", .string(approval.id.uuidString.lowercased())), ("step", .number(index))]),
                    step: mark, due: deadline.span.after(entered, calendar: caller.tenant.calendar, zone: zone), on: connection)
            }
            return
        }
        try await finish(approval, process, approved: true, caller: caller, current, on: connection, lastStep: process.steps.count - 1)
    }

    /// Ends the approval: its status, the outcome's actions (as the process, past frozen fields),
    /// and the submitter told.
    private func finish(
        _ approval: ApprovalStore.Approval, _ process: ApprovalDefinition, approved: Bool, caller: Caller, _ current: TenantMetadata,
        on connection: PostgresConnection, lastStep: Int? = nil
    ) async throws {
        let status = approved ? "approved" : "rejected"
        try await approvals.update(caller.tenant, approval: approval.id, step: lastStep ?? approval.step, status: status, on: connection)
        try await approvals.log(
            caller.tenant, approval: approval, actor: caller.userID, action: status, step: nil, detail: .object([]), via: via(caller), on: connection)
        _ = try await actions.run(
            approved ? process.onApprove : process.onReject, approval: approval, process: process, waiting: [], metadata: current, on: connection)
        try await notify(caller.tenant, [approval.submittedBy], approval, process, approved ? .approved : .rejected, on: connection)
    }

    /// The people of each party of the step, as the record now names them (active users only).
    private func resolve(
        _ step: ApprovalDefinition.Step, record: JSONValue, tenant: Tenant, on connection: PostgresConnection
    ) async throws -> [[UUID]] {
        var parties: [[UUID]] = []
        let owner = record["owner_id"]?.stringValue.flatMap(UUID.init(uuidString:))
        for source in step.approvers {
            switch source {
            case .role(let role):
                parties.append(try await users.recipients(tenant, to: "role:" + role, owner: nil, on: connection))
            case .field(let field):
                let id = record[field]?.stringValue.flatMap(UUID.init(uuidString:))
                parties.append(try await users.activeUsers(tenant, id.map { [$0] } ?? [], on: connection))
            case .manager(let levels):
                let manager = try await users.escalationTarget(tenant, owner: owner, levels: levels, role: nil, on: connection)
                parties.append(manager.map { [$0] } ?? [])
            case .user(let id):
                parties.append(try await users.activeUsers(tenant, UUID(uuidString: id).map { [$0] } ?? [], on: connection))
            }
        }
        return parties
    }

    /// What an inbox message says about an approval.
    enum Notice {
        case requested, approved, rejected, recalled

        func message(_ process: ApprovalDefinition) -> JSONValue {
            let zh = process.label?.zhFirst ?? process.name, en = process.label?["en"] ?? zh
            switch self {
            case .requested: return .object([("zh-CN", .string("待你审批：\(zh)")), ("en", .string("Waiting for your approval: \(en)"))])
            case .approved: return .object([("zh-CN", .string("审批已通过：\(zh)")), ("en", .string("Approved: \(en)"))])
            case .rejected: return .object([("zh-CN", .string("审批被驳回：\(zh)")), ("en", .string("Rejected: \(en)"))])
            case .recalled: return .object([("zh-CN", .string("审批已撤回：\(zh)")), ("en", .string("Recalled: \(en)"))])
            }
        }
    }

    private func notify(
        _ tenant: Tenant, _ people: [UUID], _ approval: ApprovalStore.Approval, _ process: ApprovalDefinition, _ notice: Notice,
        on connection: PostgresConnection
    ) async throws {
        try await outbox.notify(
            tenant, users: Array(Set(people)), automation: "approval:" + process.name, entity: approval.entity,
            recordID: approval.recordID, message: notice.message(process), on: connection)
    }

    /// SHA-256 over what a party confirms: this approval, their task, who they are, and the
    /// record's version and stored content at that moment.
    static func signature(approval: UUID, task: Int64, user: UUID, version: Int64, digest: String) -> String {
        let text = "\(approval.uuidString.lowercased())|\(task)|\(user.uuidString.lowercased())|\(version)|\(digest)"
        return ApprovalStore.sha256(text)
    }

    /// The process acting for the tenant (its outcome writes pass frozen fields and record locks).
    static func system(_ tenant: Tenant, process: String) -> Caller { ApprovalActions.system(tenant, process: process) }

    /// Refuses submission while a hold's condition meets any record, naming them (their ids, up to
    /// `maxBlocking`) in the error's details, one detail per hold that holds.
    private func checkHolds(
        _ process: ApprovalDefinition, model: EntityModel, tenant: Tenant, environment: ExpressionEnvironment, on connection: PostgresConnection
    ) async throws {
        var details: [TesseraError.Detail] = []
        var first: (hold: ApprovalDefinition.Hold, count: Int)?
        for hold in process.holds {
            var context = context(model)
            context.scopes = [.record, .other]
            context.otherEntity = model.related(hold.entity)
            let condition = try CompiledExpression(hold.when, in: context, expecting: .bool).checked
            let ids = try await approvals.holding(
                tenant, entity: hold.entity, condition: condition, environment: environment, limit: Self.maxBlocking, on: connection)
            guard !ids.isEmpty else { continue }
            if first == nil { first = (hold, ids.count) }
            let fallback = ApprovalMessage.held(process: process.name, hold: hold.name, entity: hold.entity, count: ids.count)
            var detail = TesseraError.Detail(
                field: nil, rule: "hold", localized: fallback,
                extra: ["hold": .string(hold.name), "entity": .string(hold.entity), "blocking": .array(ids.map(JSONValue.string))])
            if let message = hold.message {
                // The process's own words, in the languages it gives.
                detail.message = message["en"] ?? message.zhFirst
                for locale in MessageLocale.allCases { if let text = message[locale.rawValue] { detail.texts[locale] = text } }
            }
            details.append(detail)
        }
        guard let first else { return }
        throw TesseraError(
            status: 409, code: "approval_hold",
            localized: ApprovalMessage.held(process: process.name, hold: first.hold.name, entity: first.hold.entity, count: first.count),
            details: details)
    }

    private func via(_ caller: Caller) -> String { "key:" + caller.keyID.uuidString.lowercased() }

    private func context(_ model: EntityModel) -> ExpressionContext {
        ExpressionContext(entity: model.definition, relatedEntity: model.related)
    }

    /// The record (and the related records its expressions read) as expressions see it.
    private func environment(_ plan: RecordPlan, json: String) async throws -> ExpressionEnvironment {
        let values = RecordValues(json: try JSONParser.parse(json), entity: plan.entity)
        let loaded = try await store.related(plan, values, scopes: [.record, .old])
        var env = plan.environment
        env.records = [.record: loaded, .old: loaded]
        return env
    }

    // MARK: Reading

    /// One approval, to its submitter, its approvers (and those who delegated), or anyone who can
    /// read the record; each task says whether its signature still counts.
    public func show(_ caller: Caller, id text: String) async throws -> JSONValue {
        guard let id = UUID(uuidString: text), let found = try await approvals.detail(caller.tenant, id: id) else {
            throw TesseraError(status: 404, code: "not_found", localized: ApprovalMessage.noApproval(text))
        }
        var version: Int64?
        if found.people.contains(caller.userID) {
            let current = try await metadata.metadata(for: caller.tenant)
            let system = try RecordPlan(.read, caller: Self.system(caller.tenant, process: ""), model: try current.model(found.entity))
            version = try? await store.get(system, id: found.recordID).version
        } else {
            // Otherwise only through the record's read scope (404 outside it, as for the record).
            let planned = try await records.plan(.read, caller, entity: found.entity)
            do {
                version = try await store.get(planned.plan, id: found.recordID).version
            } catch let error as TesseraError where error.status == 404 || error.status == 403 {
                throw TesseraError(status: 404, code: "not_found", localized: ApprovalMessage.noApproval(text))
            }
        }
        guard case .object(var members) = found.json, case .array(let tasks)? = found.json["tasks"] else { return found.json }
        let marked: [JSONValue] = tasks.map { task in
            guard case .object(var t) = task else { return task }
            if task["signature"]?.stringValue != nil {
                t.append(("signature_valid", .bool(task["status"] == "approved" && task["record_version"]?.intValue.map(Int64.init) == version)))
            }
            return .object(t)
        }
        members = members.map { $0.0 == "tasks" ? ("tasks", .array(marked)) : $0 }
        members.append(("current_record_version", version.map { .number(Int($0)) } ?? .null))
        return .object(members)
    }

    /// The caller's approvals: `for=me` those with a task of theirs (status of the task, pending by
    /// default), `for=submitted` those they submitted (status of the approval).
    public func list(_ caller: Caller, for whom: String, status: String?, limit: Int) async throws -> [JSONValue] {
        switch whom {
        case "me": return try await approvals.inbox(caller.tenant, user: caller.userID, taskStatus: status ?? "pending", limit: limit)
        case "submitted": return try await approvals.submitted(caller.tenant, user: caller.userID, status: status, limit: limit)
        default: throw TesseraError.validation([.approval(field: "for", rule: "enum", .forShape)])
        }
    }

    /// Every saved version of the process (404 for an unknown one).
    public func versions(_ caller: Caller, process: String) async throws -> [JSONValue] {
        _ = try await metadata.metadata(for: caller.tenant).approval(process)
        return try await approvals.versions(caller.tenant, process: process)
    }

    /// The record's approvals, for those who can read it.
    public func forRecord(_ caller: Caller, entity: String, id: String) async throws -> [JSONValue] {
        let planned = try await records.plan(.read, caller, entity: entity)
        let recordID = try JSONParser.parse(try await store.get(planned.plan, id: id).json)["id"]?.stringValue ?? id
        return try await approvals.forRecord(caller.tenant, entity: entity, recordID: recordID, limit: 200)
    }
}
