import Foundation
import PostgresNIO
import TesseraCore
import TesseraStore

extension EventProcessor {
    /// A deadline mark of an approval step (an `approval_deadline` event): if the approval still
    /// waits on that step, the mark's actions run for the approvers still waiting and the mark goes
    /// in the approval's log. Nil (skipped) when the step was answered, recalled or passed in time.
    func approvalDeadline(_ event: OutboxStore.Event, _ metadata: TenantMetadata, on connection: PostgresConnection) async throws -> JSONValue? {
        let tenant = metadata.tenant
        guard let text = event.new["approval"]?.stringValue, let id = UUID(uuidString: text), let stepIndex = event.new["step"]?.intValue,
            let mark = event.step
        else { return nil }
        let approvals = ApprovalStore(client: client, logger: logger)
        guard let approval = try await approvals.lock(tenant, id: id, on: connection), approval.status == "pending", approval.step == stepIndex
        else { return nil }
        // The version the approval started on, as it was saved then.
        let process = try ApprovalDecoder.approval(
            approval.definition, entities: metadata.entities, roles: metadata.roles.map(\.name), version: approval.version)
        guard process.steps.indices.contains(stepIndex), process.steps[stepIndex].deadline.indices.contains(mark) else { return nil }
        let waiting = try await approvals.tasks(tenant, approval: id, step: stepIndex, on: connection).filter { $0.status == "pending" }
        guard !waiting.isEmpty else { return nil }
        let deadline = process.steps[stepIndex].deadline[mark]
        let actions = ApprovalActions(records: records, users: users, outbox: outbox, approvals: approvals)
        let done = try await actions.run(deadline.actions, approval: approval, process: process, waiting: waiting, metadata: metadata, on: connection)
        try await approvals.log(
            tenant, approval: approval, actor: Self.systemUser, action: "deadline", step: stepIndex,
            detail: .object([("after", .string(deadline.after)), ("mark", .number(mark)), ("actions", .array(done))]),
            via: "approval:" + process.name, on: connection)
        return .object([("approval", .string(text)), ("step", .number(stepIndex)), ("after", .string(deadline.after)), ("actions", .array(done))])
    }
}
