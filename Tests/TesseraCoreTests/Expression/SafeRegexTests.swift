import Testing

@testable import TesseraCore

@Suite("Safe regular expressions")
struct SafeRegexTests {
    func matches(_ pattern: String, _ text: String) throws -> Bool { try SafeRegex(pattern).matches(text) }

    @Test("the subset matches as RE2 does (unanchored search)")
    func matching() throws {
        #expect(try matches("^1[3-9]\\d{9}$", "13812345678"))
        #expect(try !matches("^1[3-9]\\d{9}$", "1381234567"))
        #expect(try matches("b+", "abbbc"))
        #expect(try matches("^(ab|cd)*$", "abcdab"))
        #expect(try !matches("^(ab|cd)*$", "abc"))
        #expect(try matches("colou?r", "my color"))
        #expect(try matches("^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", "a.b@example.com"))
        #expect(try !matches("^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", "a b@example.com"))
        #expect(try matches("^.$", "é"))
        #expect(try !matches("^.$", "\n"))
        #expect(try matches("^$", ""))
        #expect(try matches("x{2,3}", "axxb"))
        #expect(try !matches("^x{2,3}$", "xxxx"))
        #expect(try matches("\\.\\*", "a.*b"))
        #expect(try matches("[a\\-z]", "-"))
    }

    @Test("patterns that make backtracking engines explode finish in linear time")
    func noCatastrophe() throws {
        let text = String(repeating: "a", count: 5000) + "!"
        #expect(try !matches("^(a+)+$", text))
        #expect(try !matches("^(a|a)*$", text))
        #expect(try !matches("^(a|aa)+$", text))
        #expect(try !matches("(x+x+)+y", String(repeating: "x", count: 5000)))
    }

    @Test("unsupported or oversized patterns are refused")
    func refused() {
        for pattern in ["(a", "a)", "[a", "*a", "a{3,2}", "a{1000}", "(?=a)", "\\1", "\\p{L}", "[\\D]", "a**"] {
            #expect(throws: ExpressionError.self, "\(pattern)") { try SafeRegex(pattern) }
        }
        #expect(throws: ExpressionError.self) { try SafeRegex(String(repeating: "(a{100}){100}", count: 1)) }
    }

    @Test("PostgreSQL gets the same pattern spelled out")
    func rendering() throws {
        #expect(try SafeRegex("^1[3-9]\\d{2}$").postgresPattern == "^[1][3-9](?:[0-9]){2}$")
        #expect(try SafeRegex("a.b|c").postgresPattern == "(?:[a][^\\n][b]|[c])")
        #expect(try SafeRegex("[^\\]x]").postgresPattern == "[^\\]x]")
    }
}
