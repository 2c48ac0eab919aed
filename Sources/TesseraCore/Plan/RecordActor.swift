public import Foundation

/// Who a plan's writes are made by: the history's `by` and `via`, the outbox events' depth, and
/// whether record locks bind them.
public struct RecordActor: Sendable, Equatable {
    /// A lowercase UUID; the created_by/updated_by of written rows.
    public let userID: String
    /// `key:<id>` for a request, `automation:<name>` for an automation's write (made when a write asks).
    public var via: String { automation.map { "automation:" + $0 } ?? "key:" + keyID.uuidString.lowercased() }
    let keyID: UUID
    let automation: String?
    /// Automation steps that led to this write (a write past `EventProcessor.maxDepth` is refused).
    public let automationDepth: Int
    /// Locks bind people; automations act for the tenant and pass them.
    public let locksApply: Bool

    /// A person's request, not an automation's or an approval step's work.
    public var isPerson: Bool { automation == nil }

    public init(_ caller: Caller) {
        userID = caller.userID.uuidString.lowercased()
        keyID = caller.keyID
        automation = caller.automation
        automationDepth = caller.automationDepth
        locksApply = caller.automation == nil
    }
}
