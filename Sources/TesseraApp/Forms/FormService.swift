public import TesseraCore
public import TesseraStore

/// Resolves forms: the caller's plan for the entity, the stored record (one statement: the row,
/// the update scope and any lock), the draft over it, and `FormResolver` deciding every field.
public struct FormService: Sendable {
    let records: RecordService
    let store: RecordStore

    /// The form for a new record (`id` nil) or a stored one, as `draft` (an object of field
    /// values, possibly empty) would show it. A new record needs the create right, a stored one
    /// the read scope (404 otherwise).
    public func resolve(_ caller: Caller, entity: String, id: String?, draft: JSONValue?) async throws -> ResolvedForm {
        let planned = try await records.plan(id == nil ? .create : .read, caller, entity: entity, evaluates: true)
        let plan = planned.plan
        let visible = plan.visibleEntity
        var body = draft ?? .object([])
        guard case .object(let members) = body else { throw TesseraError.validation([.init(field: nil, rule: "type", .notAnObject)]) }
        // The draft may not name what it could not write: system columns and hidden fields are unknown.
        body = .object(members.filter { $0.0 != "version" })
        var values: [String: JSONValue] = [:]
        var stored: RecordValues?
        var record: RecordValues
        var problems: [TesseraError.Detail]
        var version: Int64?
        var updatable = true
        var lock: (holder: String, until: String)?
        var recordID: String?
        if let id {
            let row = try await store.formRecord(plan, id: id)
            let json = try JSONParser.parse(row.json)
            if case .object(let columns) = json { for (name, value) in columns { values[name] = value } }
            let old = RecordValues(json: json, entity: plan.entity)
            let write = try RecordInput.check(body, entity: visible, mode: .update)
            var merged = old
            for assignment in write.assignments {
                merged.fields[assignment.field.name] = .from(stored: assignment.value, type: assignment.field.type)
            }
            if let owner = write.ownerID { merged.fields["owner_id"] = .string(owner) }
            problems = write.problems
            stored = try await store.related(plan, old, scopes: [.old, .record])
            record = try await store.related(plan, merged, scopes: [.record])
            version = row.version
            updatable = row.updatable
            lock = row.lock
            recordID = values["id"]?.stringValue
            for assignment in write.assignments { values[assignment.field.name] = members.last { $0.0 == assignment.field.name }?.1 }
        } else {
            let write = try RecordInput.check(body, entity: visible, mode: .create)
            let actor = plan.actor.userID
            let fresh = RecordStore.values(of: write, id: "", owner: write.ownerID ?? actor, actor: actor, now: plan.environment.now)
            record = try await store.related(plan, fresh, scopes: [.record])
            // A new form is expected to lack what the person has not typed yet.
            problems = write.problems.filter { $0.rule != "required" || write.given.contains($0.field ?? "") }
            for field in plan.entity.fields {
                if let given = members.last(where: { $0.0 == field.name })?.1 {
                    values[field.name] = given
                } else if let value = field.defaultValue {
                    values[field.name] = value
                }
            }
        }
        var form = FormResolver(
            plan: plan, record: record, stored: stored, values: values, recordID: recordID, version: version, updatable: updatable, lock: lock,
            problems: problems
        ).resolve()
        try await fillRelated(&form, planned.caller)
        return form
    }

    /// The rows of the form's related lists, read as the caller (a new record has none yet); a
    /// list the caller may not read is left out, as a hidden field is.
    private func fillRelated(_ form: inout ResolvedForm, _ caller: Caller) async throws {
        let indices = form.sections.indices.filter { form.sections[$0].related != nil }
        guard !indices.isEmpty else { return }
        let lists = indices.compactMap { form.sections[$0].related }
        let rows = try await records.related(caller, id: form.recordID, lists: lists)
        for (index, row) in zip(indices, rows) { form.sections[index].rows = row }
        form.sections.removeAll { $0.related != nil && $0.rows == nil }
    }
}
