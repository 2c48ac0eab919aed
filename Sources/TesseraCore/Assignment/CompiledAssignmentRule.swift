/// An assignment rule with its route conditions, weight and figure conditions compiled once per
/// metadata version instead of on every pick.
public struct CompiledAssignmentRule: Sendable {
    public let rule: AssignmentRule
    /// One per route, in order.
    public let routes: [CompiledOnce]
    /// The weighted strategy's weight over `user.<figure>`.
    public let weight: CompiledOnce?
    /// Each figure's condition over the figure's entity, by figure name.
    public let figureConditions: [String: CompiledOnce]

    public init(_ rule: AssignmentRule, entity: EntityDefinition, related: @escaping @Sendable (String) -> EntityDefinition?) {
        self.rule = rule
        let context = ExpressionContext(entity: entity, relatedEntity: related)
        routes = rule.routes.map { CompiledOnce.compile($0.when, in: context, expecting: .bool) }
        weight =
            if case .weighted(let source) = rule.strategy {
                CompiledOnce.compile(
                    source, in: AssignmentRuleDecoder.weightContext(entity: entity, figures: rule.figures.map(\.name), related: related))
            } else {
                nil
            }
        var conditions: [String: CompiledOnce] = [:]
        for figure in rule.figures {
            guard let condition = figure.condition, let counted = related(figure.entity) else { continue }
            conditions[figure.name] = CompiledOnce.compile(
                condition, in: ExpressionContext(entity: counted, relatedEntity: related), expecting: .bool)
        }
        figureConditions = conditions
    }
}
