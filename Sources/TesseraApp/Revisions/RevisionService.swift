public import Foundation
public import TesseraCore
import TesseraStore

/// The tenant's configuration revisions (`/api/v1/meta/revisions`): the numbered list, one
/// revision's diff, and the revert that restores the whole configuration as of a revision.
/// All of it is for those who manage metadata.
public struct RevisionService: Sendable {
    let runtime: TesseraRuntime

    public init(runtime: TesseraRuntime) { self.runtime = runtime }

    /// Newest first, at most `limit`, older than `before` when given.
    public func list(_ caller: Caller, limit: Int, before: Int64?) async throws -> JSONValue {
        try await runtime.require(.manageMetadata, caller)
        let entries = try await runtime.metadataStore.log(caller.tenant, limit: limit + 1, before: before)
        let page = entries.prefix(limit)
        var members: [(String, JSONValue)] = [("data", .array(page.map { Self.summary($0) }))]
        if entries.count > limit, let last = page.last?.revision { members.append(("next_before", .number(Double(last)))) }
        return .object(members)
    }

    /// One revision: who made it and when, and each definition it changed, before and after.
    public func revision(_ caller: Caller, _ number: Int64) async throws -> JSONValue {
        try await runtime.require(.manageMetadata, caller)
        guard let (entry, snapshot) = try await runtime.metadataStore.revision(caller.tenant, number) else {
            throw TesseraError(status: 404, code: "not_found", localized: RevisionMessage.noRevision(String(number)))
        }
        let counts: [(String, JSONValue)] = [
            ("entities", .number(snapshot.entities.count)), ("roles", .number(snapshot.roles.count)),
            ("automations", .number(snapshot.automations.count)), ("views", .number(snapshot.views.count)),
            ("forms", .number(snapshot.forms.count)), ("approvals", .number(snapshot.approvals.count)),
            ("dashboards", .number(snapshot.dashboards.count)),
        ]
        guard case .object(var members) = Self.summary(entry) else { return .null }
        members.append(("diff", entry.detail.flatMap { try? JSONParser.parse($0) } ?? .object([])))
        members.append(("configuration", .object(counts)))
        return .object(members)
    }

    /// Restores the configuration as of revision `number` in one transaction, as a new revision.
    /// A dry run answers the same without changing anything. What would destroy data (an entity
    /// that holds records, a conversion that does not fit) refuses the whole revert, saying why.
    public func revert(_ caller: Caller, to number: Int64, dryRun: Bool) async throws -> JSONValue {
        try await runtime.require(.manageMetadata, caller)
        guard let (_, snapshot) = try await runtime.metadataStore.revision(caller.tenant, number) else {
            throw TesseraError(status: 404, code: "not_found", localized: RevisionMessage.noRevision(String(number)))
        }
        let target: TenantMetadata
        do throws(TesseraError) {
            target = try snapshot.decoded(tenant: caller.tenant, version: number)
        } catch {
            throw TesseraError(status: 422, code: "invalid_metadata", localized: RevisionMessage.cannotRestore(number), details: error.details)
        }
        if try await runtime.metadataStore.log(caller.tenant, limit: 1).first?.revision == number {
            throw TesseraError(status: 409, code: "conflict", localized: RevisionMessage.current(number))
        }
        let applied = try await runtime.metadataStore.change(caller.tenant, actor: caller.userID, dryRun: dryRun) { current in
            try RevisionPlanner.revert(current, to: target, packs: snapshot.installedPacks, revision: number)
        }
        if !dryRun { runtime.metadata.store(applied.metadata) }
        return .object([
            ("dry_run", .bool(dryRun)), ("reverted_to", .number(Double(number))), ("revision", .number(Double(applied.revision))),
            ("diff", applied.detail), ("retained", .array(applied.retained.map(JSONValue.string))),
            ("restored", .array(applied.restored.map(JSONValue.string))),
        ])
    }

    static func summary(_ entry: MetadataStore.LogEntry) -> JSONValue {
        .object([
            ("revision", entry.revision.map { .number(Double($0)) } ?? .null), ("at", .string(Timestamp.rfc3339(entry.at))),
            ("by", entry.actor.map { .string($0.uuidString.lowercased()) } ?? .null), ("action", .string(entry.action)),
            ("target", .string(entry.target)),
        ])
    }
}
