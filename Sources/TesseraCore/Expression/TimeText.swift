import Foundation

/// Timestamps as microseconds and dates as day numbers, to and from their RFC 3339 text,
/// plus the tenant time zone's offsets (PostgreSQL and Swift read the same tz database).
public enum TimeText {
    static let microsecondsPerDay: Int64 = 86_400_000_000

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The (year, month, day) of a day number.
    public static func civil(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `YYYY-MM-DD` → day number.
    public static func parseDate(_ s: String) -> Int64? {
        guard DateTimeText.isValidDate(s) else { return nil }
        let parts = s.split(separator: "-").compactMap { Int64($0) }
        return days(year: parts[0], month: parts[1], day: parts[2])
    }

    /// RFC 3339 (or PostgreSQL's `2026-11-23T09:30:00.5+08:00`, `+08` offsets too) → microseconds.
    public static func parseTimestamp(_ text: String) -> Int64? {
        var s = Array(text.utf8)
        // PostgreSQL may print an hour-only offset ("+08"); RFC 3339 wants "+08:00".
        if s.count >= 3, s[s.count - 3] == UInt8(ascii: "+") || s[s.count - 3] == UInt8(ascii: "-"), s.count > 19 {
            s += Array(":00".utf8)
        }
        let normalized = String(decoding: s, as: UTF8.self)
        guard DateTimeText.isValidDateTime(normalized),
            let date = parseDate(String(decoding: s[0..<10], as: UTF8.self))
        else { return nil }
        func two(_ i: Int) -> Int64 { Int64(s[i] - 48) * 10 + Int64(s[i + 1] - 48) }
        var micros = date * microsecondsPerDay + (two(11) * 3600 + two(14) * 60 + two(17)) * 1_000_000
        var i = 19
        if s[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            var fraction: Int64 = 0
            var roundUp = false
            while i < s.count, s[i] >= 48, s[i] <= 57 {
                if digits < 6 { fraction = fraction * 10 + Int64(s[i] - 48) } else if digits == 6 { roundUp = s[i] >= 53 }
                digits += 1
                i += 1
            }
            for _ in digits..<max(digits, 6) { fraction *= 10 }
            micros += fraction + (roundUp ? 1 : 0)
        }
        if s[i] != UInt8(ascii: "Z"), s[i] != UInt8(ascii: "z") {
            let offset = (two(i + 1) * 3600 + two(i + 4) * 60) * 1_000_000
            micros += s[i] == UInt8(ascii: "+") ? -offset : offset
        }
        return micros
    }

    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`.
    public static func timestamp(_ micros: Int64) -> String {
        let day = micros >= 0 ? micros / microsecondsPerDay : (micros - microsecondsPerDay + 1) / microsecondsPerDay
        var rest = micros - day * microsecondsPerDay
        let fraction = rest % 1_000_000
        rest /= 1_000_000
        func pad(_ v: Int64, _ width: Int) -> String {
            let t = String(v)
            return String(repeating: "0", count: max(0, width - t.count)) + t
        }
        var text = date(day) + "T" + pad(rest / 3600, 2) + ":" + pad(rest / 60 % 60, 2) + ":" + pad(rest % 60, 2)
        if fraction != 0 { text += "." + pad(fraction, 6) }
        return text + "Z"
    }

    /// `YYYY-MM-DD` of a day number.
    public static func date(_ days: Int64) -> String {
        let (y, m, d) = civil(days)
        func pad(_ v: Int64, _ width: Int) -> String {
            let t = String(v)
            return String(repeating: "0", count: max(0, width - t.count)) + t
        }
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }
}

/// The offsets of one IANA time zone (the tenant's), from the system's tz database.
public struct TimeZoneRules: Sendable {
    public let identifier: String
    private let zone: TimeZone

    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
    }

    public static let utc = TimeZoneRules(identifier: "UTC")!

    /// Seconds east of UTC at an instant.
    public func offset(at micros: Int64) -> Int64 {
        let seconds = Double(micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000)
        return Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds)))
    }

    /// The local calendar day of an instant.
    public func localDate(_ micros: Int64) -> Int64 {
        let local = micros + offset(at: micros) * 1_000_000
        return local >= 0 ? local / TimeText.microsecondsPerDay : (local - TimeText.microsecondsPerDay + 1) / TimeText.microsecondsPerDay
    }

    /// The instant of local midnight starting a day. In a gap (DST), the offset before the gap applies,
    /// as PostgreSQL does.
    public func midnight(_ day: Int64) -> Int64 {
        let local = day * TimeText.microsecondsPerDay
        let before = offset(at: local - 86_400_000_000)
        let guess = local - before * 1_000_000
        let after = offset(at: guess)
        return after == before ? guess : local - after * 1_000_000
    }
}

/// Durations written as CEL does (`"1h30m"`, `"90s"`, `"500ms"`) plus days (`"30d"`).
public enum DurationText {
    public static func parse(_ text: String) -> Int64? {
        var s = Substring(text)
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() }
        guard !s.isEmpty else { return nil }
        var total: Int64 = 0
        while !s.isEmpty {
            let digits = s.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, digits.count <= 12, let amount = Int64(digits) else { return nil }
            s = s.dropFirst(digits.count)
            let unit: Int64
            if s.hasPrefix("ms") {
                unit = 1000; s = s.dropFirst(2)
            } else if s.hasPrefix("us") {
                unit = 1; s = s.dropFirst(2)
            } else if s.hasPrefix("d") {
                unit = 86_400_000_000; s = s.dropFirst()
            } else if s.hasPrefix("h") {
                unit = 3_600_000_000; s = s.dropFirst()
            } else if s.hasPrefix("m") {
                unit = 60_000_000; s = s.dropFirst()
            } else if s.hasPrefix("s") {
                unit = 1_000_000; s = s.dropFirst()
            } else {
                return nil
            }
            let (part, o1) = amount.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2 else { return nil }
            total = sum
        }
        return negative ? -total : total
    }

    /// The shortest text `parse` reads back (`"1d2h"`, `"-90s"`, `"0s"`).
    public static func format(_ micros: Int64) -> String {
        if micros == 0 { return "0s" }
        var rest = micros.magnitude
        var text = micros < 0 ? "-" : ""
        for (unit, name) in [(UInt64(86_400_000_000), "d"), (3_600_000_000, "h"), (60_000_000, "m"), (1_000_000, "s"), (1000, "ms"), (1, "us")]
        where rest >= unit {
            text += "\(rest / unit)\(name)"
            rest %= unit
        }
        return text
    }
}
