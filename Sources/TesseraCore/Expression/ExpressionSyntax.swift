/// A place in an expression's source text (1-based line and column, in characters).
public struct SourcePosition: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "line \(line), column \(column)" }
}

/// The parsed, not yet checked, form of an expression: what the text says, with positions.
public struct Syntax: Sendable, Equatable {
    public indirect enum Kind: Sendable, Equatable {
        case null
        case bool(Bool)
        case int(Int64)
        case double(Double)
        case string(String)
        case identifier(String)
        case member(Syntax, String)
        /// `f(args)` when `target` is nil, `target.f(args)` otherwise.
        case call(String, target: Syntax?, arguments: [Syntax])
        case unary(UnaryOperator, Syntax)
        case binary(BinaryOperator, Syntax, Syntax)
        case conditional(Syntax, Syntax, Syntax)
        case list([Syntax])
    }

    public var kind: Kind
    public var position: SourcePosition

    public init(_ kind: Kind, at position: SourcePosition) {
        self.kind = kind
        self.position = position
    }
}

public enum UnaryOperator: String, Sendable {
    case not = "!", negate = "-"
}

public enum BinaryOperator: String, Sendable {
    case or = "||", and = "&&"
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", `in`
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"

    /// Binding strength as in CEL: higher binds tighter.
    var precedence: Int {
        switch self {
        case .or: 1
        case .and: 2
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .in: 3
        case .add, .subtract: 4
        case .multiply, .divide, .remainder: 5
        }
    }
}
