import Testing

@testable import TesseraCore

@Suite("JSON writer")
struct JSONWriterTests {
    /// The escaping the writer promises, one scalar at a time (the writer copies runs instead).
    static func reference(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    @Test("strings are escaped exactly as one scalar at a time would, and read back unchanged")
    func escaping() throws {
        let fixed = [
            "", "plain", "客户名称", "a\"b\\c", "line\nbreak\r\ttab", "\u{01}\u{0f}\u{10}\u{1f} ", "\u{2028}x\u{2029}", "…\u{2027}\u{202a}",
            "emoji 💣 and 中文\"quoted\"", "\u{E2}", "ends with \\",
        ]
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "\"", "\\", "\n", "\u{01}", "\u{1f}", "中", "💣", "\u{2028}", "\u{2029}", "\u{2026}", "é", " "]
        let random = (0..<500).map { _ in String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement()! }) }
        for s in fixed + random {
            var out = ""
            JSONWriter.writeString(s, into: &out)
            #expect(out == Self.reference(s), "\(s.debugDescription)")
            #expect(try JSONParser.parse(out) == .string(s))
        }
    }

    @Test("the stream writer writes what the tree writer writes, with encoded members spliced in")
    func stream() throws {
        let members: [(String, JSONValue)] = [("label", .object([("zh-CN", "客户"), ("en", "Customer")])), ("options", [1, "a\"b", nil])]
        let tree: JSONValue = .object(
            [("entity", "lead")] + members + [("empty", .object([])), ("sections", [.object([("fields", [])]), .object([("n", 1)])])])
        var w = JSONStreamWriter()
        w.openObject()
        w.member("entity", "lead")
        w.members(JSONStreamWriter.encodedMembers(members))
        w.members([])
        w.key("empty")
        w.openObject()
        w.closeObject()
        w.key("sections")
        w.openArray()
        w.openObject()
        w.key("fields")
        w.openArray()
        w.closeArray()
        w.closeObject()
        w.value(.object([("n", 1)]))
        w.closeArray()
        w.closeObject()
        #expect(String(decoding: w.bytes, as: UTF8.self) == JSONWriter.string(tree))
        #expect(try JSONParser.parse(w.bytes) == tree)
    }
}
