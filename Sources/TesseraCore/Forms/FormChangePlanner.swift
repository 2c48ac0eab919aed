/// Plans the operations of `/api/v1/meta/entities/{entity}/forms` against a tenant's current
/// metadata (the route has checked `manage_metadata`).
public enum FormChangePlanner {
    public static func create(_ json: JSONValue, entity: String, current: TenantMetadata) throws(TesseraError) -> MetadataChange {
        let form = try FormDecoder.form(json, entity: entity, entities: current.entities, roles: current.roles.map(\.name))
        guard !current.forms.contains(where: { $0.key == form.key }) else {
            throw .definitionConflict(.alreadyExists(.form, form.name), code: "duplicate")
        }
        return MetadataChange(entities: current.entities, steps: [], action: "form.create", target: form.key, forms: current.forms + [form])
    }

    /// Top-level members of the body replace the form's; `name` and `entity` cannot change.
    public static func patch(_ form: FormDefinition, _ json: JSONValue, current: TenantMetadata) throws(TesseraError) -> MetadataChange {
        let merged = try form.json.patched(with: json, name: form.name, what: .form)
        let updated = try FormDecoder.form(merged, entity: form.entity, entities: current.entities, roles: current.roles.map(\.name))
        let forms = current.forms.map { $0.key == form.key ? updated : $0 }
        return MetadataChange(entities: current.entities, steps: [], action: "form.update", target: form.key, forms: forms)
    }

    public static func delete(_ form: FormDefinition, current: TenantMetadata) -> MetadataChange {
        MetadataChange(
            entities: current.entities, steps: [], action: "form.delete", target: form.key, forms: current.forms.filter { $0.key != form.key })
    }

    /// Several forms at once (a pack); keys already taken are refused.
    public static func createAll(_ new: [FormDefinition], forms: [FormDefinition], change: MetadataChange) throws(TesseraError) -> MetadataChange {
        let clashes = new.map(\.key).filter { key in forms.contains { $0.key == key } }
        guard clashes.isEmpty else { throw .definitionConflict(.alreadyExistAll(.form, clashes), code: "duplicate") }
        var change = change
        change.forms = forms + new
        return change
    }
}
