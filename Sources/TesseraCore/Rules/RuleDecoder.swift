/// Reads rules from wire-format JSON, reporting every problem at once.
public enum RuleDecoder {
    /// Decodes a rule; `path` prefixes problem names (e.g. `rules[2]`).
    public static func decode(_ json: JSONValue, path: String = "") -> (ValidationRule?, [TesseraError.Detail]) {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: path, problems: &problems) else { return (nil, problems) }
        let name = reader.string("name")
        let kindName = reader.string("kind")
        if name == nil { reader.fail("name", rule: "required", .required(reader.at("name"))) }
        guard let kindName else {
            reader.fail("kind", rule: "required", .requiredOneOf(reader.at("kind"), ValidationRule.Kind.allCases.map(\.rawValue)))
            return (nil, problems + reader.problems)
        }
        guard let kind = ValidationRule.Kind(rawValue: kindName) else {
            reader.fail("kind", rule: "unknown_kind", .unknownRuleKind(kindName, known: ValidationRule.Kind.allCases.map(\.rawValue)))
            return (nil, problems + reader.problems)
        }
        reader.rejectUnknown(allowed: ValidationRule.commonProperties.union(kind.properties)) { key in
            let owners = ValidationRule.Kind.allCases.filter { $0.properties.contains(key) }.map(\.rawValue)
            let at = path.isEmpty ? key : "\(path).\(key)"
            return owners.isEmpty ? nil : .propertyForOtherKinds(at, owners: owners, kind: kind.rawValue)
        }
        var rule = ValidationRule(name: name ?? "", kind: kind)
        if let name, !APIName.isValid(name) { reader.fail("name", rule: "name", .badRuleName(name)) }
        rule.message = reader.label("message")
        rule.fields = reader.stringArray("fields") ?? []
        rule.active = reader.bool("active") ?? true
        rule.expression = reader.string("expression")
        rule.when = reader.string("when")
        rule.required = reader.stringArray("required") ?? []
        rule.field = reader.string("field")
        rule.min = reader.int("min", min: 0)
        rule.max = reader.int("max", min: 0)
        rule.regex = reader.string("regex")
        rule.match = reader.stringArray("match") ?? []
        rule.within = reader.string("within")
        if let actionName = reader.string("action") {
            if let action = ValidationRule.DuplicateAction(rawValue: actionName) {
                rule.action = action
            } else {
                reader.fail("action", rule: "type", .ruleAction)
            }
        }
        rule.normalize = reader.bool("normalize") ?? false
        if let set = reader.raw("set"), !set.isNull {
            if case .object(let members) = set {
                rule.set = members
            } else {
                reader.fail("set", rule: "type", .setShape)
            }
        }
        rule.linkField = reader.string("link_field")
        rule.copy = reader.stringArray("copy") ?? []
        rule.whereExpression = reader.string("where")
        func need(_ present: Bool, _ key: String, _ example: String) {
            if !present { reader.fail(key, rule: "required", .ruleNeeds(kind: kind.rawValue, key: key, example: example)) }
        }
        switch kind {
        case .expression: need(rule.expression != nil, "expression", "size(record.photos) >= 2")
        case .requiredWhen:
            need(rule.when != nil, "when", "record.stage == 'won'")
            need(!rule.required.isEmpty, "required", "[\"contract\"]")
        case .minAttachments:
            need(rule.field != nil, "field", "\"photos\"")
            need(rule.min != nil, "min", "2")
        case .maxSelections:
            need(rule.field != nil, "field", "\"pain_points\"")
            need(rule.max != nil, "max", "3")
        case .pattern:
            need(rule.field != nil, "field", "\"phone\"")
            need(rule.regex != nil, "regex", "\"^1[3-9]\\\\d{9}$\"")
        case .duplicate:
            need(!rule.match.isEmpty, "match", "[\"phone\", \"company\"]")
            if let within = rule.within, DurationText.parse(within).map({ $0 > 0 }) != true {
                reader.fail("within", rule: "type", .withinDuration(within))
            }
            if rule.action == .link { need(rule.linkField != nil, "link_field", "\"duplicate_of\"") }
        case .noConflict: need(rule.whereExpression != nil, "where", "other.owner_id == record.owner_id && …")
        }
        problems += reader.problems
        return (problems.isEmpty ? rule : nil, problems)
    }

    /// Applies a PATCH body to a rule: given properties replace the old ones; name and kind stay.
    public static func patched(_ json: JSONValue, existing: ValidationRule) throws(TesseraError) -> ValidationRule {
        guard case .object(var members) = json else {
            throw .invalidMetadata([.definition(field: nil, rule: "type", .notAnObject(""))])
        }
        for key in ["name", "kind"] {
            if let value = json[key], value != existing.json[key] {
                throw .invalidMetadata([.definition(field: key, rule: "immutable", .ruleImmutable(key))])
            }
        }
        guard case .object(let old) = existing.json else { throw .internal() }
        for (key, value) in old where !members.contains(where: { $0.0 == key }) { members.append((key, value)) }
        let (rule, problems) = decode(.object(members))
        guard let rule else { throw .invalidMetadata(problems) }
        return rule
    }
}
