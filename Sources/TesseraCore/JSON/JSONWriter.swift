/// Serializes `JSONValue` to compact JSON text.
public enum JSONWriter {
    public static func string(_ value: JSONValue) -> String {
        var out = ""
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    public static func write(_ value: JSONValue, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { out += "," }
                write(element, into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (key, element)) in members.enumerated() {
                if i > 0 { out += "," }
                writeString(key, into: &out)
                out += ":"
                write(element, into: &out)
            }
            out += "}"
        }
    }

    /// Copies runs that need no escape as they are (most strings are one run): per-scalar appends
    /// were most of a large answer's cost (a resolved form's labels and options).
    public static func writeString(_ s: String, into out: inout String) {
        out += "\""
        let utf8 = s.utf8
        let end = utf8.endIndex
        var run = utf8.startIndex
        var i = run
        while i != end {
            let byte = utf8[i]
            var escape: String?
            var width = 1
            switch byte {
            case 0x22: escape = "\\\""
            case 0x5C: escape = "\\\\"
            case 0x0A: escape = "\\n"
            case 0x0D: escape = "\\r"
            case 0x09: escape = "\\t"
            case 0..<0x20: escape = "\\u00" + (byte < 0x10 ? "0" : "1") + String(byte & 0x0F, radix: 16)
            case 0xE2:
                // U+2028 and U+2029 (E2 80 A8/A9) end lines in JavaScript.
                let j = utf8.index(after: i)
                if j != end, utf8[j] == 0x80 {
                    let k = utf8.index(after: j)
                    if k != end, utf8[k] == 0xA8 || utf8[k] == 0xA9 {
                        escape = utf8[k] == 0xA8 ? "\\u2028" : "\\u2029"
                        width = 3
                    }
                }
            default: break
            }
            guard let escape else {
                i = utf8.index(after: i)
                continue
            }
            out += s[run..<i]
            out += escape
            i = utf8.index(i, offsetBy: width)
            run = i
        }
        out += s[run..<end]
        out += "\""
    }
}
