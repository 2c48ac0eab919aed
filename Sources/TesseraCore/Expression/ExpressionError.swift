/// Why an expression was refused or could not be evaluated, with where in the text.
public struct ExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The text is not an expression (tokens, brackets).
        case syntax
        /// The expression is well formed but does not fit the entity (unknown field, wrong types).
        case type
        /// Too long, too deep or too costly.
        case limit
        /// A value made evaluation fail (division by zero, overflow, an unparseable timestamp).
        case evaluation
    }

    public var kind: Kind
    /// What is wrong, in every language.
    public var problem: DefinitionMessage
    public var position: SourcePosition?

    public init(_ kind: Kind, _ problem: DefinitionMessage, at position: SourcePosition? = nil) {
        self.kind = kind
        self.problem = problem
        self.position = position
    }

    /// What is wrong, in English.
    public var message: String { problem.text(.en) }

    /// What is wrong and where, in every language.
    public var described: DefinitionMessage {
        guard let position else { return problem }
        return .at(line: position.line, column: position.column, problem)
    }

    public var description: String { described.text(.en) }

    /// The shared error shape: one 422 detail naming the property that held the expression.
    public func detail(property: String) -> TesseraError.Detail {
        var extra: [String: JSONValue] = ["kind": .string(kind.rawValue)]
        if let position {
            extra["line"] = .number(String(position.line))
            extra["column"] = .number(String(position.column))
        }
        return .definition(field: property, rule: "expression", .about(property, described), extra: extra)
    }
}
