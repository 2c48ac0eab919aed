/// Parses the CEL subset into `Syntax`, bounding length, nesting and size so no input can run away.
public struct ExpressionParser {
    /// The longest source text accepted, in characters.
    public static let maxLength = 4000
    /// The deepest nesting of sub-expressions accepted.
    public static let maxDepth = 32
    /// The most syntax nodes one expression may have.
    public static let maxNodes = 500

    private let tokens: [ExpressionLexer.Located]
    private var index = 0
    private var depth = 0
    private var nodes = 0

    private init(tokens: [ExpressionLexer.Located]) { self.tokens = tokens }

    public static func parse(_ text: String) throws(ExpressionError) -> Syntax {
        let length = text.unicodeScalars.count
        guard length <= maxLength else {
            throw ExpressionError(.limit, .expressionTooLong(length, max: maxLength))
        }
        var parser = ExpressionParser(tokens: try ExpressionLexer.tokenize(text))
        if parser.current.token == .end { throw ExpressionError(.syntax, .expressionEmpty, at: parser.current.position) }
        let syntax = try parser.expression()
        guard parser.current.token == .end else { throw parser.unexpected(.operatorOrEnd) }
        return syntax
    }

    private var current: ExpressionLexer.Located { tokens[index] }

    private mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    private func isSymbol(_ s: String) -> Bool { current.token == .symbol(s) }

    private func unexpected(_ expected: DefinitionMessage.Expectation) -> ExpressionError {
        let found: DefinitionMessage.Found =
            switch current.token {
            case .end: .end
            case .int(let v): .token("\(v)")
            case .double(let v): .token("\(v)")
            case .string(let v): .string(v.count > 20 ? String(v.prefix(20)) + "…" : v)
            case .identifier(let v): .token("'\(v)'")
            case .symbol(let v): .token("'\(v)'")
            }
        return ExpressionError(.syntax, .expected(expected, found: found), at: current.position)
    }

    private mutating func expect(_ symbol: String, _ expected: DefinitionMessage.Expectation) throws(ExpressionError) {
        guard isSymbol(symbol) else { throw unexpected(expected) }
        advance()
    }

    private mutating func node(_ kind: Syntax.Kind, _ position: SourcePosition) throws(ExpressionError) -> Syntax {
        nodes += 1
        guard nodes <= Self.maxNodes else {
            throw ExpressionError(.limit, .tooManyParts(Self.maxNodes), at: position)
        }
        return Syntax(kind, at: position)
    }

    /// Every recursive descent goes through here, so nesting is bounded before the stack is.
    private mutating func nested<T>(_ body: (inout ExpressionParser) throws(ExpressionError) -> T) throws(ExpressionError) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else {
            throw ExpressionError(.limit, .nestsTooDeep(Self.maxDepth), at: current.position)
        }
        return try body(&self)
    }

    private mutating func expression() throws(ExpressionError) -> Syntax {
        try nested { (p: inout ExpressionParser) throws(ExpressionError) -> Syntax in
            let condition = try p.binary(minimum: 1)
            guard p.isSymbol("?") else { return condition }
            let position = p.current.position
            p.advance()
            let whenTrue = try p.binary(minimum: 1)
            try p.expect(":", .conditionalColon)
            let whenFalse = try p.expression()
            return try p.node(.conditional(condition, whenTrue, whenFalse), position)
        }
    }

    private func binaryOperator() -> BinaryOperator? {
        switch current.token {
        case .symbol(let s): BinaryOperator(rawValue: s)
        case .identifier("in"): .in
        default: nil
        }
    }

    /// Precedence climbing over CEL's binary operators, all left-associative.
    private mutating func binary(minimum: Int) throws(ExpressionError) -> Syntax {
        var left = try unary()
        while let op = binaryOperator(), op.precedence >= minimum {
            let position = current.position
            advance()
            let right = try nested { (p: inout ExpressionParser) throws(ExpressionError) -> Syntax in try p.binary(minimum: op.precedence + 1) }
            left = try node(.binary(op, left, right), position)
        }
        return left
    }

    private mutating func unary() throws(ExpressionError) -> Syntax {
        let position = current.position
        if isSymbol("!") || isSymbol("-") {
            let op: UnaryOperator = isSymbol("!") ? .not : .negate
            advance()
            let operand = try nested { (p: inout ExpressionParser) throws(ExpressionError) -> Syntax in try p.unary() }
            return try node(.unary(op, operand), position)
        }
        return try member()
    }

    private mutating func member() throws(ExpressionError) -> Syntax {
        var target = try primary()
        while true {
            if isSymbol(".") {
                advance()
                let position = current.position
                guard case .identifier(let name) = current.token else { throw unexpected(.nameAfterDot) }
                advance()
                if isSymbol("(") {
                    let arguments = try argumentList(closing: ")")
                    target = try node(.call(name, target: target, arguments: arguments), position)
                } else {
                    target = try node(.member(target, name), position)
                }
            } else if isSymbol("[") {
                throw ExpressionError(.syntax, .noIndexing, at: current.position)
            } else {
                return target
            }
        }
    }

    private mutating func argumentList(closing: String) throws(ExpressionError) -> [Syntax] {
        advance()  // the opening bracket
        var items: [Syntax] = []
        while !isSymbol(closing) {
            items.append(try expression())
            if isSymbol(",") {
                advance()
            } else if !isSymbol(closing) {
                throw unexpected(.commaOr(closing))
            }
        }
        advance()
        return items
    }

    private mutating func primary() throws(ExpressionError) -> Syntax {
        let position = current.position
        switch current.token {
        case .int(let v):
            advance()
            return try node(.int(v), position)
        case .double(let v):
            advance()
            return try node(.double(v), position)
        case .string(let v):
            advance()
            return try node(.string(v), position)
        case .identifier(let name):
            advance()
            switch name {
            case "true": return try node(.bool(true), position)
            case "false": return try node(.bool(false), position)
            case "null": return try node(.null, position)
            case "in": throw ExpressionError(.syntax, .expected(.value, found: .token("'in'")), at: position)
            default: break
            }
            if isSymbol("(") {
                let arguments = try nested { (p: inout ExpressionParser) throws(ExpressionError) -> [Syntax] in try p.argumentList(closing: ")") }
                return try node(.call(name, target: nil, arguments: arguments), position)
            }
            return try node(.identifier(name), position)
        case .symbol("("):
            advance()
            let inner = try expression()
            try expect(")", .symbol(")"))
            return inner
        case .symbol("["):
            let items = try nested { (p: inout ExpressionParser) throws(ExpressionError) -> [Syntax] in try p.argumentList(closing: "]") }
            return try node(.list(items), position)
        default:
            throw unexpected(.operand)
        }
    }
}
