/// Splits expression text into tokens, each with its position; refuses what CEL would refuse.
struct ExpressionLexer {
    enum Token: Equatable {
        case int(Int64)
        case double(Double)
        case string(String)
        case identifier(String)
        /// Operators and punctuation, as written: `&&`, `(`, `.`…
        case symbol(String)
        case end
    }

    struct Located: Equatable {
        let token: Token
        let position: SourcePosition
    }

    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var column = 1

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    static func tokenize(_ text: String) throws(ExpressionError) -> [Located] {
        var lexer = ExpressionLexer(text)
        var tokens: [Located] = []
        while true {
            let next = try lexer.next()
            tokens.append(next)
            if next.token == .end { return tokens }
        }
    }

    private var position: SourcePosition { SourcePosition(line: line, column: column) }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func advance() {
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private mutating func next() throws(ExpressionError) -> Located {
        skipSpaceAndComments()
        let start = position
        guard let c = peek() else { return Located(token: .end, position: start) }
        if c.properties.isASCIIHexDigit, c.value < 0x3A { return Located(token: try number(), position: start) }
        if c == ".", let d = peek(1), d.value >= 0x30, d.value <= 0x39 { return Located(token: try number(), position: start) }
        if c == "\"" || c == "'" { return Located(token: .string(try string(quote: c)), position: start) }
        if Self.isIdentifierStart(c) {
            var name = ""
            while let d = peek(), Self.isIdentifierStart(d) || (d.value >= 0x30 && d.value <= 0x39) {
                name.unicodeScalars.append(d)
                advance()
            }
            return Located(token: .identifier(name), position: start)
        }
        for symbol in Self.twoCharacterSymbols where peek() == symbol.unicodeScalars.first && peek(1) == symbol.unicodeScalars.last {
            advance(); advance()
            return Located(token: .symbol(symbol), position: start)
        }
        if "+-*/%<>!?:.,()[]".unicodeScalars.contains(c) {
            advance()
            return Located(token: .symbol(String(c)), position: start)
        }
        throw ExpressionError(.syntax, .unexpectedCharacter(Self.printable(c)), at: start)
    }

    private static let twoCharacterSymbols = ["&&", "||", "==", "!=", "<=", ">="]

    private static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        (c.value >= 0x61 && c.value <= 0x7A) || (c.value >= 0x41 && c.value <= 0x5A) || c == "_"
    }

    private static func printable(_ c: Unicode.Scalar) -> String {
        c.value < 0x20 || c.value == 0x7F ? "\\u{\(String(c.value, radix: 16))}" : String(c)
    }

    private mutating func skipSpaceAndComments() {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                advance()
            } else if c == "/", peek(1) == "/" {
                while let d = peek(), d != "\n" { advance() }
            } else {
                return
            }
        }
    }

    private mutating func number() throws(ExpressionError) -> Token {
        let start = position
        var text = ""
        var isDouble = false
        func digits(_ lexer: inout ExpressionLexer, into text: inout String) {
            while let d = lexer.peek(), d.value >= 0x30, d.value <= 0x39 {
                text.unicodeScalars.append(d)
                lexer.advance()
            }
        }
        digits(&self, into: &text)
        if peek() == ".", let d = peek(1), d.value >= 0x30, d.value <= 0x39 {
            isDouble = true
            text += "."
            advance()
            digits(&self, into: &text)
        }
        if let e = peek(), e == "e" || e == "E" {
            var offset = 1
            if let sign = peek(1), sign == "+" || sign == "-" { offset = 2 }
            if let d = peek(offset), d.value >= 0x30, d.value <= 0x39 {
                isDouble = true
                for _ in 0..<offset {
                    text.unicodeScalars.append(peek()!)
                    advance()
                }
                digits(&self, into: &text)
            }
        }
        if let c = peek(), Self.isIdentifierStart(c) {
            throw ExpressionError(.syntax, .numberRunsIntoName("\(text)\(c)"), at: start)
        }
        if isDouble {
            guard let value = Double(text), value.isFinite else { throw ExpressionError(.syntax, .numberRange(text), at: start) }
            return .double(value)
        }
        guard let value = Int64(text) else { throw ExpressionError(.syntax, .integerRange(text), at: start) }
        return .int(value)
    }

    private mutating func string(quote: Unicode.Scalar) throws(ExpressionError) -> String {
        let start = position
        advance()
        var value = ""
        while true {
            guard let c = peek(), c != "\n" else { throw ExpressionError(.syntax, .unclosedString(String(quote)), at: start) }
            advance()
            if c == quote { return value }
            if c.value == 0 { throw ExpressionError(.syntax, .nulInString, at: start) }
            guard c == "\\" else {
                value.unicodeScalars.append(c)
                continue
            }
            let escapeAt = position
            guard let e = peek() else { throw ExpressionError(.syntax, .unclosedString(String(quote)), at: start) }
            advance()
            switch e {
            case "n": value += "\n"
            case "t": value += "\t"
            case "r": value += "\r"
            case "\\", "\"", "'": value.unicodeScalars.append(e)
            case "u":
                var hex = ""
                for _ in 0..<4 {
                    guard let h = peek(), h.properties.isASCIIHexDigit else {
                        throw ExpressionError(.syntax, .unicodeEscapeDigits, at: escapeAt)
                    }
                    hex.unicodeScalars.append(h)
                    advance()
                }
                guard let scalar = Unicode.Scalar(UInt32(hex, radix: 16)!), scalar.value != 0 else {
                    throw ExpressionError(.syntax, .unicodeEscapeInvalid(hex), at: escapeAt)
                }
                value.unicodeScalars.append(scalar)
            default:
                throw ExpressionError(.syntax, .unknownEscape(Self.printable(e)), at: escapeAt)
            }
        }
    }
}
