/// An expression as saved in metadata: its source text and its checked form for one entity.
public struct CompiledExpression: Sendable, Equatable {
    public let source: String
    public let checked: CheckedExpression

    /// Parses and type-checks; `expecting` is the type the place of use needs (bool for rules).
    public init(_ source: String, in context: ExpressionContext, expecting: ExpressionType? = nil) throws(ExpressionError) {
        let checked = try ExpressionChecker.check(try ExpressionParser.parse(source), in: context)
        if let expecting, checked.type != expecting, checked.type != .null,
            ExpressionType.common(checked.type, expecting) != expecting
        {
            throw ExpressionError(.type, .mustGive("\(expecting)", got: "\(checked.type)"), at: checked.position)
        }
        self.source = source
        self.checked = checked
    }

    public var type: ExpressionType { checked.type }

    /// Two expressions checked for the same entity are the same when their text is.
    public static func == (a: CompiledExpression, b: CompiledExpression) -> Bool { a.source == b.source }
    public var references: Set<FieldReference> { checked.references }

    public func evaluate(in env: ExpressionEnvironment) throws(ExpressionError) -> ExpressionValue {
        try ExpressionEvaluator.evaluate(checked, in: env)
    }

    /// For conditions (filters, `when`, automation conditions): only `true` passes; unknown does not.
    public func isTrue(in env: ExpressionEnvironment) throws(ExpressionError) -> Bool {
        if case .bool(true) = try evaluate(in: env) { return true }
        return false
    }

    /// For rules that must hold: like a PostgreSQL CHECK constraint, only `false` is a violation;
    /// unknown (a field left empty) is not — required-ness is its own rule.
    public func isViolated(in env: ExpressionEnvironment) throws(ExpressionError) -> Bool {
        if case .bool(false) = try evaluate(in: env) { return true }
        return false
    }
}
