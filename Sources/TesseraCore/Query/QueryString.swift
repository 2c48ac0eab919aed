/// Splits a raw URL query into decoded `(name, value)` pairs, keeping order and repeats.
public enum QueryString {
    public static func parse(_ raw: String) throws(TesseraError) -> [(String, String)] {
        guard !raw.isEmpty else { return [] }
        var pairs: [(String, String)] = []
        for part in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decode(pieces[0])
            let value = pieces.count > 1 ? try decode(pieces[1]) : ""
            pairs.append((name, value))
        }
        return pairs
    }

    /// Percent-decoding with `+` as space; invalid escapes, invalid UTF-8 or NUL are a 400.
    static func decode(_ s: Substring) throws(TesseraError) -> String {
        guard s.contains(where: { $0 == "%" || $0 == "+" }) else { return String(s) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var iterator = s.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let h = iterator.next(), let l = iterator.next(), let hi = hex(h), let lo = hex(l) else {
                    throw .badRequest(.invalidPercentEscape, code: "invalid_query")
                }
                bytes.append(hi << 4 | lo)
            default: bytes.append(byte)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .badRequest(.queryNotUTF8, code: "invalid_query")
        }
        // PostgreSQL text cannot hold NUL: a parameter with %00 would fail deep in a query.
        guard !bytes.contains(0) else { throw .badRequest(.queryNUL, code: "invalid_query") }
        return text
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
