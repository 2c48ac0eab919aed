import Testing

@testable import TesseraCore

/// Working days over weekends, holidays and make-up days (issue 16, part 3), on China's 2027 Spring
/// Festival as a calendar would publish it: 2027-02-06 (Sat) to 2027-02-12 off, with the Sunday before
/// (2027-01-31) and the Saturday after (2027-02-20) worked instead.
@Suite("Business calendar")
struct BusinessCalendarTests {
    static let zone = TimeZoneRules(identifier: "Asia/Shanghai")!
    static let spring: BusinessCalendar = {
        var c = BusinessCalendar()
        c.holidays = Set(["2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"].compactMap(TimeText.parseDate))
        c.workdays = Set(["2027-01-31", "2027-02-20"].compactMap(TimeText.parseDate))
        return c
    }()

    /// A local time in Shanghai as an instant, and back.
    static func at(_ text: String) -> Int64 { TimeText.parseTimestamp(text + "+08:00")! }
    static func local(_ micros: Int64) -> String {
        let day = zone.localDate(micros)
        let minutes = (micros - zone.midnight(day)) / 60_000_000
        return TimeText.date(day) + " " + (minutes / 60 < 10 ? "0" : "") + "\(minutes / 60):" + (minutes % 60 < 10 ? "0" : "") + "\(minutes % 60)"
    }

    func add(_ days: Int, _ from: String, _ calendar: BusinessCalendar = Self.spring) -> String {
        Self.local(calendar.adding(workingDays: days, to: Self.at(from), zone: Self.zone))
    }

    @Test("weekdays: ISO numbering from the epoch")
    func weekdays() {
        #expect(BusinessCalendar.weekday(TimeText.parseDate("1970-01-01")!) == 4)
        #expect(BusinessCalendar.weekday(TimeText.parseDate("2027-02-06")!) == 6)
        #expect(BusinessCalendar.weekday(TimeText.parseDate("1969-12-28")!) == 7)
    }

    @Test("working days skip weekends and holidays, count make-up days, and keep the time of day")
    func adding() {
        // An ordinary week: Thursday + 2 working days is Monday, same time.
        #expect(add(2, "2027-01-21T15:30:00") == "2027-01-25 15:30")
        // The make-up Sunday counts: Friday 2027-01-29 + 1 is Sunday 2027-01-31.
        #expect(add(1, "2027-01-29T10:00:00") == "2027-01-31 10:00")
        // The holiday week is skipped: Friday 2027-02-05 + 1 is Monday 2027-02-15.
        #expect(add(1, "2027-02-05T17:00:00") == "2027-02-15 17:00")
        // ... and the make-up Saturday after it counts: Friday 2027-02-19 + 1 is Saturday 2027-02-20.
        #expect(add(1, "2027-02-19T09:00:00") == "2027-02-20 09:00")
        // Asked on a day off: counted from the next opening (09:00 of the next working day).
        #expect(add(0, "2027-02-10T20:00:00") == "2027-02-15 09:00")
        #expect(add(1, "2027-01-23T11:00:00") == "2027-01-26 09:00")  // a Saturday: Monday opens, Tuesday is due
        // Without the holidays, the plain calendar.
        #expect(add(1, "2027-02-05T17:00:00", BusinessCalendar()) == "2027-02-08 17:00")
        #expect(add(5, "2027-02-05T17:00:00", BusinessCalendar()) == "2027-02-12 17:00")
    }

    @Test("outside working hours: forward to the next opening, backward to the last closing")
    func clamping() {
        // Before opening on a working day: that day's opening.
        #expect(add(0, "2027-01-21T07:10:00") == "2027-01-21 09:00")
        #expect(add(1, "2027-01-21T07:10:00") == "2027-01-22 09:00")
        // After closing: the next working day's opening, then count.
        #expect(add(0, "2027-01-21T19:00:00") == "2027-01-22 09:00")
        #expect(add(1, "2027-01-22T19:00:00") == "2027-01-26 09:00")  // Friday evening: Monday opens, Tuesday is due
        // Closing time itself is still working time.
        #expect(add(1, "2027-01-21T18:00:00") == "2027-01-22 18:00")
        // Backward, mirrored: after closing is that day's closing; before opening or on a day off, the
        // previous working day's closing.
        #expect(add(-1, "2027-01-25T10:00:00") == "2027-01-22 10:00")  // Monday - 1 is Friday
        #expect(add(-1, "2027-01-21T20:00:00") == "2027-01-20 18:00")
        #expect(add(-1, "2027-01-21T08:00:00") == "2027-01-19 18:00")
        #expect(add(-1, "2027-02-14T12:00:00") == "2027-02-04 18:00")  // Sunday after the holiday week: Friday 5th closes, minus one
        #expect(add(-2, "2027-02-01T10:00:00") == "2027-01-29 10:00")  // the make-up Sunday counts going back too
    }

    @Test("dates: a day off moves in the direction of travel; make-up days count")
    func dates() {
        func add(_ days: Int, _ day: String) -> String {
            TimeText.date(Self.spring.adding(workingDays: days, toDay: TimeText.parseDate(day)!))
        }
        #expect(add(2, "2027-01-21") == "2027-01-25")
        #expect(add(0, "2027-01-23") == "2027-01-25")  // Saturday: the next working day
        #expect(add(0, "2027-01-31") == "2027-01-31")  // the make-up Sunday is worked
        #expect(add(1, "2027-02-05") == "2027-02-15")
        #expect(add(-1, "2027-02-15") == "2027-02-05")
        #expect(add(-1, "2027-02-13") == "2027-02-04")  // Saturday, in the holidays' shadow: back to Friday 5th, then one more
        #expect(add(5, "2027-02-15") == "2027-02-20")  // the make-up Saturday is the fifth
    }

    @Test("spans: fixed or in working days, parsed from metadata text")
    func spans() {
        #expect(TimeSpan.parse("2wd") == .workingDays(2))
        #expect(TimeSpan.parse("-1wd") == .workingDays(-1))
        #expect(TimeSpan.parse("4h") == .fixed(4 * 3_600_000_000))
        for bad in ["wd", "1.5wd", "2 wd", "1001wd", "+2wd", "2WD", "--1wd", "x2wd"] { #expect(TimeSpan.parse(bad) == nil, "\(bad)") }
        #expect(TimeSpan.workingDays(2).isLonger(than: .workingDays(1)) == true)
        #expect(TimeSpan.workingDays(2).isLonger(than: .fixed(1)) == nil)
        let friday = Self.at("2027-02-05T17:00:00")
        #expect(Self.local(TimeSpan.workingDays(1).after(friday, calendar: Self.spring, zone: Self.zone)) == "2027-02-15 17:00")
        #expect(TimeSpan.fixed(.max).after(friday, calendar: Self.spring, zone: Self.zone) == .max)
    }

    @Test("a calendar with no working day at all ends at a bound instead of looping")
    func noWorkingDays() {
        var never = BusinessCalendar()
        never.weekend = [1, 2, 3, 4, 5, 6, 7]
        let start = Self.at("2027-01-04T09:00:00")
        #expect(never.adding(workingDays: 1, to: start, zone: Self.zone) > start)
    }

    @Test("decoding: defaults, every problem at once, and back to JSON")
    func decoding() throws {
        let decoded = try BusinessCalendar.decode([
            "weekend": [6, 7], "holidays": ["2027-02-08"], "workdays": ["2027-02-20"], "hours": ["opens": "08:30", "closes": "17:30"],
        ])
        #expect(decoded.opens == 8 * 60 + 30 && decoded.closes == 17 * 60 + 30 && decoded.isWorkingDay(TimeText.parseDate("2027-02-20")!))
        #expect(try BusinessCalendar.decode(decoded.json) == decoded)
        #expect(try BusinessCalendar.decode([:]) == BusinessCalendar())
        do throws(TesseraError) {
            _ = try BusinessCalendar.decode([
                "weekend": [0, 8], "holidays": ["2027-13-01"], "workdays": "x", "hours": ["opens": "18:00", "closes": "09:00"], "x": 1,
            ])
            Issue.record("a bad calendar decoded")
        } catch {
            let fields = Set(error.details.compactMap(\.field))
            #expect(fields.isSuperset(of: ["calendar.weekend", "calendar.holidays", "calendar.workdays", "calendar.hours"]), "\(fields)")
            #expect(error.details.count >= 5)
        }
        do throws(TesseraError) {
            _ = try BusinessCalendar.decode(["holidays": ["2027-02-20"], "workdays": ["2027-02-20"]])
            Issue.record("a day both off and worked decoded")
        } catch {
            #expect(error.details.first?.rule == "conflict")
        }
    }
}
