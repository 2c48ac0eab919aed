/// A validation rule compiled against its entity: what Swift evaluates on every write, and
/// what the store checks against other records (duplicates, conflicts).
public struct CompiledRule: Sendable {
    public enum Check: Sendable {
        /// Violated when the expression is false; unknown holds, as in a PostgreSQL CHECK.
        case holds(CheckedExpression)
        /// While the condition is true, each of the fields must have a value.
        case requiredWhen(CheckedExpression, [String])
        /// Another live record with the same values of these fields (created within the window).
        case duplicate(match: [FieldDefinition], within: Int64?)
        /// No other live record for which the expression over `record` and `other` holds.
        case noConflict(CheckedExpression)
    }

    public let rule: ValidationRule
    public let check: Check
    public let entity: String

    public var name: String { rule.name }

    /// Checks a rule against its entity; problems are named by property (`expression`, `when`…).
    public static func compile(
        _ rule: ValidationRule, entity: EntityDefinition,
        related: @escaping @Sendable (String) -> EntityDefinition?
    ) throws(TesseraError) -> CompiledRule {
        var problems: [TesseraError.Detail] = []
        func field(_ name: String, _ property: String) -> FieldDefinition? {
            guard let field = entity.field(name) else {
                problems.append(.definition(field: property, rule: "unknown_field", .about(property, .notAField(name, entity: entity.name))))
                return nil
            }
            return field
        }
        func compile(_ source: String, _ property: String, scopes: Set<FieldReference.Scope>) -> CheckedExpression? {
            do {
                let context = ExpressionContext(entity: entity, scopes: scopes, relatedEntity: related)
                return try CompiledExpression(source, in: context, expecting: .bool).checked
            } catch {
                problems.append(error.detail(property: property))
                return nil
            }
        }
        for name in rule.fields where entity.field(name) == nil && Column.resolve(name, in: entity) == nil {
            problems.append(.definition(field: "fields", rule: "unknown_field", .about("fields", .notAField(name, entity: entity.name))))
        }
        var check: Check?
        switch rule.kind {
        case .expression:
            check = compile(rule.expression ?? "", "expression", scopes: [.record, .old]).map(Check.holds)
        case .requiredWhen:
            let fields = rule.required.compactMap { field($0, "required") }
            for f in fields where f.type.isReadOnly {
                problems.append(.definition(field: "required", rule: "read_only", .about("required", .computedNotRequired(f.name))))
            }
            if let when = compile(rule.when ?? "", "when", scopes: [.record, .old]) { check = .requiredWhen(when, fields.map(\.name)) }
        case .minAttachments, .maxSelections, .pattern:
            guard let name = rule.field, let f = field(name, "field") else { break }
            let source: String
            switch rule.kind {
            case .minAttachments, .maxSelections:
                // Both count the items of a list field: attachments or multi-select keys.
                guard f.type == .attachment || f.type == .multiSelect else {
                    problems.append(
                        .definition(field: "field", rule: "type", .about("field", .countsListFields(kind: rule.kind.rawValue, type: f.type.rawValue)))
                    )
                    break
                }
                let (op, bound, property) = rule.kind == .minAttachments ? (">=", rule.min, "min") : ("<=", rule.max, "max")
                source = "size(record.\(name)) \(op) \(bound ?? 0)"
                check = compile(source, property, scopes: [.record]).map(Check.holds)
            default:
                guard ExpressionType.of(f.readType) == .string else {
                    problems.append(.definition(field: "field", rule: "type", .about("field", .patternOnText(f.type.rawValue))))
                    break
                }
                do {
                    _ = try SafeRegex(rule.regex ?? "")
                } catch {
                    problems.append(.definition(field: "regex", rule: "regex", .about("regex", error.problem)))
                    break
                }
                source = "!has(record.\(name)) || record.\(name).matches('\(Self.literal(rule.regex ?? ""))')"
                check = compile(source, "regex", scopes: [.record]).map(Check.holds)
            }
        case .duplicate:
            let fields = rule.match.compactMap { field($0, "match") }
            for f in fields where !f.type.isStored || !f.type.isBtreeIndexable {
                problems.append(.definition(field: "match", rule: "type", .about("match", .cannotMatch(type: f.type.rawValue, field: f.name))))
            }
            if let link = rule.linkField, let f = field(link, "link_field"), f.type != .relation || f.target != entity.name {
                problems.append(.definition(field: "link_field", rule: "type", .about("link_field", .linkFieldType(link, entity: entity.name))))
            }
            for name in rule.copy {
                if let f = field(name, "copy"), !f.type.isStored || f.type.isReadOnly {
                    problems.append(.definition(field: "copy", rule: "type", .about("copy", .computedNotCopied(name))))
                }
            }
            if rule.action == nil || rule.action == .block, !rule.copy.isEmpty || !rule.set.isEmpty {
                problems.append(.definition(field: "action", rule: "type", .setCopyNeedFlagOrLink))
            }
            for (name, value) in rule.set {
                guard let f = field(name, "set") else { continue }
                var coercion: [TesseraError.Detail] = []
                if ValueCoercer.coerce(value, for: f, problems: &coercion) == nil || !coercion.isEmpty {
                    problems += coercion.map { d in
                        var d = d; d.field = "set.\(name)"; return d
                    }
                }
            }
            check = .duplicate(match: fields, within: rule.within.flatMap(DurationText.parse))
        case .noConflict:
            check = compile(rule.whereExpression ?? "", "where", scopes: [.record, .other]).map(Check.noConflict)
        }
        guard problems.isEmpty, let check else { throw .invalidMetadata(problems) }
        return CompiledRule(rule: rule, check: check, entity: entity.name)
    }

    /// A single-quoted expression literal holding `text` exactly.
    static func literal(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Whether the rule compares the record with other stored records (duplicates, conflicts).
    public var readsOtherRecords: Bool {
        switch check {
        case .duplicate, .noConflict: true
        case .holds, .requiredWhen: false
        }
    }

    /// Every field the rule's expressions read (to load related records and old values).
    public var references: Set<FieldReference> {
        switch check {
        case .holds(let e), .noConflict(let e): e.references
        case .requiredWhen(let e, _): e.references
        case .duplicate: []
        }
    }

    /// The violations Swift can decide alone (expression-based kinds); duplicates and conflicts
    /// need the store and report through `violation(field:extra:)`.
    public func violations(in env: ExpressionEnvironment) throws(ExpressionError) -> [TesseraError.Detail] {
        switch check {
        case .holds(let e):
            guard case .bool(false) = try ExpressionEvaluator.evaluate(e, in: env) else { return [] }
            return [violation(field: rule.fields.first ?? rule.field)]
        case .requiredWhen(let when, let fields):
            guard case .bool(true) = try ExpressionEvaluator.evaluate(when, in: env) else { return [] }
            let values = env.records[.record]?.fields ?? [:]
            return fields.filter { !(values[$0] ?? .null).hasValue }.map {
                violation(field: $0, fallback: .requiredHere($0, rule: rule.name))
            }
        case .duplicate, .noConflict:
            return []
        }
    }

    /// One violation of this rule in the shared error shape: the rule's own message in the
    /// caller's language (else its English, else its first), or the catalogue's; every translation
    /// of the rule's message is also under `messages`.
    public func violation(field: String?, fallback: Message? = nil, extra: [String: JSONValue] = [:]) -> TesseraError.Detail {
        var extra = extra
        extra["kind"] = .string(rule.kind.rawValue)
        if let message = rule.message { extra["messages"] = message.json }
        let builtIn = fallback ?? defaultMessage
        func text(_ locale: MessageLocale) -> String {
            let own = rule.message.map { $0[locale.rawValue] ?? $0.preferred }
            let text = own ?? builtIn.text(locale)
            return field.map { Message.about($0, .verbatim(text)).text(locale) } ?? text
        }
        var detail = TesseraError.Detail(field: field, rule: rule.name, message: text(.en), extra: extra)
        detail.texts = Dictionary(uniqueKeysWithValues: MessageLocale.allCases.map { ($0, text($0)) })
        return detail
    }

    private var defaultMessage: Message {
        switch rule.kind {
        case .expression: .mustSatisfy(rule.expression ?? "", rule: rule.name)
        case .requiredWhen: .requiredHere(nil, rule: rule.name)
        case .minAttachments: .ruleMinFiles(rule.min ?? 0, rule: rule.name)
        case .maxSelections: .ruleMaxSelections(rule.max ?? 0, rule: rule.name)
        case .pattern: .ruleForm(rule.name)
        case .duplicate: .ruleDuplicate(entity: entity, rule: rule.name)
        case .noConflict: .ruleConflict(entity: entity, rule: rule.name)
        }
    }
}
