public import Foundation
public import PostgresNIO
public import TesseraCore
public import TesseraStore

/// Runs an approval's actions, its outcome or a deadline mark's, on the record, as the process
/// (past frozen fields and record locks): `set`, `create`, `update_related`, notifications (the
/// inbox at once; email and channels through the outbox), and `escalate`, which adds the waiting
/// approvers' managers to their parties. In the caller's transaction, with the approval row
/// locked; returns what each action did.
public struct ApprovalActions: Sendable {
    let records: RecordStore
    let users: UserStore
    let outbox: OutboxStore
    let approvals: ApprovalStore

    public init(records: RecordStore, users: UserStore, outbox: OutboxStore, approvals: ApprovalStore) {
        self.records = records
        self.users = users
        self.outbox = outbox
        self.approvals = approvals
    }

    /// The caller approvals act as (their writes name the process in history).
    public static func system(_ tenant: Tenant, process: String) -> Caller { .system(tenant, automation: "approval:" + process) }

    public func run(
        _ actions: [AutomationAction], approval: ApprovalStore.Approval, process: ApprovalDefinition, waiting: [ApprovalStore.Task],
        metadata: TenantMetadata, on connection: PostgresConnection
    ) async throws -> [JSONValue] {
        guard !actions.isEmpty else { return [] }
        let tenant = metadata.tenant
        let model = try metadata.model(approval.entity)
        let system = Self.system(tenant, process: process.name)
        guard let json = try await approvals.lockRecord(tenant, entity: approval.entity, id: approval.recordID, on: connection)?.json else {
            throw TesseraError.notFound(.noRecord(entity: approval.entity, id: approval.recordID))
        }
        let readPlan = try RecordPlan(.read, caller: system, model: model, evaluates: true)
        let record = try JSONParser.parse(json)
        let loaded = try await records.related(readPlan, RecordValues(json: record, entity: model.definition), scopes: [.record, .old])
        var env = readPlan.environment
        env.records = [.record: loaded, .old: loaded]
        let context = ExpressionContext(entity: model.definition, relatedEntity: model.related)
        func body(_ values: [(field: String, value: ActionValue)]) throws -> JSONValue {
            .object(
                try values.map { pair in
                    switch pair.value {
                    case .constant(let v): return (pair.field, v)
                    case .expression(let source): return (pair.field, try CompiledExpression(source, in: context).evaluate(in: env).json)
                    }
                })
        }
        let owner = record["owner_id"]?.stringValue
        // A record an approval creates belongs to the approved record's owner unless it says otherwise.
        func write(_ values: [(field: String, value: ActionValue)], _ target: EntityModel, mode: RecordInput.Mode) throws -> RecordPlan {
            var write = try RecordInput.check(try body(values), entity: target.definition, mode: mode)
            guard write.problems.isEmpty else { throw TesseraError.validation(write.problems) }
            if mode == .create, write.ownerID == nil { write.ownerID = owner }
            var plan = try RecordPlan(mode == .create ? .create : .update, caller: system, model: target)
            plan.take([write])
            return plan
        }
        let via = "approval:" + process.name
        var done: [JSONValue] = []
        for action in actions {
            switch action {
            case .set(let values):
                _ = try await records.update(try write(values, model, mode: .update), id: approval.recordID, transaction: connection)
                done.append(.object([("type", "set")]))
            case .create(let entity, let values):
                let created = try await records.create(try write(values, try metadata.model(entity), mode: .create), transaction: connection)
                let id = created.first.flatMap { try? JSONParser.parse($0.json)["id"] } ?? .null
                done.append(.object([("type", "create"), ("entity", .string(entity)), ("id", id)]))
            case .updateRelated(let relation, let values):
                guard let relatedID = record[relation]?.stringValue, let targetName = model.definition.field(relation)?.target else { continue }
                _ = try await records.update(try write(values, try metadata.model(targetName), mode: .update), id: relatedID, transaction: connection)
                done.append(.object([("type", "update_related"), ("relation", .string(relation))]))
            case .notify(let to, let channel, let message):
                // A named channel (a group robot, a webhook) has no recipients of its own.
                let recipients: [UUID] =
                    switch channel == "inbox" || channel == "email" ? to ?? "owner" : "" {
                    case "": []
                    case "approvers": Array(Set(waiting.map(\.approver)))
                    case "submitter": [approval.submittedBy]
                    case let other:
                        try await users.recipients(tenant, to: other, owner: owner.flatMap(UUID.init(uuidString:)), on: connection)
                    }
                if channel == "inbox" {
                    try await outbox.notify(
                        tenant, users: recipients, automation: via, entity: approval.entity, recordID: approval.recordID, message: message.json,
                        on: connection)
                } else {
                    // Email and channels call out of the database: the worker sends them after this
                    // transaction commits, with retries, as it sends an automation's.
                    let notice: JSONValue = .object([
                        ("approval", .string(approval.id.uuidString.lowercased())), ("channel", .string(channel)),
                        ("users", .array(recipients.map { .string($0.uuidString.lowercased()) })), ("message", message.json),
                    ])
                    try await outbox.schedule(
                        tenant, automation: via, entity: approval.entity, recordID: approval.recordID, event: .approvalNotice, new: notice,
                        step: 0, due: 0, on: connection)
                }
                done.append(.object([("type", "notify"), ("channel", .string(channel)), ("users", .number(recipients.count))]))
            case .escalate(let levels, _, _, let message):
                // Each waiting approver's manager joins that approver's party: either may answer.
                var added: [(party: Int, approver: UUID)] = []
                for task in waiting {
                    guard let manager = try await users.escalationTarget(tenant, owner: task.approver, levels: levels, role: nil, on: connection),
                        !waiting.contains(where: { $0.party == task.party && $0.approver == manager }),
                        !added.contains(where: { $0.party == task.party && $0.approver == manager })
                    else { continue }
                    added.append((task.party, manager))
                }
                try await approvals.addTasks(tenant, approval: approval.id, step: approval.step, tasks: added, on: connection)
                let people = Array(Set(added.map(\.approver)))
                try await outbox.notify(
                    tenant, users: people, automation: via, entity: approval.entity, recordID: approval.recordID, message: message.json,
                    on: connection)
                done.append(.object([("type", "escalate"), ("to", .array(people.map { .string($0.uuidString.lowercased()) }))]))
            default: continue
            }
        }
        return done
    }
}
