/// Reads and checks an automation against the tenant's entities: triggers name real fields and
/// stages, the condition and every expression type-check, constant values fit their fields.
public enum AutomationDecoder {
    public static let maxActions = 20
    public static let maxSteps = 10

    /// What actions may name besides entities and fields.
    struct Names {
        var roles: [String]
        var rules: [AssignmentRule]
        /// Who `notify` may name besides `role:<name>` (approvals add their approvers and submitter).
        var recipients: Set<String> = ["owner", "manager"]
    }

    public static func automation(
        _ json: JSONValue, entities: [EntityDefinition], roles: [String] = [],
        rules: [AssignmentRule] = []
    ) throws(TesseraError) -> AutomationDefinition {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "", problems: &problems) else { throw .invalidMetadata(problems) }
        reader.rejectUnknown(allowed: ["name", "label", "entity", "trigger", "condition", "actions", "steps", "active"])
        let names = Names(roles: roles, rules: rules)
        let name = reader.string("name") ?? ""
        if !APIName.isValid(name) { reader.fail("name", rule: "name", .nameMustMatch) }
        let label = reader.label("label")
        let active = reader.bool("active") ?? true
        let byName = Dictionary(entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let related: @Sendable (String) -> EntityDefinition? = { byName[$0] }
        guard let entity = reader.entity("entity", in: byName) else { throw .invalidMetadata(problems + reader.problems) }
        let trigger = Self.trigger(reader.raw("trigger"), entity: entity, problems: &problems)
        let scopes: Set<FieldReference.Scope> = trigger?.event == .update ? [.record, .old] : [.record]
        // Time triggers run against the record as it is when they come due: there is no `old`.
        let context = ExpressionContext(entity: entity, scopes: scopes, relatedEntity: related)
        let condition = reader.string("condition")
        if let condition {
            do { _ = try CompiledExpression(condition, in: context, expecting: .bool) } catch { problems.append(error.detail(property: "condition")) }
        }
        if case .update(_, true)? = trigger, condition == nil {
            reader.fail("condition", rule: "required", .conditionForBecomesTrue)
        }
        func actions(_ raw: JSONValue?, path: String, _ problems: inout [TesseraError.Detail]) -> [AutomationAction] {
            Self.actions(raw, path: path, problems: &problems) { item, at, problems in
                Self.action(item, path: at, entity: entity, context: context, byName: byName, names: names, problems: &problems)
            }
        }
        var list: [AutomationAction] = []
        var steps: [SLAStep] = []
        // By what the trigger says it is, so a broken sla trigger is not also told its steps are wrong.
        if reader.raw("trigger")?["on"]?.stringValue == "sla" {
            if reader.has("actions") {
                reader.fail("actions", rule: "unknown_property", .slaHasSteps)
            }
            if let parsed = Self.slaSteps(reader.raw("steps"), path: "steps", problems: &problems, actions: actions) {
                steps = parsed
            } else {
                reader.fail("steps", rule: "required", .stepsShape(max: maxSteps))
            }
        } else {
            if reader.has("steps") { reader.fail("steps", rule: "unknown_property", .stepsOnlySLA) }
            list = actions(reader.raw("actions"), path: "actions", &problems)
        }
        problems = reader.problems + problems
        guard problems.isEmpty, let trigger else { throw .invalidMetadata(problems) }
        return AutomationDefinition(
            name: name, label: label, entity: entity.name, trigger: trigger, condition: condition, actions: list, steps: steps, active: active)
    }

    /// A non-empty list of at most `maxActions` actions, each read by `action`.
    static func actions(
        _ raw: JSONValue?, path: String, problems: inout [TesseraError.Detail],
        action: (JSONValue, String, inout [TesseraError.Detail]) -> AutomationAction?
    ) -> [AutomationAction] {
        guard case .array(let items)? = raw, !items.isEmpty, items.count <= maxActions else {
            problems.append(.definition(field: path, rule: "required", .actionsShape(path, max: maxActions)))
            return []
        }
        return items.enumerated().compactMap { i, item in action(item, "\(path)[\(i)]", &problems) }
    }

    /// SLA steps, `[{after, actions}]` with the marks strictly increasing: an SLA trigger's, and an
    /// approval step's deadline. Nil when `raw` is not a list of 1 to `maxSteps` steps.
    static func slaSteps(
        _ raw: JSONValue?, path: String, problems: inout [TesseraError.Detail],
        actions: (JSONValue?, String, inout [TesseraError.Detail]) -> [AutomationAction]
    ) -> [SLAStep]? {
        guard case .array(let items)? = raw, !items.isEmpty, items.count <= maxSteps else { return nil }
        var steps: [SLAStep] = []
        var last: TimeSpan?
        for (i, item) in items.enumerated() {
            let at = "\(path)[\(i)]"
            guard var step = ObjectReader(item, path: at, problems: &problems) else { continue }
            step.rejectUnknown(allowed: ["after", "actions"])
            let after = step.string("after") ?? ""
            // Marks must rise; a fixed span and one in working days have no order from every start.
            if let span = TimeSpan.parse(after), span.isPositive, last.map({ span.isLonger(than: $0) == true }) ?? true {
                last = span
            } else {
                step.fail("after", rule: "duration", .stepAfter("\(at).after"))
            }
            let stepActions = actions(step.raw("actions"), "\(at).actions", &problems)
            problems += step.problems
            steps.append(SLAStep(after: after, actions: stepActions))
        }
        return steps
    }

    static func trigger(_ value: JSONValue?, entity: EntityDefinition, problems: inout [TesseraError.Detail]) -> AutomationTrigger? {
        guard let value, var reader = ObjectReader(value, path: "trigger", problems: &problems) else {
            if value == nil { problems.append(.definition(field: "trigger", rule: "required", .triggerRequired)) }
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
            reader.rejectUnknown(allowed: ["on", "fields", "becomes_true"])
            let fields = reader.stringArray("fields") ?? []
            for field in fields where entity.field(field) == nil {
                reader.fail("fields", rule: "unknown_field", .about("trigger.fields", .noField(entity.name, field: field)))
            }
            return .update(fields: fields, becomesTrue: reader.bool("becomes_true") ?? false)
        case "sla":
            reader.rejectUnknown(allowed: ["on", "start", "stop"])
            let start = reader.string("start") ?? "", stop = reader.string("stop") ?? ""
            let startField = Column.resolve(start, in: entity).flatMap { $0.type == .datetime || $0.type == .date ? $0 : nil }
            if startField == nil {
                reader.fail("start", rule: "unknown_field", .about("trigger.start", .noDateFieldForStart(entity.name, field: start)))
            }
            let stopField = entity.field(stop).flatMap { $0.type != .formula ? $0 : nil }
            if stopField == nil {
                reader.fail("stop", rule: "unknown_field", .about("trigger.stop", .noStopField(entity.name, field: stop)))
            }
            guard let startField, let stopField else { return nil }
            return .sla(start: startField.name, stop: stopField.name)
        case "schedule":
            reader.rejectUnknown(allowed: ["on", "cron"])
            let cron = reader.string("cron") ?? ""
            if case .failure(let error) = CronSchedule.parse(cron) {
                reader.fail("cron", rule: "cron", .about("trigger.cron", error.problem))
                return nil
            }
            return .schedule(cron: cron)
        case "stage_change":
            reader.rejectUnknown(allowed: ["on", "from", "to"])
            guard let stage = entity.fields.first(where: { $0.stage != nil }) else {
                reader.fail("on", rule: "no_stage", .about("trigger.on", .noStageField(entity.name)))
                return nil
            }
            let keys = Set(stage.options.map(\.key))
            let from = reader.string("from"), to = reader.string("to")
            for (key, value) in [("from", from), ("to", to)] {
                if let value, !keys.contains(value) {
                    reader.fail(key, rule: "unknown_option", .about("trigger.\(key)", .notAStageOf(value, stage: stage.name)))
                }
            }
            return .stageChange(from: from, to: to)
        case "time", "inactive":
            let amount = on == "time" ? "offset" : "after"
            reader.rejectUnknown(allowed: ["on", "field", amount])
            let fieldName = reader.string("field") ?? ""
            guard let field = entity.field(fieldName), field.type == .datetime || field.type == .date else {
                reader.fail("field", rule: "unknown_field", .about("trigger.field", .noDateField(entity.name, field: fieldName)))
                return nil
            }
            let text = reader.string(amount) ?? (on == "time" ? "0s" : "")
            guard let span = TimeSpan.parse(text), on == "time" || span.isPositive else {
                reader.fail(amount, rule: "duration", .triggerDuration("trigger.\(amount)", signed: on == "time"))
                return nil
            }
            return on == "time" ? .time(field: field.name, offset: text) : .inactive(field: field.name, after: text)
        default:
            reader.fail("on", rule: "enum", .triggerOn)
            return nil
        }
    }

    static func action(
        _ value: JSONValue, path: String, entity: EntityDefinition, context: ExpressionContext,
        byName: [String: EntityDefinition], names: Names, problems: inout [TesseraError.Detail]
    ) -> AutomationAction? {
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
            guard let target = reader.entity("entity", in: byName) else { return nil }
            let values = Self.values(reader.raw("values"), path: reader.at("values"), target: target, context: context, problems: &problems)
            return values.map { AutomationAction.create(entity: target.name, values: $0) }
        case "notify":
            reader.rejectUnknown(allowed: ["type", "to", "channel", "message"])
            let channel = reader.string("channel") ?? "inbox"
            let toUsers = channel == "inbox" || channel == "email"
            if !toUsers, !APIName.isValid(channel) {
                reader.fail("channel", rule: "channel", .notifyChannel(reader.at("channel")))
            }
            let to = reader.string("to")
            if toUsers {
                Self.checkRecipient(to ?? "", at: reader.at("to"), names: names, reader: &reader)
            } else if reader.has("to") {
                reader.fail("to", rule: "unknown_property", .about(reader.at("to"), .channelHasNoTo))
            }
            guard let message = reader.label("message") else {
                reader.fail("message", rule: "required", .labelRequired(reader.at("message")))
                return nil
            }
            return .notify(to: toUsers ? to : nil, channel: channel, message: message)
        case "update_related":
            reader.rejectUnknown(allowed: ["type", "relation", "values"])
            let relation = reader.string("relation") ?? ""
            guard let field = entity.field(relation), field.type == .relation, let targetName = field.target, let target = byName[targetName] else {
                reader.fail("relation", rule: "unknown_field", .about(reader.at("relation"), .noRelationField(entity.name, field: relation)))
                return nil
            }
            let values = Self.values(reader.raw("values"), path: reader.at("values"), target: target, context: context, problems: &problems)
            return values.map { AutomationAction.updateRelated(relation: relation, values: $0) }
        case "assign":
            reader.rejectUnknown(allowed: ["type", "rule"])
            let rule = reader.string("rule") ?? ""
            guard let found = names.rules.first(where: { $0.name == rule }) else {
                reader.fail("rule", rule: "unknown_rule", .about(reader.at("rule"), .noAssignmentRule(rule)))
                return nil
            }
            if found.entity != entity.name {
                reader.fail("rule", rule: "entity", .about(reader.at("rule"), .ruleAssignsOther(rule, assigns: found.entity, entity: entity.name)))
            }
            return .assign(rule: rule)
        case "lock":
            reader.rejectUnknown(allowed: ["type", "duration"])
            let duration = reader.string("duration") ?? ""
            guard let micros = DurationText.parse(duration), micros >= 60_000_000, micros <= 30 * 86_400_000_000 else {
                reader.fail("duration", rule: "duration", .lockDuration(reader.at("duration")))
                return nil
            }
            return .lock(duration: duration)
        case "stage_back":
            reader.rejectUnknown(allowed: ["type"])
            guard entity.fields.contains(where: { $0.stage != nil }) else {
                reader.fail("type", rule: "no_stage", .about(reader.at("type"), .noStageToMoveBack(entity.name)))
                return nil
            }
            return .stageBack
        case "escalate":
            reader.rejectUnknown(allowed: ["type", "levels", "role", "field", "message"])
            let role = reader.string("role")
            if let role, !names.roles.contains(role), role != RoleDefinition.adminName {
                reader.fail("role", rule: "unknown_role", .about(reader.at("role"), .unknownRole(role)))
            }
            if role != nil, reader.has("levels") { reader.fail("levels", rule: "exclusive", .about(reader.at("levels"), .levelsOrRole)) }
            let levels = reader.int("levels", min: 1) ?? 1
            if levels > 10 { reader.fail("levels", rule: "range", .range(reader.at("levels"), 1, 10)) }
            let field = reader.string("field")
            if let field, entity.field(field)?.type != .user {
                reader.fail("field", rule: "unknown_field", .about(reader.at("field"), .noUserField(entity.name, field: field)))
            }
            guard let message = reader.label("message") else {
                reader.fail("message", rule: "required", .labelRequired(reader.at("message")))
                return nil
            }
            return .escalate(levels: levels, role: role, field: field, message: message)
        case "webhook":
            reader.rejectUnknown(allowed: ["type", "url"])
            let url = reader.string("url") ?? ""
            if let problem = WebhookURL.problem(url) {
                reader.fail("url", rule: "url", .about(reader.at("url"), problem))
                return nil
            }
            return .webhook(url: url)
        default:
            reader.fail("type", rule: "enum", .actionType(reader.at("type")))
            return nil
        }
    }

    /// `owner`, `manager` or `role:<name>`.
    static func checkRecipient(_ to: String, at path: String, names: Names, reader: inout ObjectReader) {
        if to.hasPrefix("role:") {
            let role = String(to.dropFirst(5))
            if role != RoleDefinition.adminName, !names.roles.contains(role) {
                reader.fail("to", rule: "unknown_role", .about(path, .unknownRole(role)))
            }
        } else if !names.recipients.contains(to) {
            reader.fail("to", rule: "enum", .recipient(path, allowed: names.recipients.sorted()))
        }
    }

    /// `{"field": constant or {"expression": "…"}}`: constants are checked as a record body would
    /// be, expressions type-check against the triggering record.
    static func values(
        _ value: JSONValue?, path: String, target: EntityDefinition, context: ExpressionContext,
        problems: inout [TesseraError.Detail]
    ) -> [(field: String, value: ActionValue)]? {
        guard case .object(let members)? = value, !members.isEmpty else {
            problems.append(.definition(field: path, rule: "required", .valuesShape(path)))
            return nil
        }
        var out: [(field: String, value: ActionValue)] = []
        var constants: [(String, JSONValue)] = []
        for (field, raw) in members {
            guard let definition = target.field(field), definition.type != .formula, definition.type != .autoNumber else {
                let at = "\(path).\(field)"
                problems.append(.definition(field: at, rule: "unknown_field", .about(at, .noWritableField(target.name, field: field))))
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
            problems += write.problems.map { $0.prefixed(field: "\(path).", message: "\(path).") }
        }
        return out
    }
}
