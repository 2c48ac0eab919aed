/// An auto_number pattern such as `CT-{YYYY}-{0000}`: literal text, date tokens and one counter.
public struct AutoNumberPattern: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case literal(String)
        case year4, year2, month, day
        /// The counter, zero-padded to this many digits.
        case counter(width: Int)
    }

    public let parts: [Part]

    public init?(_ pattern: String) {
        guard AutoNumberPattern.problem(in: pattern) == nil else { return nil }
        parts = AutoNumberPattern.split(pattern)
    }

    /// What is wrong with a pattern, or nil when it is usable.
    public static func problem(in pattern: String) -> DefinitionMessage? {
        guard !pattern.isEmpty, pattern.count <= 40 else { return .patternLength }
        let literalAllowed: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || "-_/.".contains($0)) }
        var counters = 0
        var rest = pattern[...]
        while !rest.isEmpty {
            if rest.first == "{" {
                guard let close = rest.firstIndex(of: "}") else { return .patternUnclosed }
                let token = rest[rest.index(after: rest.startIndex)..<close]
                switch token {
                case "YYYY", "YY", "MM", "DD": break
                default:
                    guard !token.isEmpty, token.allSatisfy({ $0 == "0" }), token.count <= 12 else {
                        return .patternToken(String(token))
                    }
                    counters += 1
                }
                rest = rest[rest.index(after: close)...]
            } else {
                guard literalAllowed(rest.first!) else {
                    return .patternCharacter(String(rest.first!))
                }
                rest = rest.dropFirst()
            }
        }
        guard counters == 1 else { return .patternCounter }
        return nil
    }

    static func split(_ pattern: String) -> [Part] {
        var parts: [Part] = []
        var literal = ""
        var rest = pattern[...]
        while let c = rest.first {
            if c == "{", let close = rest.firstIndex(of: "}") {
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                let token = rest[rest.index(after: rest.startIndex)..<close]
                switch token {
                case "YYYY": parts.append(.year4)
                case "YY": parts.append(.year2)
                case "MM": parts.append(.month)
                case "DD": parts.append(.day)
                default: parts.append(.counter(width: token.count))
                }
                rest = rest[rest.index(after: close)...]
            } else {
                literal.append(c)
                rest = rest.dropFirst()
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return parts
    }
}
