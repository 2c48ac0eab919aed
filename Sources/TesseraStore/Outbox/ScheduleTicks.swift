import Foundation
public import Logging
public import PostgresNIO
public import TesseraCore

/// A schedule's next tick is one pending outbox row (`event = 'tick'`): made when the automation
/// is saved, and by each tick for the next, in the same transaction as the tick's work. So
/// exactly one tick is pending per active schedule, whatever the number of instances.
public enum ScheduleTicks {
    /// Ticks carry no record: the nil UUID stands in.
    public static let noRecord = "00000000-0000-0000-0000-000000000000"

    /// Brings the pending ticks in line with a change of automations: a new, changed or
    /// reactivated schedule gets its next tick; a removed or deactivated one loses it.
    static func reschedule(
        _ tenant: Tenant, old: [AutomationDefinition], new: [AutomationDefinition],
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        func schedule(_ a: AutomationDefinition) -> String? {
            guard a.active, case .schedule(let cron) = a.trigger else { return nil }
            return "\(a.entity) \(cron)"
        }
        let before = Dictionary(old.compactMap { a in schedule(a).map { (a.name, $0) } }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.compactMap { a in schedule(a).map { (a.name, $0) } }, uniquingKeysWith: { a, _ in a })
        let outbox = OutboxTables.outbox(tenant.schema)
        for name in Set(before.keys).union(after.keys) where before[name] != after[name] {
            try await connection.query(
                """
                DELETE FROM \(unescaped: outbox) WHERE automation = \(name) AND event = 'tick' AND status = 'pending'
                """, logger: logger)
            guard let automation = new.first(where: { $0.name == name }), after[name] != nil else { continue }
            try await insertNext(tenant, automation, after: Int64(Date().timeIntervalSince1970 * 1_000_000), on: connection, logger: logger)
        }
    }

    /// Schedules the automation's tick after `after` (microseconds), if its schedule has one.
    public static func insertNext(
        _ tenant: Tenant, _ automation: AutomationDefinition, after: Int64,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard case .schedule(let cron) = automation.trigger, case .success(let schedule) = CronSchedule.parse(cron),
            let next = schedule.next(after: after, in: TimeZoneRules(identifier: tenant.timeZone) ?? .utc)
        else { return }
        try await connection.query(
            """
            INSERT INTO \(unescaped: OutboxTables.outbox(tenant.schema)) (automation, entity, record_id, event, due_at)
            VALUES (\(automation.name), \(automation.entity), \(noRecord)::uuid, 'tick', to_timestamp(\(Double(next) / 1_000_000)))
            """, logger: logger)
    }
}
