/// Reads and checks an approval process against its entity and the tenant's roles: the steps have
/// unique names and approvers that exist, every expression compiles, frozen fields exist, and the
/// outcomes are actions an approval may run.
public enum ApprovalDecoder {
    public static let maxSteps = 20
    public static let maxApproversPerStep = 10
    public static let maxActions = 20
    public static let maxHolds = 10

    static let allowed: Set<String> = [
        "name", "label", "entity", "version", "entry_when", "frozen", "holds", "steps", "on_approve", "on_reject", "on_recall", "active",
    ]
    static let stepKeys: Set<String> = ["name", "label", "approvers", "mode", "skip_when", "signature", "deadline", "on_enter"]

    /// `version` is the one the stored definition gets (the planner counts them); a body's own is ignored.
    public static func approval(
        _ json: JSONValue, entities: [EntityDefinition], roles: [String], version: Int = 1
    ) throws(TesseraError) -> ApprovalDefinition {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "", problems: &problems) else { throw .invalidMetadata(problems) }
        reader.rejectUnknown(allowed: allowed)
        let name = reader.string("name") ?? ""
        if !APIName.isValid(name) { reader.fail("name", rule: "name", .nameMustMatch) }
        let label = reader.label("label")
        let active = reader.bool("active") ?? true
        let byName = Dictionary(entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        guard let entity = reader.entity("entity", in: byName) else { throw .invalidMetadata(problems + reader.problems) }
        let context = ExpressionContext(entity: entity, relatedEntity: { byName[$0] })
        func expression(_ source: String?, _ path: String) {
            guard let source else { return }
            do { _ = try CompiledExpression(source, in: context, expecting: .bool) } catch { problems.append(error.detail(property: path)) }
        }
        let entryWhen = reader.string("entry_when")
        expression(entryWhen, "entry_when")
        let frozen = reader.stringArray("frozen") ?? []
        for (i, field) in frozen.enumerated() where entity.field(field) == nil && field != "owner_id" {
            problems.append(.approval(field: "frozen[\(i)]", rule: "unknown_field", .frozenUnknown(field, entity: entity.name)))
        }

        let holds = Self.holds(reader.raw("holds"), entity: entity, byName: byName, problems: &problems)
        var names = AutomationDecoder.Names(roles: roles, rules: [])
        names.recipients = ["owner", "manager", "approvers", "submitter"]

        var steps: [ApprovalDefinition.Step] = []
        if case .array(let items)? = reader.raw("steps"), (1...maxSteps).contains(items.count) {
            var seen: Set<String> = []
            for (i, item) in items.enumerated() {
                let path = "steps[\(i)]"
                guard var step = ObjectReader(item, path: path, problems: &problems) else { continue }
                step.rejectUnknown(allowed: stepKeys)
                let stepName = step.string("name") ?? ""
                if !APIName.isValid(stepName) { step.fail("name", rule: "name", .nameMustMatch) }
                if !seen.insert(stepName).inserted { problems.append(.approval(field: "\(path).name", rule: "duplicate", .stepTwice(stepName))) }
                let modeText = step.string("mode") ?? "any"
                let mode = ApprovalDefinition.Mode(rawValue: modeText)
                if mode == nil { problems.append(.approval(field: "\(path).mode", rule: "enum", .modeShape)) }
                let skipWhen = step.string("skip_when")
                expression(skipWhen, "\(path).skip_when")
                let approvers = Self.approvers(step.raw("approvers"), path: "\(path).approvers", entity: entity, roles: roles, problems: &problems)
                let stepLabel = step.label("label")
                let signature = step.bool("signature") ?? false
                var deadline: [SLAStep] = []
                if let raw = step.raw("deadline"), !raw.isNull {
                    let parsed = AutomationDecoder.slaSteps(raw, path: "\(path).deadline", problems: &problems) { raw, at, problems in
                        AutomationDecoder.actions(raw, path: at, problems: &problems) { item, at, problems in
                            Self.deadlineAction(item, path: at, entity: entity, context: context, byName: byName, names: names, problems: &problems)
                        }
                    }
                    if let parsed {
                        deadline = parsed
                    } else {
                        problems.append(
                            .approval(field: "\(path).deadline", rule: "type", .deadlineShape("\(path).deadline", max: AutomationDecoder.maxSteps)))
                    }
                }
                let onEnter = Self.outcome(
                    step.raw("on_enter"), path: "\(path).on_enter", entity: entity, context: context, byName: byName, names: names,
                    problems: &problems)
                problems += step.problems
                steps.append(
                    ApprovalDefinition.Step(
                        name: stepName, label: stepLabel, approvers: approvers, mode: mode ?? .any, skipWhen: skipWhen, signature: signature,
                        deadline: deadline, onEnter: onEnter))
            }
        } else {
            problems.append(.approval(field: "steps", rule: "type", .stepsShape(max: maxSteps)))
        }

        func outcome(_ key: String) -> [AutomationAction] {
            Self.outcome(reader.raw(key), path: key, entity: entity, context: context, byName: byName, names: names, problems: &problems)
        }
        let onApprove = outcome("on_approve")
        let onReject = outcome("on_reject")
        let onRecall = outcome("on_recall")
        problems += reader.problems
        guard problems.isEmpty else { throw .invalidMetadata(problems) }

        // Stored as given, with the server's version.
        guard case .object(var members) = json else { throw .internal() }
        members.removeAll { $0.0 == "version" }
        members.append(("version", .number(version)))
        return ApprovalDefinition(
            name: name, label: label, entity: entity.name, version: version, entryWhen: entryWhen, frozen: frozen, steps: steps, holds: holds,
            onApprove: onApprove, onReject: onReject, onRecall: onRecall, active: active, json: .object(members))
    }

    /// Actions an outcome (or a step's entry) may run: set, create, update_related, notify (inbox, email or a channel).
    static func outcome(
        _ raw: JSONValue?, path key: String, entity: EntityDefinition, context: ExpressionContext, byName: [String: EntityDefinition],
        names: AutomationDecoder.Names, problems: inout [TesseraError.Detail]
    ) -> [AutomationAction] {
        guard let raw, !raw.isNull else { return [] }
        guard case .array(let items) = raw, items.count <= maxActions else {
            problems.append(.definition(field: key, rule: "type", .actionsShape(key, max: maxActions)))
            return []
        }
        return items.enumerated().compactMap { i, item in
            let path = "\(key)[\(i)]"
            guard
                let action = AutomationDecoder.action(
                    item, path: path, entity: entity, context: context, byName: byName, names: names, problems: &problems)
            else { return nil }
            switch action {
            case .set, .create, .updateRelated, .notify: return action
            default:
                problems.append(.approval(field: path, rule: "enum", .outcomeAction(path)))
                return nil
            }
        }
    }

    /// A deadline mark's action: a notification (inbox, email or a channel), an escalation by levels, or a `set`.
    static func deadlineAction(
        _ item: JSONValue, path: String, entity: EntityDefinition, context: ExpressionContext, byName: [String: EntityDefinition],
        names: AutomationDecoder.Names, problems: inout [TesseraError.Detail]
    ) -> AutomationAction? {
        guard
            let action = AutomationDecoder.action(
                item, path: path, entity: entity, context: context, byName: byName, names: names, problems: &problems)
        else { return nil }
        switch action {
        case .set, .notify: return action
        case .escalate(_, let role, let field, _):
            if role != nil || field != nil {
                problems.append(.approval(field: path, rule: "type", .escalateLevelsOnly(path)))
                return nil
            }
            return action
        default:
            problems.append(.approval(field: path, rule: "enum", .deadlineAction(path)))
            return nil
        }
    }

    /// The holds: unique names, an entity each, and a condition over `record` (the submitted one) and
    /// `other` (each record of that entity).
    static func holds(
        _ raw: JSONValue?, entity: EntityDefinition, byName: [String: EntityDefinition], problems: inout [TesseraError.Detail]
    ) -> [ApprovalDefinition.Hold] {
        guard let raw, !raw.isNull else { return [] }
        guard case .array(let items) = raw, items.count <= maxHolds else {
            problems.append(.approval(field: "holds", rule: "type", .holdsShape(max: maxHolds)))
            return []
        }
        var holds: [ApprovalDefinition.Hold] = []
        var seen: Set<String> = []
        for (i, item) in items.enumerated() {
            let path = "holds[\(i)]"
            guard var reader = ObjectReader(item, path: path, problems: &problems) else { continue }
            reader.rejectUnknown(allowed: ["name", "entity", "when", "message"])
            let name = reader.string("name") ?? ""
            if !APIName.isValid(name) { reader.fail("name", rule: "name", .nameMustMatch) }
            if !seen.insert(name).inserted { problems.append(.approval(field: "\(path).name", rule: "duplicate", .holdTwice(name))) }
            let message = reader.label("message")
            let when = reader.string("when")
            if when == nil { problems.append(.approval(field: "\(path).when", rule: "required", .holdWhen("\(path).when"))) }
            if let other = reader.entity("entity", in: byName), let when {
                let context = ExpressionContext(entity: entity, scopes: [.record, .other], relatedEntity: { byName[$0] }, otherEntity: other)
                do {
                    _ = try CompiledExpression(when, in: context, expecting: .bool)
                    holds.append(.init(name: name, entity: other.name, when: when, message: message))
                } catch {
                    problems.append(error.detail(property: "\(path).when"))
                }
            }
            problems += reader.problems
        }
        return holds
    }

    static func approvers(
        _ raw: JSONValue?, path: String, entity: EntityDefinition, roles: [String], problems: inout [TesseraError.Detail]
    ) -> [ApprovalDefinition.Approvers] {
        guard case .array(let items)? = raw, (1...maxApproversPerStep).contains(items.count) else {
            problems.append(.approval(field: path, rule: "type", .approversShape(path)))
            return []
        }
        var out: [ApprovalDefinition.Approvers] = []
        for (i, item) in items.enumerated() {
            let at = "\(path)[\(i)]"
            guard case .object(let members) = item, members.count == 1 else {
                problems.append(.approval(field: at, rule: "type", .approverSource(at)))
                continue
            }
            let (key, value) = members[0]
            switch (key, value) {
            case ("role", .string(let role)):
                if role != RoleDefinition.adminName, !roles.contains(role) {
                    problems.append(.definition(field: "\(at).role", rule: "unknown_role", .about("\(at).role", .unknownRole(role))))
                } else {
                    out.append(.role(role))
                }
            case ("field", .string(let field)):
                if field == "owner_id" || entity.field(field)?.type == .user {
                    out.append(.field(field))
                } else {
                    problems.append(.approval(field: "\(at).field", rule: "unknown_field", .notAUserField(field, entity: entity.name)))
                }
            case ("manager", let levels):
                if let n = levels.intValue, (1...10).contains(n) {
                    out.append(.manager(levels: n))
                } else {
                    problems.append(.approval(field: "\(at).manager", rule: "range", .managerLevels("\(at).manager")))
                }
            case ("user", .string(let id)):
                if let normalized = UUIDText.normalized(id) {
                    out.append(.user(normalized))
                } else {
                    problems.append(.approval(field: "\(at).user", rule: "type", .notAUserID(id)))
                }
            default:
                problems.append(.approval(field: at, rule: "type", .approverSource(at)))
            }
        }
        return out
    }
}
