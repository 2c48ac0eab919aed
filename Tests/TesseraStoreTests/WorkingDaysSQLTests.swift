import Foundation
import PostgresNIO
import TesseraCore
import TesseraTestSupport
import Testing

@testable import TesseraStore

/// `tessera.add_working_days` must land on the same instant as `BusinessCalendar.adding(workingDays:)`:
/// view filters count in SQL, automations and approvals in Swift, and a deadline must not depend on
/// which one asked.
@Suite("Working days: SQL and Swift agree")
struct WorkingDaysSQLTests {
    /// China's 2027 Spring Festival with its make-up days, and a shop open 08:30–21:00 with only Monday off.
    static let calendars: [BusinessCalendar] = {
        var spring = BusinessCalendar()
        spring.holidays = Set(["2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"].compactMap(TimeText.parseDate))
        spring.workdays = Set(["2027-01-31", "2027-02-20"].compactMap(TimeText.parseDate))
        var shop = BusinessCalendar()
        shop.weekend = [1]
        shop.opens = 8 * 60 + 30
        shop.closes = 21 * 60
        shop.holidays = Set(["2027-03-14"].compactMap(TimeText.parseDate))
        return [BusinessCalendar(), spring, shop]
    }()

    /// Instants every 97 minutes from `start` for `days` days: every time of day, before opening, after
    /// closing, on days off.
    static func instants(from start: String, days: Int) -> [Int64] {
        let first = TimeText.parseTimestamp(start)!
        return stride(from: first, to: first + Int64(days) * 86_400_000_000, by: 97 * 60_000_000).map { $0 }
    }

    @Test("instants: every time of day, both directions, across holidays and make-up days and DST")
    func instants() async throws {
        let cases: [(zone: String, from: String, days: Int)] = [
            ("Asia/Shanghai", "2027-01-25T00:00:00Z", 32),
            // Both DST changes of 2027 in New York (14 March, 7 November).
            ("America/New_York", "2027-03-10T00:00:00Z", 8), ("America/New_York", "2027-11-04T00:00:00Z", 7),
        ]
        try await TestDatabase.withClient { client in
            for (zoneName, from, span) in cases {
                let zone = try #require(TimeZoneRules(identifier: zoneName))
                let starts = Self.instants(from: from, days: span)
                for calendar in Self.calendars {
                    for days in [-3, -1, 0, 1, 2, 6] {
                        var b = SQLBuilder("SELECT ")
                        WorkingDaysSQL.append(
                            date: false, calendar: calendar, zone: zoneName, to: &b,
                            value: { $0.append("t") }, days: { $0.bind(.integer(Int64(days)), cast: "int") })
                        b.append(" FROM unnest(")
                        b.bind(.textArray(starts.map(TimeText.timestamp)), cast: "timestamptz[]")
                        b.append(") WITH ORDINALITY AS s(t, i) ORDER BY i")
                        let rows = try await client.query(b.query).rows
                        #expect(rows.count == starts.count)
                        var mismatches: [String] = []
                        for (start, row) in zip(starts, rows) {
                            let sql = try row.decode(Date.self)
                            let swift = calendar.adding(workingDays: days, to: start, zone: zone)
                            let sqlMicros = Int64((sql.timeIntervalSince1970 * 1_000_000).rounded())
                            if sqlMicros != swift {
                                mismatches.append(
                                    "\(TimeText.timestamp(start)) + \(days)wd: SQL \(TimeText.timestamp(sqlMicros)), "
                                        + "Swift \(TimeText.timestamp(swift))"
                                )
                            }
                        }
                        #expect(mismatches.isEmpty, "\(zoneName) weekend \(calendar.weekend.sorted()): \(mismatches.prefix(5))")
                    }
                }
            }
        }
    }

    @Test("dates: a day off moves in the direction of travel, then working days count")
    func dates() async throws {
        let first = try #require(TimeText.parseDate("2027-01-25"))
        let starts = (0..<40).map { first + Int64($0) }
        try await TestDatabase.withClient { client in
            for calendar in Self.calendars {
                for days in [-2, -1, 0, 1, 3] {
                    var b = SQLBuilder("SELECT ")
                    WorkingDaysSQL.append(
                        date: true, calendar: calendar, zone: "UTC", to: &b,
                        value: { $0.append("d") }, days: { $0.bind(.integer(Int64(days)), cast: "int") })
                    b.append("::text FROM unnest(")
                    b.bind(.textArray(starts.map(TimeText.date)), cast: "date[]")
                    b.append(") WITH ORDINALITY AS s(d, i) ORDER BY i")
                    let sql = try await client.query(b.query).rows.map { try $0.decode(String.self) }
                    let swift = starts.map { TimeText.date(calendar.adding(workingDays: days, toDay: $0)) }
                    #expect(sql == swift, "weekend \(calendar.weekend.sorted()) \(days)wd")
                }
            }
        }
    }
}
