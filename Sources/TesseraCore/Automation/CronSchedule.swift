/// A five-field cron expression (`minute hour day-of-month month day-of-week`) read in a time
/// zone. Fields take `*`, numbers, ranges `a-b`, steps `*/n` or `a-b/n`, and lists `a,b`;
/// day of week is 0–7 (0 and 7 are Sunday). As in cron, when both day fields are restricted a
/// day matches either.
public struct CronSchedule: Sendable, Equatable {
    public let text: String
    let minutes: Set<Int>, hours: Set<Int>, days: Set<Int>, months: Set<Int>, weekdays: Set<Int>
    let daysRestricted: Bool, weekdaysRestricted: Bool

    /// Nil with a reason when the text is not a schedule.
    public static func parse(_ text: String) -> Result<CronSchedule, CronError> {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 5 else {
            return .failure(CronError(.cronFields))
        }
        let ranges: [(Int, Int, DefinitionMessage.CronPart)] = [
            (0, 59, .minute), (0, 23, .hour), (1, 31, .dayOfMonth), (1, 12, .month), (0, 7, .dayOfWeek),
        ]
        var sets: [Set<Int>] = []
        for (part, (low, high, name)) in zip(parts, ranges) {
            guard let set = field(part, low: low, high: high) else {
                return .failure(CronError(.cronField(name, part, low: low, high: high)))
            }
            sets.append(set)
        }
        var weekdays = sets[4]
        if weekdays.contains(7) { weekdays.remove(7); weekdays.insert(0) }
        return .success(
            CronSchedule(
                text: text, minutes: sets[0], hours: sets[1], days: sets[2], months: sets[3], weekdays: weekdays,
                daysRestricted: parts[2] != "*", weekdaysRestricted: parts[4] != "*"))
    }

    static func field(_ text: String, low: Int, high: Int) -> Set<Int>? {
        var out = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = item.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { return nil }
            var step = 1
            if pieces.count == 2 { guard let s = Int(pieces[1]), s >= 1, s <= high else { return nil }; step = s }
            var from = low, to = high
            if pieces[0] != "*" {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2, let a = Int(bounds[0]) else { return nil }
                from = a
                to = bounds.count == 2 ? (Int(bounds[1]) ?? -1) : (pieces.count == 2 ? high : a)
            }
            guard from >= low, to <= high, from <= to else { return nil }
            out.formUnion(stride(from: from, through: to, by: step))
        }
        return out.isEmpty ? nil : out
    }

    func matches(day: Int64) -> Bool {
        let civil = TimeText.civil(day)
        guard months.contains(Int(civil.month)) else { return false }
        let weekday = Int(((day % 7) + 7 + 4) % 7)  // 1970-01-01 was a Thursday
        let dayOK = days.contains(Int(civil.day)), weekdayOK = weekdays.contains(weekday)
        switch (daysRestricted, weekdaysRestricted) {
        case (true, true): return dayOK || weekdayOK
        case (true, false): return dayOK
        case (false, true): return weekdayOK
        case (false, false): return true
        }
    }

    /// The first tick strictly after `after` (microseconds), or nil if none within five years
    /// (`0 0 30 2 *` never comes). A local time skipped by a DST change is read with the offset
    /// before the change (as PostgreSQL reads it); a repeated one fires once.
    public func next(after: Int64, in zone: TimeZoneRules) -> Int64? {
        let start = zone.localDate(after)
        for day in start...start + 366 * 5 where matches(day: day) {
            for hour in hours.sorted() {
                for minute in minutes.sorted() {
                    let local = day * TimeText.microsecondsPerDay + Int64(hour * 3600 + minute * 60) * 1_000_000
                    let before = zone.offset(at: local - 86_400_000_000)
                    let guess = local - before * 1_000_000
                    let offset = zone.offset(at: guess)
                    var instant = offset == before ? guess : local - offset * 1_000_000
                    // In a gap (the local time does not exist) read it with the offset before, as PostgreSQL does.
                    if offset != before, zone.offset(at: instant) != offset { instant = guess }
                    if instant > after { return instant }
                }
            }
        }
        return nil
    }
}

/// Why a text is not a cron schedule.
public struct CronError: Error, Sendable, Equatable {
    /// Why, in every language.
    public let problem: DefinitionMessage
    init(_ problem: DefinitionMessage) { self.problem = problem }

    /// Why, in English.
    public var message: String { problem.text(.en) }
}
