/// Turns wire-format JSON into checked entity and field definitions, reporting every problem at once.
public enum MetadataDecoder {
    static let commonFieldProperties: Set<String> = ["name", "type", "label", "help", "required", "unique", "indexed", "read_only", "default"]

    /// Decodes an entity. `knownEntities` are the other entities a relation may target.
    public static func entity(_ json: JSONValue, knownEntities: Set<String>) throws(TesseraError) -> EntityDefinition {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "", problems: &problems) else { throw .invalidMetadata(problems) }
        reader.rejectUnknown(allowed: ["name", "label", "title_field", "fields", "rules"])
        let name = reader.string("name")
        if name == nil, !reader.has("name") { reader.fail("name", rule: "required", .required("name")) }
        var entity = EntityDefinition(name: name ?? "", label: reader.label("label"), titleField: reader.string("title_field"))
        if let fieldsValue = reader.raw("fields"), !fieldsValue.isNull {
            if case .array(let elements) = fieldsValue {
                for (i, element) in elements.enumerated() {
                    if let field = decodeField(element, path: "fields[\(i)]", problems: &problems) { entity.fields.append(field) }
                }
            } else {
                reader.fail("fields", rule: "type", .notAnArray("fields"))
            }
        }
        if let rulesValue = reader.raw("rules"), !rulesValue.isNull {
            if case .array(let elements) = rulesValue {
                for (i, element) in elements.enumerated() {
                    let (rule, ruleProblems) = RuleDecoder.decode(element, path: "rules[\(i)]")
                    problems += ruleProblems
                    if let rule {
                        if entity.rule(rule.name) != nil {
                            problems.append(.definition(field: "rules[\(i)].name", rule: "duplicate", .ruleTwice(rule.name)))
                        }
                        entity.rules.append(rule)
                    }
                }
            } else {
                reader.fail("rules", rule: "type", .notAnArray("rules"))
            }
        }
        problems.insert(contentsOf: reader.problems, at: 0)
        problems += check(entity, knownEntities: knownEntities)
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        return entity
    }

    /// Decodes one field for adding to `entity`.
    public static func newField(_ json: JSONValue, in entity: EntityDefinition, knownEntities: Set<String>) throws(TesseraError) -> FieldDefinition {
        var problems: [TesseraError.Detail] = []
        guard let field = decodeField(json, path: "", problems: &problems) else { throw .invalidMetadata(problems) }
        if entity.field(field.name) != nil {
            throw .definitionConflict(.entityHasField(entity.name, field.name), code: "duplicate_field")
        }
        var updated = entity
        updated.fields.append(field)
        problems += check(updated, knownEntities: knownEntities)
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        return field
    }

    /// Applies a PATCH body to an existing field: every property given replaces the old one; `name` cannot change.
    public static func patchedField(_ json: JSONValue, existing: FieldDefinition) throws(TesseraError) -> FieldDefinition {
        var problems: [TesseraError.Detail] = []
        guard case .object(var members) = json else {
            throw .invalidMetadata([.definition(field: nil, rule: "type", .notAnObject(""))])
        }
        if let name = json["name"], name != .string(existing.name) {
            throw .invalidMetadata([.definition(field: "name", rule: "immutable", .fieldNameImmutable)])
        }
        // Start from the existing definition and overlay the given members.
        guard case .object(let old) = existing.json else { throw .internal() }
        for (key, value) in old where !members.contains(where: { $0.0 == key }) { members.append((key, value)) }
        guard let field = decodeField(.object(members), path: "", problems: &problems) else { throw .invalidMetadata(problems) }
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        return field
    }

    /// Applies a PATCH body (label, title_field) to an entity.
    public static func patchedEntity(_ json: JSONValue, existing: EntityDefinition) throws(TesseraError) -> EntityDefinition {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "", problems: &problems) else { throw .invalidMetadata(problems) }
        reader.rejectUnknown(allowed: ["name", "label", "title_field"]) { key in
            switch key {
            case "fields": .fieldsViaRoutes
            case "rules": .rulesViaRoutes
            default: nil
            }
        }
        if let name = reader.string("name"), name != existing.name {
            reader.fail("name", rule: "immutable", .entityNameImmutable)
        }
        var entity = existing
        if let label = reader.label("label") { entity.label = label }
        if reader.has("title_field") { entity.titleField = reader.string("title_field") }
        problems += reader.problems
        if let title = entity.titleField, entity.field(title) == nil {
            problems.append(.definition(field: "title_field", rule: "unknown_field", .titleFieldUnknown(title, entity: entity.name)))
        }
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        return entity
    }

    static func decodeField(_ json: JSONValue, path: String, problems: inout [TesseraError.Detail]) -> FieldDefinition? {
        guard var reader = ObjectReader(json, path: path, problems: &problems) else { return nil }
        defer { problems += reader.problems }
        let name = reader.string("name")
        let typeName = reader.string("type")
        if name == nil { reader.fail("name", rule: "required", .required(reader.at("name"))) }
        if typeName == nil { reader.fail("type", rule: "required", .required(reader.at("type"))) }
        guard let typeName else { return nil }
        guard let type = FieldType(rawValue: typeName) else {
            reader.fail("type", rule: "unknown_type", .unknownFieldType(typeName, known: FieldType.allCases.map(\.rawValue)))
            return nil
        }
        let fieldPath = path
        reader.rejectUnknown(allowed: commonFieldProperties.union(type.allowedProperties)) { key in
            let owners = FieldType.allCases.filter { $0.allowedProperties.contains(key) }.map(\.rawValue)
            let at = fieldPath.isEmpty ? key : "\(fieldPath).\(key)"
            return owners.isEmpty ? nil : .propertyForOtherTypes(at, owners: owners, type: type.rawValue)
        }
        var field = FieldDefinition(name: name ?? "", type: type, label: reader.label("label"))
        field.help = reader.label("help")
        field.required = reader.bool("required") ?? false
        field.unique = reader.bool("unique") ?? false
        field.indexed = reader.bool("indexed") ?? false
        field.readOnly = reader.bool("read_only") ?? false
        field.maxLength = reader.int("max_length", min: 1)
        field.min = reader.double("min")
        field.max = reader.double("max")
        field.maxSelections = reader.int("max_selections", min: 1)
        field.target = reader.string("target")
        field.minCount = reader.int("min_count", min: 0)
        field.maxCount = reader.int("max_count", min: 0)
        field.accept = reader.stringArray("accept") ?? []
        field.pattern = reader.string("pattern")
        field.expression = reader.string("expression")
        if let resultName = reader.string("result") {
            if let result = FieldType(rawValue: resultName), FieldType.formulaResults.contains(result) {
                field.result = result
            } else {
                reader.fail("result", rule: "type", .resultType(resultName, allowed: FieldType.formulaResults.map(\.rawValue)))
            }
        }
        if let optionsValue = reader.raw("options"), !optionsValue.isNull {
            if case .array(let elements) = optionsValue {
                for (i, element) in elements.enumerated() {
                    guard var optionReader = ObjectReader(element, path: reader.at("options[\(i)]"), problems: &problems) else { continue }
                    optionReader.rejectUnknown(allowed: ["key", "label", "color"])
                    let key = optionReader.string("key")
                    if key == nil { optionReader.fail("key", rule: "required", .required(optionReader.at("key"))) }
                    let option = SelectOption(
                        key: key ?? "", label: optionReader.label("label") ?? Label(en: key ?? ""), color: optionReader.string("color"))
                    problems += optionReader.problems
                    if key != nil { field.options.append(option) }
                }
            } else {
                reader.fail("options", rule: "type", .optionsShape(reader.at("options")))
            }
        }
        if let value = reader.raw("default"), !value.isNull { field.defaultValue = value }
        if let value = reader.raw("stage"), !value.isNull {
            field.stage = StageConfig.decode(value, path: reader.at("stage"), problems: &problems)
        }
        let prefix = path.isEmpty ? "" : path + "."
        problems += check(field).map { $0.prefixed(field: prefix, message: "", whenNoField: prefix) }
        return field
    }

    /// Checks one field's own consistency; problems are named relative to the field.
    static func check(_ field: FieldDefinition) -> [TesseraError.Detail] {
        var p: [TesseraError.Detail] = []
        func add(_ property: String, _ rule: String, _ message: DefinitionMessage) {
            p.append(.definition(field: property, rule: rule, message))
        }
        if !APIName.isValid(field.name) {
            add("name", "name", .badFieldName(field.name))
        } else if APIName.isReservedFieldName(field.name) {
            add("name", "reserved", .reservedFieldName(field.name))
        }
        if let min = field.min, let max = field.max, min > max { add("min", "range", .minAboveMax(min, max)) }
        if let min = field.minCount, let max = field.maxCount, min > max {
            add("min_count", "range", .minCountAboveMaxCount(min, max))
        }
        if field.type == .select || field.type == .multiSelect {
            if field.options.isEmpty { add("options", "required", .needsOption(field.type.rawValue)) }
            var seen: Set<String> = []
            for option in field.options {
                if !APIName.isValid(option.key) { add("options", "name", .badOptionKey(option.key)) }
                if !seen.insert(option.key).inserted { add("options", "duplicate", .optionKeyTwice(option.key)) }
                if let color = option.color, !isHexColor(color) {
                    add("options", "color", .optionColor(option.key, color: color))
                }
            }
            if let max = field.maxSelections, max > field.options.count, !field.options.isEmpty {
                add("max_selections", "range", .maxSelectionsAboveOptions(max, options: field.options.count))
            }
        }
        if field.type == .relation, field.target == nil { add("target", "required", .relationNeedsTarget) }
        if field.type == .autoNumber {
            if let pattern = field.pattern {
                if let problem = AutoNumberPattern.problem(in: pattern) { add("pattern", "pattern", problem) }
            } else {
                add("pattern", "required", .autoNumberNeedsPattern)
            }
        }
        if field.type == .formula {
            if field.expression == nil { add("expression", "required", .formulaNeedsExpression) }
            if field.result == nil, field.expression != nil {
                add("result", "required", .formulaNeedsResult(FieldType.formulaResults.map(\.rawValue)))
            }
            for (flag, property) in [(field.required, "required"), (field.unique, "unique"), (field.indexed, "indexed")] where flag {
                add(property, "unsupported", .formulaCannotBe(property))
            }
        }
        // Nobody could create a record: people may not set it, and nothing fills it in.
        if field.readOnly, field.required, field.defaultValue == nil { add("read_only", "conflict", .readOnlyRequired(field.name)) }
        for mime in field.accept where !isMimePattern(mime) {
            add("accept", "format", .notMimePattern(mime))
        }
        if let maxLength = field.maxLength, maxLength > 100_000 { add("max_length", "range", .maxLengthLimit) }
        if field.unique, !field.type.isBtreeIndexable { add("unique", "unsupported", .cannotBeUnique(field.type.rawValue)) }
        if field.indexed, field.type == .location { add("indexed", "unsupported", .locationNotIndexed) }
        if let value = field.defaultValue {
            if !field.type.acceptsDefault {
                add("default", "unsupported", .noDefault(field.type.rawValue))
            } else if p.isEmpty {
                var problems: [TesseraError.Detail] = []
                _ = ValueCoercer.coerce(value, for: field, problems: &problems)
                for detail in problems { add("default", detail.rule, .about("default", .detail(detail))) }
            }
        }
        return p
    }

    /// Checks what depends on the whole entity: unique field names, title field, relation targets.
    static func check(_ entity: EntityDefinition, knownEntities: Set<String>) -> [TesseraError.Detail] {
        var p: [TesseraError.Detail] = []
        if !APIName.isValid(entity.name) {
            p.append(.definition(field: "name", rule: "name", .badEntityName(entity.name)))
        }
        var seen: Set<String> = []
        for (i, field) in entity.fields.enumerated() {
            if !seen.insert(field.name).inserted {
                p.append(.definition(field: "fields[\(i)].name", rule: "duplicate", .fieldTwice(field.name)))
            }
            if let target = field.target, field.type == .relation, target != entity.name, !knownEntities.contains(target) {
                p.append(.definition(field: "fields[\(i)].target", rule: "unknown_entity", .unknownTarget(relation: field.name, target: target)))
            }
        }
        if let title = entity.titleField, entity.field(title) == nil {
            p.append(.definition(field: "title_field", rule: "unknown_field", .titleFieldUnknown(title, entity: entity.name)))
        }
        let stages = entity.fields.filter { $0.stage != nil }
        if stages.count > 1 {
            p.append(.definition(field: "fields", rule: "stage", .oneStage(stages.map(\.name))))
        }
        for (i, field) in entity.fields.enumerated() where field.stage != nil {
            p += field.stage!.problems(field: field, entity: entity, path: "fields[\(i)].stage")
        }
        if entity.fields.count > 500 {
            p.append(.definition(field: "fields", rule: "range", .tooManyFields))
        }
        return p
    }

    static func isHexColor(_ s: String) -> Bool {
        s.utf8.count == 7 && s.hasPrefix("#") && s.dropFirst().allSatisfy(\.isHexDigit)
    }

    static func isMimePattern(_ s: String) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
        return parts[0].allSatisfy(allowed) && (parts[1] == "*" || parts[1].allSatisfy(allowed))
    }
}
