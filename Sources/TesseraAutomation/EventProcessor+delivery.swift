import Foundation
import PostgresNIO
import TesseraCore
import TesseraStore

extension EventProcessor {
    /// Sends `message` by email to `users`, or to the tenant's channel `channel` (a group robot or a
    /// signed webhook): what `notify` does beyond the inbox. The event id and the action's index
    /// name the send, so a retry repeats it under the same message id or idempotency key.
    func deliver(
        _ message: Label, channel: String, users: [UUID], text: String, payload: JSONValue, tenant: Tenant, automation: String,
        event: Int64, index: Int, on connection: PostgresConnection
    ) async throws {
        if channel == "email" {
            let addresses = try await outbox.emails(tenant, users: users, on: connection)
            guard let smtp = try await settings.channels(tenant).smtp else {
                throw AutomationFailure(message: "the tenant has no mail server: set smtp in /api/v1/settings", permanent: true)
            }
            try await SMTPClient(settings: smtp, allowPrivate: webhooks.allowPrivate).send(
                to: addresses, subject: message.zhFirst, body: text, messageID: "\(event).\(index).\(tenant.slug)@tessera")
        } else {
            guard let target = try await settings.channels(tenant).channels[channel] else {
                throw AutomationFailure(message: "the tenant has no channel '\(channel)': add it to settings.channels", permanent: true)
            }
            try await channels.post(
                target, name: channel, text: text, event: payload, secret: try await settings.webhookSecret(tenant),
                idempotencyKey: "\(tenant.id.uuidString.lowercased()):\(event):\(index)", automation: automation)
        }
    }

    /// An approval's notice by email or to a channel (an `approval_notice` event, written by the
    /// approval's transaction), about the record as it is now.
    func approvalNotice(_ event: OutboxStore.Event, _ metadata: TenantMetadata, on connection: PostgresConnection) async throws -> JSONValue? {
        let tenant = metadata.tenant
        guard let channel = event.new["channel"]?.stringValue, let message = event.new["message"].flatMap(Label.init(json:)) else { return nil }
        let users = (event.new["users"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(UUID.init(uuidString:)) }
        let model = try metadata.model(event.entity)
        let caller = Caller.system(tenant, automation: event.automation)
        let stored = try? await records.get(try plan(.read, caller, model), id: event.recordID, transaction: connection).json
        let record = stored.flatMap { try? JSONParser.parse($0) } ?? .object([("id", .string(event.recordID))])
        let payload: JSONValue = .object([
            ("event_id", .number(Int(event.id))), ("approval", event.new["approval"] ?? .null),
            ("process", .string(String(event.automation.dropFirst("approval:".count)))), ("tenant", .string(tenant.slug)),
            ("entity", .string(event.entity)), ("record_id", .string(event.recordID)), ("record", record), ("message", message.json),
        ])
        try await deliver(
            message, channel: channel, users: users, text: Self.text(message, model: model, record: record), payload: payload, tenant: tenant,
            automation: event.automation, event: event.id, index: 0, on: connection)
        return .object([("type", "notify"), ("channel", .string(channel)), ("users", .number(users.count))])
    }
}
