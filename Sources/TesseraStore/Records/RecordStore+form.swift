public import TesseraCore

extension RecordStore {
    /// A stored record as its form needs it, read in one statement: the whole row (hidden fields
    /// too, since form conditions and rules read them; formulas computed), whether the caller's
    /// update scope reaches it, and someone else's lock on it.
    public struct FormRecord: Sendable {
        public let json: String
        public let version: Int64
        public let updatable: Bool
        public let lock: (holder: String, until: String)?
    }

    /// 404 for a record the caller cannot read (or this tenant does not have).
    public func formRecord(_ plan: RecordPlan, id: String) async throws -> FormRecord {
        guard let id = UUIDText.normalized(id) else { throw TesseraError.notFound(.noRecord(entity: plan.entity.name, id: id)) }
        let sql = RecordSQL(plan)
        let schema = sql.schema
        var b = SQLBuilder("SELECT row_to_json(q)::text, q.version, ")
        if let scope = plan.scope(.update) {
            ScopeSQL(schema: schema).append(
                scope, owner: "q.owner_id", assignedFields: scope.assignedFields.map { "q." + SQLIdentifier.quote($0) }, to: &b)
        } else {
            b.append("true")
        }
        b.append(", lk.holder, lk.until FROM ")
        try sql.appendSource(sql.table, to: &b)
        b.append(
            """
             LEFT JOIN LATERAL (SELECT coalesce(u.name, '') AS holder, to_char(l.until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS until \
            FROM \(AutomationStateTables.locks(schema)) l LEFT JOIN \(IdentityTables.users(schema)) u ON u.id = l.holder WHERE l.entity = 
            """)
        b.bind(.text(plan.entity.name), cast: "text")
        b.append(" AND l.record_id = q.id AND l.until > now() AND l.holder IS DISTINCT FROM ")
        b.bind(.text(sql.actor), cast: "uuid")
        b.append(" LIMIT 1) lk ON true WHERE q.id = ")
        b.bind(.text(id), cast: "uuid")
        b.append(" AND q.deleted_at IS NULL")
        sql.appendScope(.read, to: &b)
        do {
            guard let row = try await prepared.rows(b, client: client, logger: logger).first else {
                throw TesseraError.notFound(.noRecord(entity: plan.entity.name, id: id))
            }
            let (json, version, updatable, holder, until) = try row.decode((String, Int64, Bool, String?, String?).self)
            // Locks bind people; an automation's plan never resolves forms.
            let lock = plan.actor.locksApply ? holder.flatMap { h in until.map { (h, $0) } } : nil
            return FormRecord(json: json, version: version, updatable: updatable, lock: lock)
        } catch {
            throw DatabaseErrorMapper.map(error, entity: plan.entity) ?? error
        }
    }

    /// The related records (one hop) that the entity's rules, stage gates and forms read from
    /// `values` in `scopes`; nothing is queried when no expression looks through a relation.
    public func related(_ plan: RecordPlan, _ values: RecordValues, scopes: Set<FieldReference.Scope>) async throws -> RecordValues {
        let model = plan.model
        let hops = model.expressionReferences.contains { $0.hop != nil && scopes.contains($0.scope) }
        guard hops else { return values }
        let enforcer = RuleEnforcer(schema: plan.tenant.schema, model: model, prepared: prepared, logger: logger)
        return try await client.withConnection { connection in
            var loaded = values
            try await enforcer.loadRelated(into: &loaded, scopes: scopes, on: connection)
            return loaded
        }
    }
}
