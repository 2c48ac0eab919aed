import Testing

@testable import TesseraCore

@Suite("CompiledExpression evaluation")
struct ExpressionEvaluatorTests {
    typealias F = ExpressionFixtures

    func value(
        _ source: String, _ record: [String: ExpressionValue] = [:], old: [String: ExpressionValue]? = nil,
        customer: [String: ExpressionValue]? = nil, now: Int64 = 0, zone: TimeZoneRules = F.shanghai
    ) throws -> ExpressionValue {
        try F.evaluate(source, record: record, old: old, customer: customer, now: now, zone: zone)
    }

    func expectValue(
        _ source: String, _ expected: ExpressionValue, _ record: [String: ExpressionValue] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            let got = try value(source, record)
            #expect(got.equals(expected), "\(source) gave \(got), expected \(expected)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(source) failed: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("arithmetic: int stays int, mixing widens, errors where PostgreSQL raises")
    func arithmetic() throws {
        let r: [String: ExpressionValue] = ["count": .int(7), "amount": .double(2.5)]
        expectValue("record.count / 2", .int(3), r)
        expectValue("-record.count / 2", .int(-3), r)
        expectValue("-record.count % 3", .int(-1), r)
        expectValue("record.count * record.amount", .double(17.5), r)
        expectValue("'ab' + 'c'", .string("abc"))
        expectValue("double(record.count) / 2.0", .double(3.5), r)
        expectValue("int(-2.7)", .int(-2))
        expectValue("int(record.amount * 3.0)", .int(7), r)
        expectValue("int('42') + int(record.count)", .int(49), r)
        expectValue("double('1.25') * 4.0", .double(5))
        expectValue("-record.amount", .double(-2.5), r)
        expectValue("record.count + 1 == 8 ? 'yes' : 'no'", .string("yes"), r)
        expectValue("record.count / (record.count - 7)", .null, r)
        expectValue("record.count % (record.count - 7)", .null, r)
        expectValue("record.amount / (record.amount - 2.5)", .null, r)
        #expect(throws: ExpressionError.self) { try value("record.count * 9223372036854775807", r) }
        #expect(throws: ExpressionError.self) { try value("record.amount * 1e308 * 10.0 > 1.0", r) }
    }

    @Test("null is unknown: three-valued logic, total equality, empty sizes")
    func nulls() throws {
        expectValue("record.count > 1", .null)
        expectValue("record.count + 1", .null)
        expectValue("!(record.count > 1)", .null)
        expectValue("record.count > 1 && false", .bool(false))
        expectValue("record.count > 1 || true", .bool(true))
        expectValue("record.count > 1 && true", .null)
        expectValue("record.count == null", .bool(true))
        expectValue("record.count != 1", .bool(true))
        expectValue("size(record.photos)", .int(0))
        expectValue("size(record.title)", .int(0))
        expectValue("has(record.title)", .bool(false))
        expectValue("has(record.title)", .bool(false), ["title": .string("")])
        expectValue("record.title in ['a']", .bool(false))
        expectValue("'a' in record.questions", .bool(false))
        expectValue("record.count > 1 ? 1 : 2", .int(2))
        expectValue("record.title.contains('a')", .null)
        // Rules hold unless false; conditions pass only when true.
        let rule = try F.compile("record.count > 1")
        let env = ExpressionEnvironment(records: [.record: RecordValues()], now: 0, timeZone: .utc)
        #expect(try rule.isViolated(in: env) == false)
        #expect(try rule.isTrue(in: env) == false)
    }

    @Test("text functions count characters and compare bytes")
    func text() {
        let r: [String: ExpressionValue] = ["title": .string("北京 Visit")]
        expectValue("size(record.title)", .int(8), r)
        expectValue("record.title.startsWith('北京')", .bool(true), r)
        expectValue("record.title.endsWith('Visit')", .bool(true), r)
        expectValue("record.title.contains(' V')", .bool(true), r)
        expectValue("record.title.contains('')", .bool(true), r)
        expectValue("record.title.matches('^北.+t$')", .bool(true), r)
        expectValue("record.title.matches('visit')", .bool(false), r)
        expectValue("'B' < 'a'", .bool(true))
        expectValue("'é' == 'e\\u0301'", .bool(false))  // bytes differ, as in PostgreSQL
        expectValue("string(record.count)", .null)
        expectValue("string(42) + string(true)", .string("42true"))
    }

    @Test("lists: in, contains, size")
    func lists() {
        let r: [String: ExpressionValue] = ["questions": .list([.string("q1"), .string("q3")]), "stage": .string("new")]
        expectValue("'q3' in record.questions", .bool(true), r)
        expectValue("record.questions.contains('q2')", .bool(false), r)
        expectValue("size(record.questions) >= 2", .bool(true), r)
        expectValue("record.stage in ['new', 'done']", .bool(true), r)
        expectValue("record.count in [1, 2.0]", .bool(false), r)
        expectValue("2 in [1, 2.0]", .bool(true))
    }

    @Test("time: durations, time zones, dates")
    func time() throws {
        let at = TimeText.parseTimestamp("2026-11-23T18:30:00Z")!  // 02:30 next day in Shanghai
        let r: [String: ExpressionValue] = ["at": .timestamp(at), "day": .date(TimeText.parseDate("2026-11-24")!)]
        expectValue("date(record.at) == record.day", .bool(true), r)
        #expect(try value("date(record.at)", r, zone: .utc).equals(.date(TimeText.parseDate("2026-11-23")!)))
        expectValue("timestamp(record.day)", .timestamp(TimeText.parseTimestamp("2026-11-24T00:00:00+08:00")!), r)
        expectValue("record.at + duration('1h30m') - record.at", .duration(5_400_000_000), r)
        expectValue("record.day + 7 - record.day", .int(7), r)
        let now = at + 73 * 3_600_000_000
        #expect(try value("now() - record.at > duration('72h')", r, now: now).equals(.bool(true)))
        #expect(try value("now() - record.at > duration('3d1h')", r, now: now).equals(.bool(false)))
        expectValue("timestamp('2026-11-23T10:00:00+08:00') == timestamp('2026-11-23T02:00:00Z')", .bool(true))
        // A zone with daylight saving time: local midnight moves with it.
        let newYork = TimeZoneRules(identifier: "America/New_York")!
        #expect(
            try value("timestamp(record.day)", ["day": .date(TimeText.parseDate("2026-07-01")!)], zone: newYork)
                .equals(.timestamp(TimeText.parseTimestamp("2026-07-01T04:00:00Z")!)))
        #expect(
            try value("timestamp(record.day)", ["day": .date(TimeText.parseDate("2026-01-01")!)], zone: newYork)
                .equals(.timestamp(TimeText.parseTimestamp("2026-01-01T05:00:00Z")!)))
    }

    @Test("old values, the caller, and the related record")
    func scopes() throws {
        #expect(try value("old.stage != record.stage", ["stage": .string("done")], old: ["stage": .string("new")]).equals(.bool(true)))
        #expect(try value("record.owner_id == user.id", ["owner_id": .string("u1")]).equals(.bool(true)))
        let here = ExpressionValue.location(latitude: 31.2304, longitude: 121.4737, address: nil)
        let near = ExpressionValue.location(latitude: 31.2334, longitude: 121.4737, address: "Shanghai")
        let d = try value("distance_m(record.checkin, record.customer.location)", ["checkin": here], customer: ["location": near])
        guard case .double(let meters) = d else { Issue.record("\(d)"); return }
        #expect(meters > 330 && meters < 337)  // 0.003° of latitude ≈ 333.6 m
        #expect(try value("record.customer.location.address", customer: ["location": near]).equals(.string("Shanghai")))
        #expect(try value("distance_m(record.checkin, record.customer.location) <= 500", ["checkin": here]).isNull)
    }

    @Test("timestamps and durations read and print as RFC 3339 and CEL write them")
    func timeText() {
        #expect(TimeText.parseTimestamp("2026-11-23T09:30:00.1234567+08:00") == TimeText.parseTimestamp("2026-11-23T01:30:00.123457Z"))
        #expect(TimeText.parseTimestamp("2026-11-23 09:30:00+08") == TimeText.parseTimestamp("2026-11-23T01:30:00Z"))
        #expect(TimeText.timestamp(TimeText.parseTimestamp("1969-12-31T23:59:59.5Z")!) == "1969-12-31T23:59:59.500000Z")
        #expect(TimeText.parseTimestamp("2026-02-30T00:00:00Z") == nil)
        #expect(DurationText.parse("1h30m") == 5_400_000_000)
        #expect(DurationText.parse("-90s") == -90_000_000)
        #expect(DurationText.parse("30d") == 2_592_000_000_000)
        #expect(DurationText.parse("4 hours") == nil)
        #expect(DurationText.parse("") == nil)
        #expect(DurationText.format(93_784_000_000) == "1d2h3m4s")
    }
}
