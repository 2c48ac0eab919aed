import Foundation

extension RecordPlan {
    /// Records one bulk create may hold (all-or-nothing).
    public static let maxBulk = 1000

    /// Decides `operation` for `caller` (whose `policy` is set; nil is the system's own work,
    /// which every row and field reaches): 403 when the action reaches no record at all.
    /// `evaluates` asks for the request's environment even without formulas or rules (a `where=`).
    public init(
        _ operation: Operation, caller: Caller, model: EntityModel, evaluates: Bool = false,
        now: Int64 = Timestamp.nowMicroseconds()
    ) throws(TesseraError) {
        let access = Self.access(caller, model)
        if let access, access.reach(operation.action).isNothing {
            throw .forbidden(.actionForbidden(action: operation.action.rawValue, entity: model.name))
        }
        let hidden = access.map { Self.hidden($0, model) } ?? []
        var scopes: [RecordAction: RowScope] = [:]
        if let access {
            let userID = caller.userID.uuidString.lowercased()
            let assigned = model.definition.fields.filter { $0.type == .user }.map(\.name)
            for action in RecordAction.allCases where !access.reach(action).isEverything {
                scopes[action] = RowScope(reach: access.reach(action), userID: userID, assignedFields: assigned)
            }
        }
        self.operation = operation
        self.model = model
        tenant = caller.tenant
        actor = RecordActor(caller)
        self.hidden = hidden
        self.scopes = scopes
        self.access = access
        forms = caller.automation == nil ? model.forms.filter { $0.definition.isOffered(to: caller.roles) } : []
        effects = Effects(events: model.listeners, timers: model.timers, stageField: model.stage?.field, checksRules: model.checksWrites)
        let needed = evaluates || !model.formulas.isEmpty || model.checksWrites
        environment = needed ? Self.environment(caller, now: now) : .unused
    }

    /// The entity as `caller` sees it (a related entity a filter reaches through a relation).
    public static func visible(_ caller: Caller, _ model: EntityModel) -> EntityDefinition {
        guard let access = access(caller, model) else { return model.definition }
        return visible(model.definition, hiding: hidden(access, model))
    }

    /// The entity without the hidden fields.
    static func visible(_ entity: EntityDefinition, hiding hidden: Set<String>) -> EntityDefinition {
        guard !hidden.isEmpty else { return entity }
        var copy = entity
        copy.fields = entity.fields.filter { !hidden.contains($0.name) }
        return copy
    }

    /// What expressions of this caller's request read besides records: the caller, one clock
    /// reading for the whole request, and the tenant's time zone and calendar.
    public static func environment(_ caller: Caller, now: Int64 = Timestamp.nowMicroseconds()) -> ExpressionEnvironment {
        ExpressionEnvironment(
            user: ["id": .string(caller.userID.uuidString.lowercased())], now: now,
            timeZone: TimeZoneRules(identifier: caller.tenant.timeZone) ?? .utc, calendar: caller.tenant.calendar)
    }

    /// The caller's roles on the entity; nil (everything) for admins and the system's own work.
    private static func access(_ caller: Caller, _ model: EntityModel) -> AccessPolicy.EntityAccess? {
        guard let policy = caller.policy, !policy.isAdmin else { return nil }
        return policy.entity(model.name)
    }

    /// Fields the roles hide, and formulas that read any of them.
    private static func hidden(_ access: AccessPolicy.EntityAccess, _ model: EntityModel) -> Set<String> {
        var hidden = access.hidden
        guard !hidden.isEmpty else { return hidden }
        for formula in model.formulas where formula.expression.references.contains(where: { $0.hop == nil && hidden.contains($0.column) }) {
            hidden.insert(formula.name)
        }
        return hidden
    }

    /// `person` is false for automations and approval steps, which write `read_only` fields.
    static func fieldPlan(_ field: FieldDefinition, access: AccessPolicy.EntityAccess?, hidden: Set<String>, person: Bool) -> FieldPlan {
        let level = access?.field(field.name) ?? .edit
        let computed = field.type == .formula || field.type == .autoNumber
        let reason: FieldPlan.Reason? =
            if level == .none { .hiddenByRole } else if hidden.contains(field.name) { .readsHiddenField } else if level == .read {
                .readOnlyByRole
            } else if computed { .computed } else if field.readOnly && person { .keptByProcess } else { nil }
        let visible = reason != .hiddenByRole && reason != .readsHiddenField
        return FieldPlan(name: field.name, visible: visible, editable: reason == nil, required: field.required, reason: reason)
    }
}

extension RecordPlan {
    /// Takes a create body: one record (an object) or, with the `import` permission, an array of
    /// up to `maxBulk`. Each body is checked against the entity (problems are kept with its write
    /// and reported with the store's own checks); setting a field the roles do not let the caller
    /// edit is a 403 naming each such field.
    public mutating func takeCreate(_ body: JSONValue, policy: AccessPolicy?) throws(TesseraError) -> Bool {
        var items = [body]
        let bulk: Bool
        if case .array(let array) = body {
            guard policy?.has(.import) ?? true else {
                throw .forbidden(.bulkNeedsImport)
            }
            guard !array.isEmpty else { throw .validation([.init(field: nil, rule: "empty", .emptyArray)]) }
            guard array.count <= Self.maxBulk else {
                throw .validation([
                    .init(field: nil, rule: "bulk_limit", .bulkLimit(max: Self.maxBulk, got: array.count))
                ])
            }
            items = array
            bulk = true
        } else {
            bulk = false
        }
        writes = try items.map { item throws(TesseraError) in try RecordInput.check(item, entity: entity, mode: .create) }
        for item in items { try requireEditable(item) }
        ownerChecks = ownersToCheck(writes.map { $0.ownerID ?? actor.userID }, .create)
        return bulk
    }

    /// Takes an update body; `expectedVersion` (from `If-Match`) wins over the body's `version`.
    public mutating func takeUpdate(_ body: JSONValue, expectedVersion: Int64? = nil) throws(TesseraError) {
        var write = try RecordInput.check(body, entity: entity, mode: .update)
        try requireEditable(body)
        if let expectedVersion { write.expectedVersion = expectedVersion }
        writes = [write]
        ownerChecks = ownersToCheck(write.ownerID.map { [$0] } ?? [], .update)
    }

    /// Takes writes checked elsewhere (an automation's, which no role limits).
    public mutating func take(_ writes: [RecordWrite]) {
        self.writes = writes
        let owners = operation == .create ? writes.map { $0.ownerID ?? actor.userID } : writes.compactMap(\.ownerID)
        ownerChecks = ownersToCheck(owners, operation.action)
    }

    /// 403 naming the fields the body sets that the caller may not edit (defaults filled in for
    /// fields the body leaves out are not the caller's edits).
    private func requireEditable(_ body: JSONValue) throws(TesseraError) {
        guard case .object(let members) = body else { return }
        let kept = members.map(\.0).filter { field($0)?.reason == .keptByProcess }
        if !kept.isEmpty {
            throw .forbidden(
                .fieldsKeptByProcess(kept, entity: entity.name),
                details: kept.map { .init(field: $0, rule: "read_only", .about($0, .fieldKeptByProcess)) })
        }
        let refused = members.map(\.0).filter { field($0)?.refusedByRoles == true }
        guard !refused.isEmpty else { return }
        throw .forbidden(
            .fieldsReadOnly(refused, entity: entity.name),
            details: refused.map { .init(field: $0, rule: "field_permission", .about($0, .fieldReadOnly)) })
    }

    /// Owners other than the caller, when the action does not reach every row (the caller's own
    /// records are in every scope that reaches anything).
    private func ownersToCheck(_ owners: [String], _ action: RecordAction) -> [String] {
        guard scope(action) != nil else { return [] }
        return Set(owners).subtracting([actor.userID]).sorted()
    }
}
