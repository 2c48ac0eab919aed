import Testing

@testable import TesseraCore

@Suite("Cron schedules")
struct CronScheduleTests {
    func next(_ cron: String, after: String, zone: String = "Asia/Shanghai") throws -> String? {
        guard case .success(let schedule) = CronSchedule.parse(cron) else { Issue.record("\(cron) did not parse"); return nil }
        let start = try #require(TimeText.parseTimestamp(after))
        return schedule.next(after: start, in: TimeZoneRules(identifier: zone)!).map(TimeText.timestamp)
    }

    @Test("the next tick is read in the tenant's time zone")
    func next() throws {
        // 09:00 in Shanghai is 01:00 UTC.
        #expect(try next("0 9 * * *", after: "2026-11-23T00:30:00Z") == "2026-11-23T01:00:00Z")
        #expect(try next("0 9 * * *", after: "2026-11-23T01:00:00Z") == "2026-11-24T01:00:00Z")
        // Weekdays only: 2026-11-28 is a Saturday, so Friday 27th then Monday 30th.
        #expect(try next("30 8 * * 1-5", after: "2026-11-27T01:00:00Z") == "2026-11-30T00:30:00Z")
        #expect(try next("*/15 * * * *", after: "2026-11-23T00:07:00Z") == "2026-11-23T00:15:00Z")
        // The 1st of the month or any Monday (cron's either-day rule).
        #expect(try next("0 0 1 * 1", after: "2026-11-24T00:00:00Z", zone: "UTC") == "2026-11-30T00:00:00Z")
        #expect(try next("0 0 30 2 *", after: "2026-11-24T00:00:00Z", zone: "UTC") == nil)
        // A time skipped by DST (02:30 on 2026-03-08 in New York) is read with the offset before the jump.
        #expect(try next("30 2 8 3 *", after: "2026-03-01T00:00:00Z", zone: "America/New_York") == "2026-03-08T07:30:00Z")
        // A time repeated by DST (01:30 on 2026-11-01 in New York comes twice) fires once, at the first.
        #expect(try next("30 1 1 11 *", after: "2026-10-25T00:00:00Z", zone: "America/New_York") == "2026-11-01T05:30:00Z")
        #expect(try next("30 1 1 11 *", after: "2026-11-01T05:30:00Z", zone: "America/New_York") == "2027-11-01T05:30:00Z")
    }

    @Test("bad schedules are refused with a reason")
    func refusals() {
        for bad in [
            "", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "*/0 * * * *", "5-1 * * * *", "a * * * *",
            "1,,2 * * * *",
        ] {
            guard case .failure(let error) = CronSchedule.parse(bad) else { Issue.record("'\(bad)' was accepted"); continue }
            #expect(!error.message.isEmpty)
        }
    }
}
