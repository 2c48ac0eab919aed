/// Reads and checks an approval process against its entity and the tenant's roles: the steps have
/// unique names and approvers that exist, every expression compiles, frozen fields exist, and the
/// outcomes are actions an approval may run.
public enum ApprovalDecoder {
    public static let maxSteps = 20
    public static let maxApproversPerStep = 10
    public static let maxActions = 20

    static let allowed: Set<String> = [
        "name", "label", "entity", "version", "entry_when", "frozen", "steps", "on_approve", "on_reject", "active",
    ]
    static let stepKeys: Set<String> = ["name", "label", "approvers", "mode", "skip_when", "signature"]

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
                problems += step.problems
                steps.append(
                    ApprovalDefinition.Step(
                        name: stepName, label: stepLabel, approvers: approvers, mode: mode ?? .any, skipWhen: skipWhen, signature: signature))
            }
        } else {
            problems.append(.approval(field: "steps", rule: "type", .stepsShape(max: maxSteps)))
        }

        let names = AutomationDecoder.Names(roles: roles, rules: [])
        func outcome(_ key: String) -> [AutomationAction] {
            guard let raw = reader.raw(key), !raw.isNull else { return [] }
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
                case .set, .create, .updateRelated: return action
                case .notify(_, let channel, _) where channel == "inbox": return action
                default:
                    problems.append(.approval(field: path, rule: "enum", .outcomeAction(path)))
                    return nil
                }
            }
        }
        let onApprove = outcome("on_approve")
        let onReject = outcome("on_reject")
        problems += reader.problems
        guard problems.isEmpty else { throw .invalidMetadata(problems) }

        // Stored as given, with the server's version.
        guard case .object(var members) = json else { throw .internal() }
        members.removeAll { $0.0 == "version" }
        members.append(("version", .number(version)))
        return ApprovalDefinition(
            name: name, label: label, entity: entity.name, version: version, entryWhen: entryWhen, frozen: frozen, steps: steps,
            onApprove: onApprove, onReject: onReject, active: active, json: .object(members))
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
