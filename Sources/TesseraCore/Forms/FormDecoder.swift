/// Reads and checks a form against its entity and the tenant's roles: the fields exist and appear
/// once, the expressions compile, the stages and roles exist, and every field a record always needs
/// has a place.
public enum FormDecoder {
    public static let maxSections = 50
    public static let maxFieldsPerSection = 200
    public static let maxColumns = 4

    static let allowed: Set<String> = ["name", "label", "entity", "sections", "roles", "stages"]
    static let sectionKeys: Set<String> = ["name", "label", "columns", "fields", "visible_when", "related"]
    static let relatedKeys: Set<String> = ["entity", "via", "fields", "limit"]
    static let fieldKeys: Set<String> = ["field", "visible_when", "required_when", "readonly_when", "help"]

    /// Fields every record must be given: required, with no default, and not computed.
    public static func alwaysRequired(_ entity: EntityDefinition) -> [String] {
        entity.fields.filter { $0.required && $0.defaultValue == nil && !$0.type.isReadOnly }.map(\.name)
    }

    /// `entity` is the entity the route names; a body's `entity`, if any, must agree. A saved
    /// form checked again (`placesRequired` false) may lack a required field added to the entity
    /// since: the resolved form shows it anyway.
    public static func form(
        _ json: JSONValue, entity entityName: String, entities: [EntityDefinition], roles: [String], placesRequired: Bool = true
    ) throws(TesseraError) -> FormDefinition {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "", problems: &problems) else { throw .invalidMetadata(problems) }
        reader.rejectUnknown(allowed: allowed)
        let name = reader.string("name") ?? ""
        if !APIName.isValid(name) { reader.fail("name", rule: "name", .nameMustMatch) }
        let label = reader.label("label")
        if let named = reader.string("entity"), named != entityName {
            problems.append(.form(field: "entity", rule: "immutable", .entityMismatch(path: entityName, body: named)))
        }
        guard let entity = entities.first(where: { $0.name == entityName }) else { throw .notFound(.noEntity(entityName)) }
        let byName = Dictionary(entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let context = ExpressionContext(entity: entity, relatedEntity: { byName[$0] })
        func expression(_ source: String?, _ path: String) {
            guard let source else { return }
            do { _ = try CompiledExpression(source, in: context, expecting: .bool) } catch { problems.append(error.detail(property: path)) }
        }

        var sections: [FormDefinition.Section] = []
        var placed: Set<String> = []
        if case .array(let items)? = reader.raw("sections"), (1...maxSections).contains(items.count) {
            for (i, item) in items.enumerated() {
                let path = "sections[\(i)]"
                guard var section = ObjectReader(item, path: path, problems: &problems) else { continue }
                section.rejectUnknown(allowed: sectionKeys)
                let columns = section.int("columns", min: 1) ?? 1
                if columns > maxColumns { problems.append(.form(field: "\(path).columns", rule: "range", .columnsRange(max: maxColumns))) }
                let visibleWhen = section.string("visible_when")
                expression(visibleWhen, "\(path).visible_when")
                var fields: [FormDefinition.Field] = []
                var related: RelatedList?
                if section.has("related") {
                    if section.has("fields") { problems.append(.form(field: path, rule: "shape", .fieldsOrRelated)) }
                    related = self.related(section.raw("related"), path: "\(path).related", target: entity, entities: byName, problems: &problems)
                } else if case .array(let raw)? = section.raw("fields"), (1...maxFieldsPerSection).contains(raw.count) {
                    for (j, element) in raw.enumerated() {
                        guard let field = self.field(element, path: "\(path).fields[\(j)]", entity: entity, problems: &problems) else { continue }
                        if !placed.insert(field.name).inserted {
                            problems.append(.form(field: "\(path).fields[\(j)]", rule: "duplicate", .fieldTwice(field.name)))
                            continue
                        }
                        for (text, property) in [
                            (field.visibleWhen, "visible_when"), (field.requiredWhen, "required_when"), (field.readonlyWhen, "readonly_when"),
                        ] {
                            expression(text, "\(path).fields[\(j)].\(property)")
                        }
                        // Clearing the field would then lift its own requirement: the form and the
                        // write would disagree about whether it is required.
                        if let source = field.requiredWhen,
                            let compiled = try? CompiledExpression(source, in: context, expecting: .bool),
                            compiled.checked.references.contains(where: { $0.hop == nil && $0.column == field.name })
                        {
                            problems.append(
                                .form(field: "\(path).fields[\(j)].required_when", rule: "self_reference", .requiredReadsItself(field.name)))
                        }
                        fields.append(field)
                    }
                } else {
                    problems.append(.form(field: "\(path).fields", rule: "type", .sectionFieldsShape(max: maxFieldsPerSection)))
                }
                problems += section.problems
                sections.append(
                    .init(
                        name: section.string("name"), label: section.label("label"), columns: columns, fields: fields, visibleWhen: visibleWhen,
                        related: related))
            }
        } else {
            problems.append(.form(field: "sections", rule: reader.has("sections") ? "type" : "required", .sectionsShape(max: maxSections)))
        }
        let formRoles = reader.stringArray("roles") ?? []
        let unknownRoles = formRoles.filter { $0 != RoleDefinition.adminName && !roles.contains($0) }
        if !unknownRoles.isEmpty { problems.append(.form(field: "roles", rule: "unknown_role", .unknownRoles(unknownRoles))) }
        let stages = reader.stringArray("stages") ?? []
        if !stages.isEmpty {
            if let stageField = entity.fields.first(where: { $0.stage != nil }) {
                let unknown = stages.filter { key in !stageField.options.contains { $0.key == key } }
                if !unknown.isEmpty { problems.append(.form(field: "stages", rule: "unknown_stage", .unknownStages(unknown, entity: entity.name))) }
            } else {
                problems.append(.form(field: "stages", rule: "no_stage", .noStageField(entity: entity.name)))
            }
        }
        let missing = alwaysRequired(entity).filter { !placed.contains($0) }
        if placesRequired, !missing.isEmpty {
            problems.append(.form(field: "sections", rule: "required_field", .missingRequired(missing, entity: entity.name)))
        }
        problems = reader.problems + problems
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        var stored = json
        if case .object(var members) = json, !members.contains(where: { $0.0 == "entity" }) {
            members.insert(("entity", .string(entity.name)), at: min(1, members.count))
            stored = .object(members)
        }
        return FormDefinition(name: name, entity: entity.name, label: label, sections: sections, roles: formRoles, stages: stages, json: stored)
    }

    /// A section's related list: an entity with a relation to the form's (`via` names it when
    /// there are several), the fields its rows show and how many rows.
    private static func related(
        _ json: JSONValue?, path: String, target: EntityDefinition, entities: [String: EntityDefinition],
        problems: inout [TesseraError.Detail]
    ) -> RelatedList? {
        guard let json, case .object = json else {
            problems.append(.form(field: path, rule: "type", .relatedShape))
            return nil
        }
        guard var reader = ObjectReader(json, path: path, problems: &problems) else { return nil }
        reader.rejectUnknown(allowed: relatedKeys)
        let limit = reader.int("limit", min: 1) ?? RelatedList.defaultLimit
        if limit > RelatedList.maxLimit { problems.append(.init(field: "\(path).limit", rule: "range", .limitRange(max: RelatedList.maxLimit))) }
        let fields = reader.stringArray("fields") ?? []
        let via = reader.string("via")
        let source = reader.entity("entity", in: entities)
        problems += reader.problems
        guard let source else { return nil }
        let relations = source.fields.filter { $0.type == .relation && $0.target == target.name }.map(\.name)
        let field: String
        if let via {
            guard relations.contains(via) else {
                problems.append(
                    .form(field: "\(path).via", rule: "not_a_relation", .notARelationTo(entity: source.name, field: via, target: target.name)))
                return nil
            }
            field = via
        } else {
            guard relations.count == 1 else {
                problems.append(
                    .form(
                        field: "\(path).via", rule: relations.isEmpty ? "not_a_relation" : "required",
                        .relationToChoose(entity: source.name, target: target.name, fields: relations)))
                return nil
            }
            field = relations[0]
        }
        for (i, name) in fields.enumerated() where Column.resolve(name, in: source) == nil {
            let at = "\(path).fields[\(i)]"
            problems.append(.definition(field: at, rule: "unknown_field", .about(at, .notAField(name, entity: source.name))))
        }
        return RelatedList(entity: source.name, via: field, fields: fields, limit: limit)
    }

    /// One field of a section: a name, or an object with the field and its conditions.
    private static func field(
        _ element: JSONValue, path: String, entity: EntityDefinition, problems: inout [TesseraError.Detail]
    ) -> FormDefinition.Field? {
        var name: String?
        var visibleWhen: String?, requiredWhen: String?, readonlyWhen: String?, help: Label?
        switch element {
        case .string(let s):
            name = s
        case .object:
            guard var reader = ObjectReader(element, path: path, problems: &problems) else { return nil }
            reader.rejectUnknown(allowed: fieldKeys)
            name = reader.string("field")
            visibleWhen = reader.string("visible_when")
            requiredWhen = reader.string("required_when")
            readonlyWhen = reader.string("readonly_when")
            help = reader.label("help")
            problems += reader.problems
        default:
            break
        }
        guard let name else {
            problems.append(.form(field: path, rule: "type", .fieldShape))
            return nil
        }
        guard let definition = entity.field(name) else {
            let message: TesseraError.Detail =
                SystemColumn.names.contains(name)
                ? .form(field: path, rule: "system_field", .systemField(name))
                : .definition(field: path, rule: "unknown_field", .about(path, .notAField(name, entity: entity.name)))
            problems.append(message)
            return nil
        }
        if requiredWhen != nil, definition.type.isReadOnly {
            problems.append(.form(field: "\(path).required_when", rule: "read_only", .notComputedRequired(name)))
        }
        return .init(name: name, visibleWhen: visibleWhen, requiredWhen: requiredWhen, readonlyWhen: readonlyWhen, help: help)
    }
}
