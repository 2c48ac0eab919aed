/// A tenant's business calendar: its working hours, the days of its weekend, its holidays, and the
/// make-up working days (调休) Chinese calendars move onto a weekend. Deadlines in working days
/// ("technical question to proposal within 2 working days") count only the days it works.
public struct BusinessCalendar: Sendable, Equatable {
    /// ISO weekdays (1 Monday … 7 Sunday) not worked unless listed in `workdays`.
    public var weekend: Set<Int> = [6, 7]
    /// Local days (epoch days) not worked.
    public var holidays: Set<Int64> = []
    /// Local days worked although they fall on the weekend.
    public var workdays: Set<Int64> = []
    /// Minutes after midnight when the working day starts and ends.
    public var opens = 9 * 60
    public var closes = 18 * 60

    public init() {}

    /// The ISO weekday of an epoch day (1970-01-01 was a Thursday).
    public static func weekday(_ day: Int64) -> Int { Int(((day % 7) + 7 + 3) % 7) + 1 }

    public func isWorkingDay(_ day: Int64) -> Bool {
        if workdays.contains(day) { return true }
        if holidays.contains(day) { return false }
        return !weekend.contains(Self.weekday(day))
    }

    /// The instant `days` working days after `instant` in `zone` (before it when `days` is
    /// negative): the same local time on the `days`-th working day from it. An instant outside
    /// working time first moves to the nearest working moment in the direction of travel: forward,
    /// to the next opening (that day's before opening; the next working day's after closing or on a
    /// day off); backward, to the last closing. So a request on Saturday with one working day is due
    /// Tuesday at opening time when Monday is worked, and zero days give that next opening.
    /// `tessera.add_working_days` in SQL is the same function, step for step.
    public func adding(workingDays days: Int, to instant: Int64, zone: TimeZoneRules) -> Int64 {
        let local = instant + zone.offset(at: instant) * 1_000_000
        var day = zone.localDate(instant)
        var timeOfDay = local - day * TimeText.microsecondsPerDay
        let opening = Int64(opens) * 60_000_000, closing = Int64(closes) * 60_000_000
        let step: Int64 = days < 0 ? -1 : 1
        // A calendar without a single working day would never end: ten years is the bound.
        var guardDays = 3660
        if step > 0 {
            if !isWorkingDay(day) || timeOfDay > closing {
                repeat {
                    day += 1
                    guardDays -= 1
                } while !isWorkingDay(day) && guardDays > 0
                timeOfDay = opening
            } else if timeOfDay < opening {
                timeOfDay = opening
            }
        } else {
            if !isWorkingDay(day) || timeOfDay < opening {
                repeat {
                    day -= 1
                    guardDays -= 1
                } while !isWorkingDay(day) && guardDays > 0
                timeOfDay = closing
            } else if timeOfDay > closing {
                timeOfDay = closing
            }
        }
        // Now on a working day (unless none was found): counting is the dates' count.
        return Self.instant(day: adding(workingDays: days, toDay: day), timeOfDay: timeOfDay, zone: zone)
    }

    /// The local day `days` working days after `day` (before it when negative); a day off first
    /// moves to the next working day (the previous one going backward), as instants do.
    public func adding(workingDays days: Int, toDay start: Int64) -> Int64 {
        let step: Int64 = days < 0 ? -1 : 1
        var day = start
        var guardDays = 3660
        while !isWorkingDay(day), guardDays > 0 {
            day += step
            guardDays -= 1
        }
        var left = days.magnitude
        while left > 0, guardDays > 0 {
            day += step
            guardDays -= 1
            if isWorkingDay(day) { left -= 1 }
        }
        return day
    }

    /// The instant of a local day and time of day; in a DST gap the offset before it applies.
    static func instant(day: Int64, timeOfDay: Int64, zone: TimeZoneRules) -> Int64 {
        let local = day * TimeText.microsecondsPerDay + timeOfDay
        let before = zone.offset(at: local - 86_400_000_000)
        let guess = local - before * 1_000_000
        let after = zone.offset(at: guess)
        return after == before ? guess : local - after * 1_000_000
    }

    /// `{"weekend": [6, 7], "holidays": ["2027-01-01"], "workdays": ["2027-02-07"], "hours":
    /// {"opens": "09:00", "closes": "18:00"}}`; what is left out keeps its default. Every problem is
    /// reported at once.
    public static func decode(_ json: JSONValue) throws(TesseraError) -> BusinessCalendar {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "calendar", problems: &problems) else { throw .validation(problems) }
        reader.rejectUnknown(allowed: ["weekend", "holidays", "workdays", "hours"])
        var calendar = BusinessCalendar()
        if let raw = reader.raw("weekend") {
            let days = raw.arrayValue?.compactMap(\.intValue) ?? []
            if raw.arrayValue?.count != days.count || days.contains(where: { !(1...7).contains($0) }) || days.count > 6 {
                problems.append(.init(field: "calendar.weekend", rule: "weekday", localized: CalendarMessage.weekend))
            } else {
                calendar.weekend = Set(days)
            }
        }
        func dates(_ key: String) -> Set<Int64> {
            guard let raw = reader.raw(key) else { return [] }
            let texts = raw.arrayValue?.compactMap(\.stringValue) ?? []
            let parsed = texts.compactMap(TimeText.parseDate)
            guard raw.arrayValue?.count == texts.count, parsed.count == texts.count, texts.count <= 1000 else {
                problems.append(.init(field: "calendar.\(key)", rule: "date", localized: CalendarMessage.dates(key)))
                return []
            }
            return Set(parsed)
        }
        calendar.holidays = dates("holidays")
        calendar.workdays = dates("workdays")
        if let both = calendar.holidays.intersection(calendar.workdays).min() {
            problems.append(.init(field: "calendar.workdays", rule: "conflict", localized: CalendarMessage.both(TimeText.date(both))))
        }
        if let hours = reader.raw("hours") {
            let opens = hours["opens"]?.stringValue.flatMap(Self.minutes), closes = hours["closes"]?.stringValue.flatMap(Self.minutes)
            if let opens, let closes, opens < closes, hours.objectValue?.count == 2 {
                calendar.opens = opens
                calendar.closes = closes
            } else {
                problems.append(.init(field: "calendar.hours", rule: "hours", localized: CalendarMessage.hours))
            }
        }
        problems += reader.problems
        guard problems.isEmpty else { throw .validation(problems) }
        return calendar
    }

    /// Minutes after midnight of `HH:MM`.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
            let h = Int(parts[0]), let m = Int(parts[1]), (0...23).contains(h), (0...59).contains(m)
        else { return nil }
        return h * 60 + m
    }

    public var json: JSONValue {
        func clock(_ minutes: Int) -> String {
            (minutes / 60 < 10 ? "0" : "") + String(minutes / 60) + ":" + (minutes % 60 < 10 ? "0" : "") + String(minutes % 60)
        }
        return .object([
            ("weekend", .array(weekend.sorted().map { .number($0) })), ("holidays", .array(holidays.sorted().map { .string(TimeText.date($0)) })),
            ("workdays", .array(workdays.sorted().map { .string(TimeText.date($0)) })),
            ("hours", .object([("opens", .string(clock(opens))), ("closes", .string(clock(closes)))])),
        ])
    }
}
