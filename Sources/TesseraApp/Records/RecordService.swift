public import TesseraCore
public import TesseraStore

/// The data API's application logic: each request is planned once (who may see and change what)
/// and the plan is run by the store. The HTTP routes and automations go through it.
public struct RecordService: Sendable {
    let metadata: MetadataCache
    let store: RecordStore
    let locks: RecordLockStore

    /// Rows one CSV export may hold (it streams, but takes a request slot while it runs).
    public static let maxExportRows = 100_000

    /// The plan of `operation` on `entity` for the caller under the tenant's current metadata and
    /// roles: 404 for an unknown entity, 403 when the action reaches no record.
    public func plan(_ operation: RecordPlan.Operation, _ caller: Caller, entity: String, evaluates: Bool = false) async throws -> Planned {
        var caller = caller
        let current = try await metadata.metadata(for: caller.tenant)
        caller.policy = current.policy(for: caller.roles)
        return Planned(
            plan: try RecordPlan(operation, caller: caller, model: try current.model(entity), evaluates: evaluates), metadata: current, caller: caller
        )
    }

    /// A plan with what it was made from: the metadata version and the caller with their policy.
    public struct Planned: Sendable {
        public var plan: RecordPlan
        public let metadata: TenantMetadata
        public let caller: Caller
        public var policy: AccessPolicy? { caller.policy }
    }

    /// A page of records, the query parsed against what the caller may see (a hidden field is as
    /// unknown as a missing one).
    public func list(_ caller: Caller, entity: String, _ pairs: [(String, String)]) async throws -> RecordStore.Page {
        let planned = try await plan(.list, caller, entity: entity, evaluates: pairs.contains { $0.0 == "where" })
        let query = try Self.query(pairs, planned)
        return try await store.list(planned.plan, query, deletedOnly: pairs.contains { $0.0 == "deleted" && $0.1 == "only" })
    }

    /// An export: the header columns, the first page, and each next page in turn.
    public struct Export: Sendable {
        public let columns: [String]
        public let first: RecordStore.Page
        let plan: RecordPlan
        let query: ListQuery
        let store: RecordStore

        /// The page after `page`, or nil after the last.
        public func page(after page: RecordStore.Page) async throws -> RecordStore.Page? {
            guard let after = page.nextAfter else { return nil }
            var query = query
            query.after = after
            return try await store.list(plan, query)
        }
    }

    /// The list's filters, order, select and where=, walked a page at a time (`export` permission).
    public func export(_ caller: Caller, entity: String, _ pairs: [(String, String)]) async throws -> Export {
        let planned = try await plan(.list, caller, entity: entity, evaluates: pairs.contains { $0.0 == "where" })
        guard planned.policy?.has(.export) == true else { throw TesseraError.forbidden(.exportNeedsPermission) }
        let plan = planned.plan
        let parsed = try Self.query(pairs.filter { !["limit", "cursor", "count"].contains($0.0) }, planned)
        var query = parsed
        query.limit = ListQuery.maxLimit
        query.exactCount = true
        let first = try await store.list(plan, query)
        if let total = first.count, total > Self.maxExportRows {
            throw TesseraError.validation([
                .init(
                    field: nil, rule: "export_limit",
                    .exportLimit(total: total, max: Self.maxExportRows))
            ])
        }
        query.exactCount = false
        return Export(columns: parsed.select ?? plan.columns, first: first, plan: plan, query: query, store: store)
    }

    /// The query string against the entities as the caller sees them (relation hops included).
    static func query(_ pairs: [(String, String)], _ planned: Planned) throws -> ListQuery {
        let caller = planned.caller, current = planned.metadata
        return try ListQueryParser.parse(
            pairs, entity: planned.plan.visibleEntity,
            related: { name in
                guard let model = try? current.model(name) else { return nil }
                return RecordPlan.visible(caller, model)
            })
    }

    /// Creates one record (an object) or, with the `import` permission, up to 1,000 (an array),
    /// all or nothing, under a `.create` plan (made before the body is read, so an unknown entity
    /// or a missing right is answered first). Returns the records and whether the body was an array.
    public func create(_ planned: Planned, _ body: JSONValue) async throws -> (records: [RecordStore.Result], bulk: Bool) {
        var planned = planned
        let bulk = try planned.plan.takeCreate(body, policy: planned.policy)
        return (try await store.create(planned.plan, bulk: bulk), bulk)
    }

    /// One live record; `select=` chooses its fields among those the caller sees.
    public func get(_ caller: Caller, entity: String, id: String, _ pairs: [(String, String)]) async throws -> RecordStore.Result {
        let plan = try await plan(.read, caller, entity: entity).plan
        var select: [String]?
        if pairs.contains(where: { $0.0 == "select" }) {
            select = try ListQueryParser.parse(pairs.filter { $0.0 == "select" }, entity: plan.visibleEntity).select
        }
        return try await store.get(plan, id: id, select: select)
    }

    /// Changes a record under an `.update` plan; `expectedVersion` (If-Match) wins over the body's `version`.
    public func update(_ planned: Planned, id: String, _ body: JSONValue, expectedVersion: Int64?) async throws -> RecordStore.Result {
        var plan = planned.plan
        try plan.takeUpdate(body, expectedVersion: expectedVersion)
        return try await store.update(plan, id: id)
    }

    public func delete(_ caller: Caller, entity: String, id: String, expectedVersion: Int64?) async throws {
        try await store.delete(try await plan(.delete, caller, entity: entity).plan, id: id, expectedVersion: expectedVersion)
    }

    public func restore(_ caller: Caller, entity: String, id: String) async throws -> RecordStore.Result {
        try await store.restore(try await plan(.restore, caller, entity: entity).plan, id: id)
    }

    public func history(_ caller: Caller, entity: String, id: String) async throws -> [RecordStore.HistoryEntry] {
        try await store.history(try await plan(.read, caller, entity: entity).plan, id: id)
    }

    public func stageHistory(_ caller: Caller, entity: String, id: String) async throws -> [RecordStore.StageVisit] {
        try await store.stageHistory(try await plan(.read, caller, entity: entity).plan, id: id)
    }

    /// "Lock for follow-up": the record stays readable, but only the locker may change it.
    /// Locking needs the update scope on the record; 423 when someone else holds it.
    public func lock(_ planned: Planned, id: String, _ body: JSONValue) async throws -> (holder: String, until: String) {
        let plan = planned.plan, caller = planned.caller, entity = plan.entity.name
        let input = try LockInput.check(body)
        let recordID = try await store.requireScope(plan, id: id)
        guard
            let lock = try await locks.lock(
                caller.tenant, entity: entity, recordID: recordID, holder: caller.userID,
                seconds: input.seconds, automation: nil)
        else {
            let other = try await locks.current(caller.tenant, entity: entity, recordID: recordID)
            throw TesseraError(
                status: 423, code: "record_locked", .lockedBySomeone(entity: entity, id: recordID, until: other?.until ?? "later"))
        }
        return (caller.userID.uuidString.lowercased(), lock.until)
    }

    /// The holder unlocks; so may whoever manages the tenant's metadata (an admin clearing a
    /// stale lock). Not locked (any more) is what the caller asked for.
    public func unlock(_ caller: Caller, entity: String, id: String) async throws {
        let planned = try await plan(.read, caller, entity: entity)
        let recordID = try await store.requireScope(planned.plan, id: id)
        let anyone = planned.policy?.has(.manageMetadata) == true
        if try await !locks.unlock(caller.tenant, entity: entity, recordID: recordID, holder: anyone ? nil : caller.userID),
            let other = try await locks.current(caller.tenant, entity: entity, recordID: recordID)
        {
            throw TesseraError.forbidden(.unlockRefused(entity: entity, id: recordID, until: other.until))
        }
    }

    /// How many live records a rule would refuse, whoever owns them (a designer's tool).
    public func preview(_ caller: Caller, entity: String, rule: ValidationRule) async throws -> (count: Int, sample: [String]) {
        var system = caller
        system.policy = nil
        let current = try await metadata.metadata(for: caller.tenant)
        return try await store.preview(try RecordPlan(.list, caller: system, model: try current.model(entity), evaluates: true), rule: rule)
    }
}
