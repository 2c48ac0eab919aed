import Testing

@testable import TesseraCore

@Suite("CompiledExpression type checking")
struct ExpressionCheckerTests {
    typealias F = ExpressionFixtures

    @Test("well-typed expressions over fields, old values, the caller and one relation hop")
    func accepted() throws {
        for source in [
            "record.amount > 100000 && record.stage == 'done'",
            "size(record.photos) >= 2", "record.photos.size() >= 2",
            "old.stage != record.stage",
            "now() - record.at > duration('72h')",
            "distance_m(record.checkin, record.customer.location) <= 500",
            "record.customer.name.startsWith('A')",
            "record.owner_id == user.id",
            "'q1' in record.questions && record.questions.contains('q2')",
            "record.count + 1.5 > 2", "record.amount >= 10",
            "record.title.matches('^[A-Z][a-z]+$')",
            "date(record.at) == record.day", "timestamp(record.day) < record.at",
            "record.day - date('2026-01-01') > 30",
            "has(record.title) ? size(record.title) : 0",
            "record.checkin.lat > 30.0", "int(record.amount) % 2 == 0", "string(record.count) + 'x' != ''",
            "record.stage in ['new', 'done', null]", "record.title == null",
        ] {
            #expect(F.error(source) == nil, "\(source): \(F.error(source)?.description ?? "")")
        }
        #expect(try F.compile("record.count + 1").type == .int)
        #expect(try F.compile("record.count + 1.0").type == .double)
        #expect(try F.compile("record.at - record.at").type == .duration)
    }

    @Test("type errors say what was expected, where")
    func refused() {
        let cases: [(String, String, Int)] = [
            ("record.title > 5", "cannot order string and int", 14),
            ("record.nope == 1", "visit has no field 'nope'", 8),
            ("record.count == 'x'", "cannot compare int with string", 14),
            ("record.count && true", "'&&' needs bool, not int", 8),
            ("frobnicate(1)", "unknown function 'frobnicate'", 1),
            ("size(record.count)", "size() does not take (int)", 1),
            ("record.title.matches(record.title)", "needs a string written in the expression", 29),
            ("duration('4 hours')", "is not a duration", 10),
            ("record.customer.location.lat.x", "double has no field 'x'", 30),
            ("record.customer.owner_id.name", "only one relation hop", 26),
            ("user.password", "user has no attribute 'password'", 6),
            ("record", "not a value by itself", 1),
            ("other.title == 'a'", "'other' is not available here", 1),
            ("[1, 'a']", "a list holds values of one type", 5),
            ("record.count / 0 > 1", "division by zero", 14),
            ("1 / 0 > record.count", "division by zero", 3), ("-9223372036854775807 - 2 > record.count", "always fails: integer out of range", 22),
            ("record.title.matches('(a')", "missing ')'", 22),
            ("has(1)", "has() takes a field", 5),
        ]
        for (source, message, column) in cases {
            let error = F.error(source)
            #expect(error?.kind == .type || error?.kind == .syntax, "\(source)")
            #expect(error?.message.contains(message) == true, "\(source): got \(error?.description ?? "no error")")
            #expect(error?.position?.column == column, "\(source): got \(error?.description ?? "no error")")
        }
        // The place of use decides the type: rules and filters need bool.
        #expect(throws: ExpressionError.self) { try CompiledExpression("record.count + 1", in: F.context(), expecting: .bool) }
        // `old` is only there on updates (rules), not in filters.
        #expect(F.error("old.count > 1", [.record])?.message.contains("'old' is not available") == true)
    }

    @Test("the error maps to the shared shape with line and column")
    func detail() {
        let detail = F.error("record.count >")!.detail(property: "expression")
        #expect(detail.field == "expression")
        #expect(detail.extra["line"] == .number("1"))
        #expect(detail.extra["column"] == .number("15"))
        #expect(detail.message.contains("line 1, column 15"))
    }

    @Test("constant parts are folded once, at check time")
    func folding() throws {
        let e = try F.compile("record.at > timestamp('2026-01-01T00:00:00Z') + duration('1d')")
        guard case .compare(_, _, let right) = e.checked.kind, case .constant(.timestamp(let t)) = right.kind else {
            Issue.record("not folded: \(e.checked.kind)")
            return
        }
        #expect(t == TimeText.parseTimestamp("2026-01-02T00:00:00Z"))
    }
}
