/// Turns wire-format JSON into checked entity and field definitions, reporting every problem at once.
public enum MetadataDecoder {
    static let commonFieldProperties: Set<String> = ["name", "type", "label", "help", "required", "unique", "indexed", "default"]

    /// Decodes an entity. `knownEntities` are the other entities a relation may target.
    public static func entity(_ json: JSONValue, knownEntities: Set<String>) throws(TesseraError) -> EntityDefinition {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "", problems: &problems) else { throw .invalidMetadata(problems) }
        reader.rejectUnknown(allowed: ["name", "label", "title_field", "fields", "rules"])
        let name = reader.string("name")
        if name == nil, !reader.has("name") { reader.fail("name", rule: "required", "name is required") }
        var entity = EntityDefinition(name: name ?? "", label: reader.label("label"), titleField: reader.string("title_field"))
        if let fieldsValue = reader.raw("fields"), !fieldsValue.isNull {
            if case .array(let elements) = fieldsValue {
                for (i, element) in elements.enumerated() {
                    if let field = decodeField(element, path: "fields[\(i)]", problems: &problems) { entity.fields.append(field) }
                }
            } else {
                reader.fail("fields", rule: "type", "fields must be an array")
            }
        }
        if let rulesValue = reader.raw("rules"), !rulesValue.isNull {
            if case .array(let elements) = rulesValue {
                for (i, element) in elements.enumerated() {
                    let (rule, ruleProblems) = RuleDecoder.decode(element, path: "rules[\(i)]")
                    problems += ruleProblems
                    if let rule {
                        if entity.rule(rule.name) != nil {
                            problems.append(.init(field: "rules[\(i)].name", rule: "duplicate", message: "rule '\(rule.name)' appears twice"))
                        }
                        entity.rules.append(rule)
                    }
                }
            } else {
                reader.fail("rules", rule: "type", "rules must be an array")
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
            throw .conflict("Entity '\(entity.name)' already has a field '\(field.name)'.", code: "duplicate_field")
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
            throw .invalidMetadata([.init(field: nil, rule: "type", message: "the body must be a JSON object")])
        }
        if let name = json["name"], name != .string(existing.name) {
            throw .invalidMetadata([.init(field: "name", rule: "immutable", message: "A field's name cannot change; add a new field instead.")])
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
            case "fields": "fields are changed through /fields routes, one at a time"
            case "rules": "rules are changed through /rules routes, one at a time"
            default: nil
            }
        }
        if let name = reader.string("name"), name != existing.name {
            reader.fail("name", rule: "immutable", "An entity's name cannot change.")
        }
        var entity = existing
        if let label = reader.label("label") { entity.label = label }
        if reader.has("title_field") { entity.titleField = reader.string("title_field") }
        problems += reader.problems
        if let title = entity.titleField, entity.field(title) == nil {
            problems.append(.init(field: "title_field", rule: "unknown_field", message: "title_field '\(title)' is not a field of '\(entity.name)'"))
        }
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        return entity
    }

    static func decodeField(_ json: JSONValue, path: String, problems: inout [TesseraError.Detail]) -> FieldDefinition? {
        guard var reader = ObjectReader(json, path: path, problems: &problems) else { return nil }
        defer { problems += reader.problems }
        let name = reader.string("name")
        let typeName = reader.string("type")
        if name == nil { reader.fail("name", rule: "required", "\(reader.at("name")) is required") }
        if typeName == nil { reader.fail("type", rule: "required", "\(reader.at("type")) is required") }
        guard let typeName else { return nil }
        guard let type = FieldType(rawValue: typeName) else {
            let known = FieldType.allCases.map(\.rawValue).joined(separator: ", ")
            reader.fail("type", rule: "unknown_type", "'\(typeName)' is not a field type; use one of: \(known)")
            return nil
        }
        let fieldPath = path
        reader.rejectUnknown(allowed: commonFieldProperties.union(type.allowedProperties)) { key in
            let owners = FieldType.allCases.filter { $0.allowedProperties.contains(key) }.map(\.rawValue)
            let at = fieldPath.isEmpty ? key : "\(fieldPath).\(key)"
            return owners.isEmpty ? nil : "\(at) applies only to \(owners.joined(separator: "/")) fields, not \(type.rawValue)"
        }
        var field = FieldDefinition(name: name ?? "", type: type, label: reader.label("label"))
        field.help = reader.label("help")
        field.required = reader.bool("required") ?? false
        field.unique = reader.bool("unique") ?? false
        field.indexed = reader.bool("indexed") ?? false
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
                reader.fail(
                    "result", rule: "type",
                    "result '\(resultName)' must be one of: \(FieldType.formulaResults.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let optionsValue = reader.raw("options"), !optionsValue.isNull {
            if case .array(let elements) = optionsValue {
                for (i, element) in elements.enumerated() {
                    guard var optionReader = ObjectReader(element, path: reader.at("options[\(i)]"), problems: &problems) else { continue }
                    optionReader.rejectUnknown(allowed: ["key", "label", "color"])
                    let key = optionReader.string("key")
                    if key == nil { optionReader.fail("key", rule: "required", "\(optionReader.at("key")) is required") }
                    let option = SelectOption(
                        key: key ?? "", label: optionReader.label("label") ?? Label(en: key ?? ""), color: optionReader.string("color"))
                    problems += optionReader.problems
                    if key != nil { field.options.append(option) }
                }
            } else {
                reader.fail("options", rule: "type", "\(reader.at("options")) must be an array of {key,label,color}")
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
        func add(_ property: String, _ rule: String, _ message: String) {
            p.append(.init(field: property, rule: rule, message: message))
        }
        if !APIName.isValid(field.name) {
            add("name", "name", "field name '\(field.name)' \(APIName.describeRule())")
        } else if APIName.isReservedFieldName(field.name) {
            add("name", "reserved", "'\(field.name)' is reserved (system column or query word); choose another field name")
        }
        if let min = field.min, let max = field.max, min > max { add("min", "range", "min (\(min)) is greater than max (\(max))") }
        if let min = field.minCount, let max = field.maxCount, min > max {
            add("min_count", "range", "min_count (\(min)) is greater than max_count (\(max))")
        }
        if field.type == .select || field.type == .multiSelect {
            if field.options.isEmpty { add("options", "required", "a \(field.type.rawValue) field needs at least one option") }
            var seen: Set<String> = []
            for option in field.options {
                if !APIName.isValid(option.key) { add("options", "name", "option key '\(option.key)' \(APIName.describeRule())") }
                if !seen.insert(option.key).inserted { add("options", "duplicate", "option key '\(option.key)' appears twice") }
                if let color = option.color, !isHexColor(color) {
                    add("options", "color", "option '\(option.key)': color '\(color)' must look like #3b82f6")
                }
            }
            if let max = field.maxSelections, max > field.options.count, !field.options.isEmpty {
                add("max_selections", "range", "max_selections (\(max)) is larger than the number of options (\(field.options.count))")
            }
        }
        if field.type == .relation, field.target == nil { add("target", "required", "a relation field needs a target entity") }
        if field.type == .autoNumber {
            if let pattern = field.pattern {
                if let problem = AutoNumberPattern.problem(in: pattern) { add("pattern", "pattern", problem) }
            } else {
                add("pattern", "required", "an auto_number field needs a pattern like CT-{YYYY}-{0000}")
            }
        }
        if field.type == .formula {
            if field.expression == nil { add("expression", "required", "a formula field needs an expression, like record.amount * 0.1") }
            if field.result == nil, field.expression != nil {
                add("result", "required", "a formula field needs a result type: \(FieldType.formulaResults.map(\.rawValue).joined(separator: ", "))")
            }
            for (flag, property) in [(field.required, "required"), (field.unique, "unique"), (field.indexed, "indexed")] where flag {
                add(property, "unsupported", "a formula is computed on read; it cannot be \(property)")
            }
        }
        for mime in field.accept where !isMimePattern(mime) {
            add("accept", "format", "'\(mime)' is not a MIME type pattern like image/* or application/pdf")
        }
        if let maxLength = field.maxLength, maxLength > 100_000 { add("max_length", "range", "max_length may be at most 100000") }
        if field.unique, !field.type.isBtreeIndexable { add("unique", "unsupported", "\(field.type.rawValue) fields cannot be unique") }
        if field.indexed, field.type == .location { add("indexed", "unsupported", "location fields cannot be indexed yet") }
        if let value = field.defaultValue {
            if !field.type.acceptsDefault {
                add("default", "unsupported", "\(field.type.rawValue) fields cannot have a default")
            } else if p.isEmpty {
                var problems: [TesseraError.Detail] = []
                _ = ValueCoercer.coerce(value, for: field, problems: &problems)
                for detail in problems { add("default", detail.rule, "default: \(detail.message)") }
            }
        }
        return p
    }

    /// Checks what depends on the whole entity: unique field names, title field, relation targets.
    static func check(_ entity: EntityDefinition, knownEntities: Set<String>) -> [TesseraError.Detail] {
        var p: [TesseraError.Detail] = []
        if !APIName.isValid(entity.name) {
            p.append(.init(field: "name", rule: "name", message: "entity name '\(entity.name)' \(APIName.describeRule())"))
        }
        var seen: Set<String> = []
        for (i, field) in entity.fields.enumerated() {
            if !seen.insert(field.name).inserted {
                p.append(.init(field: "fields[\(i)].name", rule: "duplicate", message: "field '\(field.name)' appears twice"))
            }
            if let target = field.target, field.type == .relation, target != entity.name, !knownEntities.contains(target) {
                p.append(
                    .init(
                        field: "fields[\(i)].target", rule: "unknown_entity",
                        message: "relation '\(field.name)' targets '\(target)', which is not an entity of this tenant"))
            }
        }
        if let title = entity.titleField, entity.field(title) == nil {
            p.append(.init(field: "title_field", rule: "unknown_field", message: "title_field '\(title)' is not a field of '\(entity.name)'"))
        }
        let stages = entity.fields.filter { $0.stage != nil }
        if stages.count > 1 {
            p.append(
                .init(
                    field: "fields", rule: "stage", message: "only one field can be the stage (found \(stages.map(\.name).joined(separator: ", ")))"))
        }
        for (i, field) in entity.fields.enumerated() where field.stage != nil {
            p += field.stage!.problems(field: field, entity: entity, path: "fields[\(i)].stage")
        }
        if entity.fields.count > 500 {
            p.append(.init(field: "fields", rule: "range", message: "an entity may have at most 500 fields"))
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
