/// A regular expression in a linear-time subset of RE2's syntax: literals, `.`, classes,
/// `\d \w \s` (ASCII), anchors, groups, `|` and bounded quantifiers. Matching runs a Pike VM,
/// so no pattern can backtrack catastrophically; `postgresPattern` renders the same pattern for
/// PostgreSQL's `~`, so a filter in SQL means what the check in Swift means.
public struct SafeRegex: Sendable, Equatable {
    public static let maxPatternLength = 1000
    public static let maxRepeat = 100
    public static let maxProgram = 5000

    indirect enum Node: Sendable, Equatable {
        case empty
        case set(CharacterSet)
        case start, end
        case concat([Node])
        case alternate([Node])
        case `repeat`(Node, min: Int, max: Int?)
    }

    /// A set of scalars: ranges, possibly negated. `.` is "anything but newline".
    struct CharacterSet: Sendable, Equatable {
        var ranges: [ClosedRange<UInt32>]
        var negated: Bool

        func contains(_ c: Unicode.Scalar) -> Bool {
            ranges.contains { $0.contains(c.value) } != negated
        }
    }

    enum Instruction: Sendable, Equatable {
        case set(CharacterSet)
        case split(Int, Int)
        case jump(Int)
        case assertStart, assertEnd
        case match
    }

    public let pattern: String
    /// The same pattern in PostgreSQL's ARE syntax (classes spelled out, groups non-capturing).
    public let postgresPattern: String
    let program: [Instruction]

    public init(_ pattern: String) throws(ExpressionError) {
        guard pattern.unicodeScalars.count <= Self.maxPatternLength else {
            throw ExpressionError(.limit, .regexTooLong(Self.maxPatternLength))
        }
        var parser = RegexParser(Array(pattern.unicodeScalars))
        let node = try parser.parseAll()
        self.pattern = pattern
        postgresPattern = Self.render(node)
        var program: [Instruction] = []
        try Self.compile(node, into: &program)
        program.append(.match)
        self.program = program
    }

    /// Whether the pattern matches anywhere in `text` (unanchored, as RE2 and `~` search).
    public func matches(_ text: String) -> Bool {
        let input = Array(text.unicodeScalars)
        var current = ThreadList(count: program.count)
        var next = ThreadList(count: program.count)
        for position in 0...input.count {
            // A new thread starts at every position: the search is unanchored.
            if addThread(&current, 0, position, input.count) { return true }
            if current.items.isEmpty, position == input.count { break }
            guard position < input.count else { break }
            let c = input[position]
            next.clear()
            for pc in current.items {
                if case .set(let set) = program[pc], set.contains(c) {
                    if addThread(&next, pc + 1, position + 1, input.count) { return true }
                }
            }
            swap(&current, &next)
        }
        return false
    }

    private struct ThreadList {
        var items: [Int] = []
        var marks: [Int]
        var generation = 1
        init(count: Int) { marks = Array(repeating: 0, count: count + 1) }
        mutating func clear() {
            items.removeAll(keepingCapacity: true)
            generation += 1
        }
    }

    /// Follows jumps, splits and assertions; returns true when a thread reaches `match`.
    private func addThread(_ list: inout ThreadList, _ pc: Int, _ position: Int, _ length: Int) -> Bool {
        var stack = [pc]
        while let pc = stack.popLast() {
            if list.marks[pc] == list.generation { continue }
            list.marks[pc] = list.generation
            switch program[pc] {
            case .match: return true
            case .jump(let target): stack.append(target)
            case .split(let a, let b): stack.append(b); stack.append(a)
            case .assertStart: if position == 0 { stack.append(pc + 1) }
            case .assertEnd: if position == length { stack.append(pc + 1) }
            case .set: list.items.append(pc)
            }
        }
        return false
    }

    private static func compile(_ node: Node, into p: inout [Instruction]) throws(ExpressionError) {
        guard p.count < maxProgram else { throw ExpressionError(.limit, .regexTooLarge) }
        switch node {
        case .empty: break
        case .set(let set): p.append(.set(set))
        case .start: p.append(.assertStart)
        case .end: p.append(.assertEnd)
        case .concat(let items): for item in items { try compile(item, into: &p) }
        case .alternate(let options):
            var jumps: [Int] = []
            for (i, option) in options.enumerated() {
                if i < options.count - 1 {
                    let split = p.count
                    p.append(.split(split + 1, 0))
                    try compile(option, into: &p)
                    jumps.append(p.count)
                    p.append(.jump(0))
                    p[split] = .split(split + 1, p.count)
                } else {
                    try compile(option, into: &p)
                }
            }
            for j in jumps { p[j] = .jump(p.count) }
        case .repeat(let inner, let min, let max):
            for _ in 0..<min { try compile(inner, into: &p) }
            if let max {
                // Optional copies: split past all remaining ones.
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(p.count)
                    p.append(.split(p.count + 1, 0))
                    try compile(inner, into: &p)
                }
                for s in splits { p[s] = .split(s + 1, p.count) }
            } else {
                let split = p.count
                p.append(.split(split + 1, 0))
                try compile(inner, into: &p)
                p.append(.jump(split))
                p[split] = .split(split + 1, p.count)
            }
        }
    }

    private static func render(_ node: Node) -> String {
        switch node {
        case .empty: return "(?:)"
        case .set(let set): return renderSet(set)
        case .start: return "^"
        case .end: return "$"
        case .concat(let items): return items.map(render).joined()
        case .alternate(let options): return "(?:" + options.map(render).joined(separator: "|") + ")"
        case .repeat(let inner, let min, let max):
            let body = "(?:" + render(inner) + ")"
            switch (min, max) {
            case (0, nil): return body + "*"
            case (1, nil): return body + "+"
            case (0, 1?): return body + "?"
            case (_, nil): return body + "{\(min),}"
            case (_, let max?): return body + (min == max ? "{\(min)}" : "{\(min),\(max)}")
            }
        }
    }

    private static func renderSet(_ set: CharacterSet) -> String {
        var text = set.negated ? "[^" : "["
        func scalar(_ v: UInt32) -> String {
            let c = Unicode.Scalar(v)!
            switch c {
            case "\\", "]", "[", "^", "-": return "\\" + String(c)
            case "\n": return "\\n"
            case "\t": return "\\t"
            case "\r": return "\\r"
            case "\u{0B}": return "\\v"
            case "\u{0C}": return "\\f"
            default: return String(c)
            }
        }
        for range in set.ranges {
            text += range.lowerBound == range.upperBound ? scalar(range.lowerBound) : scalar(range.lowerBound) + "-" + scalar(range.upperBound)
        }
        return text + "]"
    }
}

/// Recursive-descent parser of the regex subset; positions in errors are 1-based characters.
private struct RegexParser {
    let s: [Unicode.Scalar]
    var i = 0
    var depth = 0

    init(_ s: [Unicode.Scalar]) { self.s = s }

    func fail(_ problem: DefinitionMessage) -> ExpressionError {
        ExpressionError(.syntax, .regexAt(i + 1, problem))
    }

    mutating func parseAll() throws(ExpressionError) -> SafeRegex.Node {
        let node = try alternation()
        if i < s.count { throw fail(s[i] == ")" ? .regexUnmatchedParen : .regexUnexpected(String(s[i]))) }
        return node
    }

    mutating func alternation() throws(ExpressionError) -> SafeRegex.Node {
        var options = [try concatenation()]
        while i < s.count, s[i] == "|" {
            i += 1
            options.append(try concatenation())
        }
        return options.count == 1 ? options[0] : .alternate(options)
    }

    mutating func concatenation() throws(ExpressionError) -> SafeRegex.Node {
        var items: [SafeRegex.Node] = []
        while i < s.count, s[i] != "|", s[i] != ")" {
            var atom = try self.atom()
            if i < s.count, let (min, max) = try quantifier() {
                if case .start = atom { throw fail(.regexNothingToRepeat) }
                if case .end = atom { throw fail(.regexNothingToRepeat) }
                atom = .repeat(atom, min: min, max: max)
                if i < s.count, s[i] == "?" { i += 1 }  // lazy: the same for a yes/no match
                if i < s.count, "*+?{".unicodeScalars.contains(s[i]) { throw fail(.regexRepeatRepeat) }
            }
            items.append(atom)
        }
        return items.isEmpty ? .empty : (items.count == 1 ? items[0] : .concat(items))
    }

    mutating func quantifier() throws(ExpressionError) -> (Int, Int?)? {
        switch s[i] {
        case "*": i += 1; return (0, nil)
        case "+": i += 1; return (1, nil)
        case "?": i += 1; return (0, 1)
        case "{":
            let start = i
            i += 1
            func number(_ p: inout RegexParser) -> Int? {
                var text = ""
                while p.i < p.s.count, p.s[p.i].properties.numericType == .decimal, p.s[p.i].isASCII {
                    text.unicodeScalars.append(p.s[p.i]); p.i += 1
                }
                return text.isEmpty ? nil : Int(text.prefix(6))
            }
            guard let min = number(&self) else { throw fail(.regexNumberAfterBrace) }
            var max: Int? = min
            if i < s.count, s[i] == "," {
                i += 1
                max = number(&self)
            }
            guard i < s.count, s[i] == "}" else { i = start; throw fail(.regexUnclosedRepeat) }
            i += 1
            if let max, max < min { throw fail(.regexRepeatOrder(min: min, max: max)) }
            guard min <= SafeRegex.maxRepeat, (max ?? 0) <= SafeRegex.maxRepeat else {
                throw fail(.regexRepeatLimit(SafeRegex.maxRepeat))
            }
            return (min, max)
        default: return nil
        }
    }

    mutating func atom() throws(ExpressionError) -> SafeRegex.Node {
        let c = s[i]
        switch c {
        case "(":
            depth += 1
            guard depth <= 20 else { throw fail(.regexNesting) }
            i += 1
            if i + 1 < s.count, s[i] == "?", s[i + 1] == ":" {
                i += 2
            } else if i < s.count, s[i] == "?" {
                throw fail(.regexGroupKind)
            }
            let inner = try alternation()
            guard i < s.count, s[i] == ")" else { throw fail(.regexMissingParen) }
            i += 1
            depth -= 1
            return inner
        case "[": return .set(try bracket())
        case ".":
            i += 1
            return .set(.init(ranges: [10...10], negated: true))
        case "^": i += 1; return .start
        case "$": i += 1; return .end
        case "\\":
            i += 1
            return .set(try escape(inClass: false))
        case "*", "+", "?", "{": throw fail(.regexNothingBefore(String(c)))
        default:
            i += 1
            return .set(.init(ranges: [c.value...c.value], negated: false))
        }
    }

    static let digit: [ClosedRange<UInt32>] = [48...57]
    static let word: [ClosedRange<UInt32>] = [48...57, 65...90, 95...95, 97...122]
    static let space: [ClosedRange<UInt32>] = [9...13, 32...32]

    /// After a backslash: a class shorthand, a control escape, or an escaped punctuation mark.
    mutating func escape(inClass: Bool) throws(ExpressionError) -> SafeRegex.CharacterSet {
        guard i < s.count else { throw fail(.regexTrailingBackslash) }
        let e = s[i]
        i += 1
        switch e {
        case "d": return .init(ranges: Self.digit, negated: false)
        case "w": return .init(ranges: Self.word, negated: false)
        case "s": return .init(ranges: Self.space, negated: false)
        case "D", "W", "S":
            if inClass { throw fail(.regexClassInClass(String(e))) }
            let base = e == "D" ? Self.digit : (e == "W" ? Self.word : Self.space)
            return .init(ranges: base, negated: true)
        case "n": return .init(ranges: [10...10], negated: false)
        case "t": return .init(ranges: [9...9], negated: false)
        case "r": return .init(ranges: [13...13], negated: false)
        default:
            guard e.isASCII, !(e.properties.isAlphabetic || e.properties.numericType != nil) else {
                throw fail(.regexEscape(String(e)))
            }
            return .init(ranges: [e.value...e.value], negated: false)
        }
    }

    mutating func bracket() throws(ExpressionError) -> SafeRegex.CharacterSet {
        i += 1
        var negated = false
        if i < s.count, s[i] == "^" { negated = true; i += 1 }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        while true {
            guard i < s.count else { throw fail(.regexMissingBracket) }
            let c = s[i]
            if c == "]", !first { i += 1; break }
            first = false
            var low: UInt32
            if c == "\\" {
                i += 1
                let set = try escape(inClass: true)
                if set.ranges.count != 1 || set.ranges[0].count != 1 { ranges += set.ranges; continue }
                low = set.ranges[0].lowerBound
            } else if c == "[" {
                throw fail(.regexBracketInClass)
            } else {
                low = c.value
                i += 1
            }
            if i + 1 < s.count, s[i] == "-", s[i + 1] != "]" {
                i += 1
                var high = s[i].value
                if s[i] == "\\" {
                    i += 1
                    let set = try escape(inClass: true)
                    guard set.ranges.count == 1, set.ranges[0].count == 1 else { throw fail(.regexRangeEndsInClass) }
                    high = set.ranges[0].lowerBound
                } else {
                    i += 1
                }
                guard low <= high else { throw fail(.regexRangeOrder) }
                ranges.append(low...high)
            } else {
                ranges.append(low...low)
            }
        }
        return .init(ranges: ranges, negated: negated)
    }
}
