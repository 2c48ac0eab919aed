import Testing

@testable import TesseraCore

@Suite("CompiledExpression parsing")
struct ExpressionParserTests {
    func error(_ source: String) -> ExpressionError? {
        do {
            _ = try ExpressionParser.parse(source)
            return nil
        } catch {
            return error
        }
    }

    @Test("operators bind as in CEL")
    func precedence() throws {
        let syntax = try ExpressionParser.parse("a || b && c == 1 + 2 * 3")
        guard case .binary(.or, _, let right) = syntax.kind, case .binary(.and, _, let eq) = right.kind,
            case .binary(.equal, _, let sum) = eq.kind, case .binary(.add, _, let product) = sum.kind,
            case .binary(.multiply, _, _) = product.kind
        else {
            Issue.record("unexpected tree \(syntax)")
            return
        }
        let conditional = try ExpressionParser.parse("x ? 1 : y ? 2 : 3")
        guard case .conditional(_, _, let inner) = conditional.kind, case .conditional = inner.kind else {
            Issue.record("?: is right-associative: \(conditional)")
            return
        }
    }

    @Test("literals: escapes, doubles, exponents, lists, comments")
    func literals() throws {
        #expect(try ExpressionParser.parse(#"'it\'s \u00e9\n'"#).kind == .string("it's é\n"))
        #expect(try ExpressionParser.parse("1.5e3").kind == .double(1500))
        #expect(try ExpressionParser.parse("9223372036854775807").kind == .int(.max))
        #expect(
            try ExpressionParser.parse("[1, 2,]  // trailing comma and comment").kind
                == .list([Syntax(.int(1), at: .init(line: 1, column: 2)), Syntax(.int(2), at: .init(line: 1, column: 5))]))
    }

    @Test("syntax errors name line, column and what was expected")
    func positions() {
        let e1 = error("record.amount >")
        #expect(e1?.kind == .syntax)
        #expect(e1?.position == SourcePosition(line: 1, column: 16))
        #expect(e1?.message.contains("expected a value") == true)

        let e2 = error("record.a &&\n  (record.b")
        #expect(e2?.position == SourcePosition(line: 2, column: 12))
        #expect(e2?.message.contains("expected ')'") == true)

        #expect(error("'open")?.message.contains("not closed") == true)
        #expect(error("a # b")?.position == SourcePosition(line: 1, column: 3))
        #expect(error("1 2")?.message.contains("expected an operator or the end") == true)
        #expect(error("record.")?.message.contains("field or function name") == true)
        #expect(error("99999999999999999999")?.message.contains("out of range") == true)
        #expect(error("'\\q'")?.message.contains("unknown escape") == true)
        #expect(error("'\\u0000'") != nil)
        #expect(error("")?.message.contains("empty") == true)
        #expect(error("a[0]")?.message.contains("indexing") == true)
        #expect(error("1abc")?.kind == .syntax)
    }

    @Test("length, nesting and size are bounded")
    func limits() {
        #expect(error(String(repeating: "1+", count: 2100) + "1")?.kind == .limit)
        #expect(error(String(repeating: "(", count: 40) + "1" + String(repeating: ")", count: 40))?.kind == .limit)
        #expect(error(String(repeating: "!", count: 40) + "true")?.kind == .limit)
        #expect(error("[" + Array(repeating: "1", count: 600).joined(separator: ",") + "]")?.kind == .limit)
        // Right at the limits is fine.
        #expect(error(String(repeating: "(", count: 30) + "1" + String(repeating: ")", count: 30)) == nil)
    }
}
