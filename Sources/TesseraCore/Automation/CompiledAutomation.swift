/// An automation with its condition and action expressions compiled once per metadata version:
/// the worker runs thousands of events a second and used to parse and type-check them for each.
public struct CompiledAutomation: Sendable {
    public let definition: AutomationDefinition
    /// Nil when the automation has none.
    public let condition: CompiledOnce?
    /// The expression values of every action (and SLA step), by source text.
    private let values: [String: CompiledOnce]
    /// What the expressions were checked against: the triggering record (and `old` for updates).
    public let context: ExpressionContext
    /// The relations the expressions look through (`record.store.daily_target`): relation column →
    /// target entity. The worker reads those records before it evaluates anything.
    public let hops: [String: String]

    public init(_ definition: AutomationDefinition, entity: EntityDefinition, related: @escaping @Sendable (String) -> EntityDefinition?) {
        self.definition = definition
        // Time triggers run against the record as it is when they come due: there is no `old`.
        let scopes: Set<FieldReference.Scope> = definition.trigger.event == .update ? [.record, .old] : [.record]
        let context = ExpressionContext(entity: entity, scopes: scopes, relatedEntity: related)
        self.context = context
        condition = definition.condition.map { CompiledOnce.compile($0, in: context, expecting: .bool) }
        var values: [String: CompiledOnce] = [:]
        for action in definition.actions + definition.steps.flatMap(\.actions) {
            for source in action.expressionSources where values[source] == nil {
                values[source] = CompiledOnce.compile(source, in: context)
            }
        }
        self.values = values
        var hops: [String: String] = [:]
        for compiled in [condition].compactMap({ $0 }) + Array(values.values) {
            guard case .success(let expression) = compiled else { continue }
            for reference in expression.checked.references where reference.scope == .record {
                if let hop = reference.hop { hops[reference.column] = hop.entity }
            }
        }
        self.hops = hops
    }

    /// The compiled form of an action's expression value.
    public func value(_ source: String) throws(ExpressionError) -> CompiledExpression {
        try (values[source] ?? CompiledOnce.compile(source, in: context)).get()
    }
}

extension AutomationAction {
    /// The sources of the action's expression values.
    var expressionSources: [String] {
        let pairs: [(field: String, value: ActionValue)] =
            switch self {
            case .set(let pairs), .create(_, let pairs), .updateRelated(_, let pairs): pairs
            default: []
            }
        return pairs.compactMap { pair in
            if case .expression(let source) = pair.value { source } else { nil }
        }
    }
}
