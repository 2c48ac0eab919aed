/// Reads and checks an automation against the tenant's entities: triggers name real fields and
/// stages, the condition and every expression type-check, constant values fit their fields.
public enum AutomationDecoder {
    public static let maxActions = 20

    public static func automation(_ json: JSONValue, entities: [EntityDefinition], roles: [String] = []) throws(TesseraError) -> AutomationDefinition {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "", problems: &problems) else { throw .invalidMetadata(problems) }
        reader.rejectUnknown(allowed: ["name", "label", "entity", "trigger", "condition", "actions", "active"])
        let name = reader.string("name") ?? ""
        if !APIName.isValid(name) { reader.fail("name", rule: "name", "name must match ^[a-z][a-z0-9_]{0,47}$") }
        let label = reader.label("label")
        let active = reader.bool("active") ?? true
        let byName = Dictionary(entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let related: @Sendable (String) -> EntityDefinition? = { byName[$0] }
        let entityName = reader.string("entity") ?? ""
        guard let entity = byName[entityName] else {
            reader.fail("entity", rule: "unknown_entity", "entity: the tenant has no entity '\(entityName)'")
            throw .invalidMetadata(problems + reader.problems)
        }
        let trigger = Self.trigger(reader.raw("trigger"), entity: entity, problems: &problems)
        let scopes: Set<FieldReference.Scope> = trigger?.event == .update ? [.record, .old] : [.record]
        // Time triggers run against the record as it is when they come due: there is no `old`.
        let context = ExpressionContext(entity: entity, scopes: scopes, relatedEntity: related)
        let condition = reader.string("condition")
        if let condition {
            do { _ = try CompiledExpression(condition, in: context, expecting: .bool) } catch { problems.append(error.detail(property: "condition")) }
        }
        var actions: [AutomationAction] = []
        if case .array(let items)? = reader.raw("actions"), !items.isEmpty, items.count <= maxActions {
            for (i, item) in items.enumerated() {
                if let action = Self.action(item, path: "actions[\(i)]", entity: entity, context: context, byName: byName, roles: roles, problems: &problems) {
                    actions.append(action)
                }
            }
        } else {
            reader.fail("actions", rule: "required", "actions must be an array of 1 to \(maxActions) actions")
        }
        problems = reader.problems + problems
        guard problems.isEmpty, let trigger else { throw .invalidMetadata(problems) }
        return AutomationDefinition(name: name, label: label, entity: entity.name, trigger: trigger, condition: condition, actions: actions, active: active)
    }

    static let later: Set<String> = ["schedule", "sla"]

    static func trigger(_ value: JSONValue?, entity: EntityDefinition, problems: inout [TesseraError.Detail]) -> AutomationTrigger? {
        guard let value, var reader = ObjectReader(value, path: "trigger", problems: &problems) else {
            if value == nil { problems.append(.init(field: "trigger", rule: "required", message: "trigger is required, e.g. {\"on\":\"create\"}")) }
            return nil
        }
        defer { problems += reader.problems }
        let on = reader.string("on") ?? ""
        switch on {
        case "create":
            reader.rejectUnknown(allowed: ["on"])
            return .create
        case "delete":
            reader.rejectUnknown(allowed: ["on"])
            return .delete
        case "update":
            reader.rejectUnknown(allowed: ["on", "fields"])
            let fields = reader.stringArray("fields") ?? []
            for field in fields where entity.field(field) == nil {
                reader.fail("fields", rule: "unknown_field", "trigger.fields: \(entity.name) has no field '\(field)'")
            }
            return .update(fields: fields)
        case "stage_change":
            reader.rejectUnknown(allowed: ["on", "from", "to"])
            guard let stage = entity.fields.first(where: { $0.stage != nil }) else {
                reader.fail("on", rule: "no_stage", "trigger.on: \(entity.name) has no stage field")
                return nil
            }
            let keys = Set(stage.options.map(\.key))
            let from = reader.string("from"), to = reader.string("to")
            for (key, value) in [("from", from), ("to", to)] {
                if let value, !keys.contains(value) { reader.fail(key, rule: "unknown_option", "trigger.\(key): '\(value)' is not a stage of \(stage.name)") }
            }
            return .stageChange(from: from, to: to)
        case "time", "inactive":
            let amount = on == "time" ? "offset" : "after"
            reader.rejectUnknown(allowed: ["on", "field", amount])
            let fieldName = reader.string("field") ?? ""
            guard let field = entity.field(fieldName), field.type == .datetime || field.type == .date else {
                reader.fail("field", rule: "unknown_field", "trigger.field: \(entity.name) has no date or datetime field '\(fieldName)'")
                return nil
            }
            let text = reader.string(amount) ?? (on == "time" ? "0s" : "")
            guard let micros = DurationText.parse(text), on == "time" || micros > 0 else {
                reader.fail(amount, rule: "duration", "trigger.\(amount) must be a duration like \(on == "time" ? "\"-1d\" or \"2h\"" : "\"72h\" or \"14d\"")")
                return nil
            }
            return on == "time" ? .time(field: field.name, offset: text) : .inactive(field: field.name, after: text)
        default:
            if later.contains(on) {
                reader.fail("on", rule: "not_available", "trigger.on: '\(on)' triggers are not available in this version yet")
            } else {
                reader.fail("on", rule: "enum", "trigger.on must be one of create, update, stage_change, delete, time, inactive")
            }
            return nil
        }
    }

    static func action(_ value: JSONValue, path: String, entity: EntityDefinition, context: ExpressionContext,
                       byName: [String: EntityDefinition], roles: [String], problems: inout [TesseraError.Detail]) -> AutomationAction? {
        guard var reader = ObjectReader(value, path: path, problems: &problems) else { return nil }
        defer { problems += reader.problems }
        let type = reader.string("type") ?? ""
        switch type {
        case "set":
            reader.rejectUnknown(allowed: ["type", "values"])
            let values = Self.values(reader.raw("values"), path: reader.at("values"), target: entity, context: context, problems: &problems)
            return values.map { AutomationAction.set($0) }
        case "create":
            reader.rejectUnknown(allowed: ["type", "entity", "values"])
            let targetName = reader.string("entity") ?? ""
            guard let target = byName[targetName] else {
                reader.fail("entity", rule: "unknown_entity", "\(reader.at("entity")): the tenant has no entity '\(targetName)'")
                return nil
            }
            let values = Self.values(reader.raw("values"), path: reader.at("values"), target: target, context: context, problems: &problems)
            return values.map { AutomationAction.create(entity: target.name, values: $0) }
        case "notify":
            reader.rejectUnknown(allowed: ["type", "to", "channel", "message"])
            let to = reader.string("to") ?? ""
            let channel = reader.string("channel") ?? "inbox"
            if channel != "inbox" {
                reader.fail("channel", rule: "not_available", "\(reader.at("channel")): only the in-app inbox is available in this version")
            }
            if to.hasPrefix("role:") {
                let role = String(to.dropFirst(5))
                if role != RoleDefinition.adminName, !roles.contains(role) { reader.fail("to", rule: "unknown_role", "\(reader.at("to")): no role '\(role)'") }
            } else if to != "owner" && to != "manager" {
                reader.fail("to", rule: "enum", "\(reader.at("to")) must be owner, manager or role:<name>")
            }
            guard let message = reader.label("message") else {
                reader.fail("message", rule: "required", "\(reader.at("message")) is required: {\"zh-CN\":\"…\",\"en\":\"…\"}")
                return nil
            }
            return .notify(to: to, message: message)
        case "webhook":
            reader.rejectUnknown(allowed: ["type", "url"])
            let url = reader.string("url") ?? ""
            if let problem = WebhookURL.problem(url) {
                reader.fail("url", rule: "url", "\(reader.at("url")): \(problem)")
                return nil
            }
            return .webhook(url: url)
        default:
            let later: Set<String> = ["assign", "lock", "stage_back", "escalate"]
            reader.fail("type", rule: later.contains(type) ? "not_available" : "enum",
                        later.contains(type) ? "\(reader.at("type")): '\(type)' actions are not available in this version yet"
                                             : "\(reader.at("type")) must be one of set, create, notify, webhook")
            return nil
        }
    }

    /// `{"field": constant or {"expression": "…"}}`: constants are checked as a record body would
    /// be, expressions type-check against the triggering record.
    static func values(_ value: JSONValue?, path: String, target: EntityDefinition, context: ExpressionContext,
                       problems: inout [TesseraError.Detail]) -> [(field: String, value: ActionValue)]? {
        guard case .object(let members)? = value, !members.isEmpty else {
            problems.append(.init(field: path, rule: "required", message: "\(path) must be an object of field → value or {\"expression\":\"…\"}"))
            return nil
        }
        var out: [(field: String, value: ActionValue)] = []
        var constants: [(String, JSONValue)] = []
        for (field, raw) in members {
            guard let definition = target.field(field), definition.type != .formula, definition.type != .autoNumber else {
                problems.append(.init(field: "\(path).\(field)", rule: "unknown_field", message: "\(path).\(field): \(target.name) has no writable field '\(field)'"))
                continue
            }
            if case .object(let inner) = raw, inner.count == 1, inner[0].0 == "expression", case .string(let source) = inner[0].1 {
                do {
                    _ = try CompiledExpression(source, in: context)
                    out.append((field, .expression(source)))
                } catch {
                    problems.append(error.detail(property: "\(path).\(field)"))
                }
            } else {
                constants.append((field, raw))
                out.append((field, .constant(raw)))
            }
        }
        if !constants.isEmpty, let write = try? RecordInput.check(.object(constants), entity: target, mode: .update) {
            problems += write.problems.map { d in var d = d; d.field = d.field.map { "\(path).\($0)" }; d.message = "\(path).\(d.message)"; return d }
        }
        return out
    }
}
