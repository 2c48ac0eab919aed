/// An entity's stage field compiled: which moves are allowed and the exit gates, checked in Swift
/// on every write that changes the stage.
public struct CompiledStage: Sendable {
    public let field: String
    public let stages: [String]
    public let config: StageConfig
    /// Exit expressions by stage.
    public let gates: [String: CheckedExpression]

    public static func compile(
        _ field: FieldDefinition, entity: EntityDefinition,
        related: @escaping @Sendable (String) -> EntityDefinition?
    ) throws(TesseraError) -> CompiledStage {
        guard let config = field.stage else { throw .internal() }
        var gates: [String: CheckedExpression] = [:]
        var problems: [TesseraError.Detail] = []
        for (stage, exit) in config.exits {
            guard let source = exit.expression else { continue }
            do {
                let context = ExpressionContext(entity: entity, scopes: [.record, .old], relatedEntity: related)
                gates[stage] = try CompiledExpression(source, in: context, expecting: .bool).checked
            } catch {
                problems.append(error.detail(property: "\(field.name).stage.exit.\(stage).expression"))
            }
        }
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        return CompiledStage(field: field.name, stages: field.options.map(\.key), config: config, gates: gates)
    }

    /// Fields the gates read (to load related records).
    public var references: Set<FieldReference> { gates.values.reduce(into: []) { $0.formUnion($1.references) } }

    /// Problems with moving from `old` (nil on create) to `new`, given the record's new values.
    public func violations(from old: String?, to new: String?, in env: ExpressionEnvironment) throws(ExpressionError) -> [TesseraError.Detail] {
        guard old != new else { return [] }
        func problem(_ rule: String, _ field: String, _ message: Message, _ extra: [String: JSONValue] = [:]) -> TesseraError.Detail {
            .init(field: field, rule: rule, .about(field, message), extra: extra)
        }
        guard let new else {
            return [problem("stage_transition", field, .stageCleared)]
        }
        guard let old else {
            let initial = config.initial ?? Array(stages.prefix(1))
            guard initial.contains(new) else {
                return [
                    problem(
                        "stage_initial", field, .stageInitial(allowed: initial, got: new),
                        ["allowed": .array(initial.map { .string($0) })])
                ]
            }
            return []
        }
        var out: [TesseraError.Detail] = []
        if let transitions = config.transitions {
            let allowed = transitions.first { $0.0 == old }?.1 ?? []
            if !allowed.contains(new) {
                out.append(
                    problem(
                        "stage_transition", field, .stageTransition(from: old, to: new, allowed: allowed),
                        ["from": .string(old), "to": .string(new), "allowed": .array(allowed.map { .string($0) })]))
            }
        }
        // Gates guard progress: moving back, or to an exempt stage such as "lost", needs nothing.
        let forward = (stages.firstIndex(of: new) ?? 0) > (stages.firstIndex(of: old) ?? 0)
        guard forward, !config.exempt.contains(new), let exit = config.exit(from: old) else { return out }
        let values = env.records[.record]?.fields ?? [:]
        for name in exit.required {
            if !(values[name] ?? .null).hasValue { out.append(problem("stage_exit", name, .requiredToLeave(old), ["stage": .string(old)])) }
        }
        for (name, minimum) in exit.minAttachments {
            let count = if case .list(let l)? = values[name] { l.count } else { 0 }
            if count < minimum {
                out.append(
                    problem(
                        "stage_exit", name, .stageFiles(stage: old, min: minimum, has: count),
                        ["stage": .string(old), "min": .number(minimum)]))
            }
        }
        if let gate = gates[old], case .bool(true) = try ExpressionEvaluator.evaluate(gate, in: env) {
        } else if let source = exit.expression {
            out.append(problem("stage_exit", field, .leavingNeeds(old, source), ["stage": .string(old)]))
        }
        return out
    }
}
