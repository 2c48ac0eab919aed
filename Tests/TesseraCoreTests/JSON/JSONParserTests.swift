import Testing

@testable import TesseraCore

@Suite("JSON parser")
struct JSONParserTests {
    @Test("parses documents, keeping number text and member order")
    func parses() throws {
        let value = try JSONParser.parse(#"{"b": [1, 2.50, -3e2, true, null], "a": "中文\n\u00e9\ud83d\ude00", "c": 7}"#)
        #expect(value["c"] == 7)
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.0) == ["b", "a", "c"])
        #expect(members[0].1 == [1, .number("2.50"), .number("-3e2"), true, nil])
        #expect(members[0].1.arrayValue?[1].numberText == "2.50")
        #expect(value["a"] == "中文\né😀")
        #expect(JSONWriter.string(try JSONParser.parse(#"{"x":"a\"b\\c\u0001"}"#)) == #"{"x":"a\"b\\c\u0001"}"#)
    }

    @Test(
        "rejects malformed input with the offset",
        arguments: [
            ("{", 1), ("[1,]", 3), ("{\"a\" 1}", 5), ("01", 1), ("1.", 2), ("\"abc", 4), ("tru", 0), ("[1] x", 4),
            ("\"\\ud800\"", 7), ("\"\\x\"", 3), ("\"a\u{01}\"", 2), ("", 0), ("-", 1),
            ("{\"a\":1,\"a\":2}", 7), ("[{\"b\":{\"c\":1,\"c\":1}}]", 13),
        ])
    func rejects(text: String, offset: Int) {
        let error = #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
        #expect(error?.offset == offset, "\(text): \(String(describing: error))")
    }

    @Test("limits nesting depth and refuses invalid UTF-8")
    func limits() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
        #expect(try JSONParser.parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)).arrayValue != nil)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xE4, 0xB8, 0x22]) }
        // Broken UTF-8 next to an escape: the escape's bytes cannot complete it.
        let escaped = Array(#""a\n"#.utf8)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(escaped + [0xE4, 0xB8, 0x22]) }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xE4] + Array(#"\u00e9""#.utf8)) }
        #expect(try JSONParser.parse(Array(#""\t"#.utf8) + [0xE4, 0xB8, 0xAD, 0x22]) == "\t中")
    }

    @Test("a name given twice is refused in objects of any size, at the second one")
    func duplicates() throws {
        for size in [2, 15, 16, 17, 40] {
            let names = (0..<size).map { "\"f\($0)\":\($0)" }
            let whole = "{" + names.joined(separator: ",") + "}"
            #expect(try JSONParser.parse(whole).objectValue?.count == size)
            let twice = "{" + names.joined(separator: ",") + ",\"f\(size / 2)\":0}"
            let error = #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(twice) }
            #expect(error?.offset == whole.utf8.count, "\(size) members")
        }
    }
}
