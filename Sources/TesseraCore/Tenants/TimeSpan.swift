/// A span of time as metadata writes it: fixed (`"4h"`, `"-1d"`, `"90m"`) or in working days
/// (`"2wd"`, `"-1wd"`), which the tenant's business calendar counts.
public enum TimeSpan: Sendable, Equatable, Hashable {
    /// Microseconds.
    case fixed(Int64)
    case workingDays(Int)

    /// Longer spans in working days are surely a typo (four years of them).
    public static let maxWorkingDays = 1000

    public static func parse(_ text: String) -> TimeSpan? {
        if let days = workingDays(text) { return .workingDays(days) }
        return DurationText.parse(text).map(TimeSpan.fixed)
    }

    /// The count of working days `"2wd"` or `"-1wd"` names; nil for anything else.
    public static func workingDays(_ text: String) -> Int? {
        guard text.hasSuffix("wd") else { return nil }
        var digits = text.dropLast(2)
        let negative = digits.first == "-"
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let days = Int(digits),
            days <= maxWorkingDays
        else { return nil }
        return negative ? -days : days
    }

    public var isPositive: Bool {
        switch self {
        case .fixed(let micros): micros > 0
        case .workingDays(let days): days > 0
        }
    }

    /// The instant this span after `instant` (before it when negative).
    public func after(_ instant: Int64, calendar: BusinessCalendar, zone: TimeZoneRules) -> Int64 {
        switch self {
        case .fixed(let micros): instant.addingReportingOverflow(micros).overflow ? (micros > 0 ? .max : .min) : instant + micros
        case .workingDays(let days): calendar.adding(workingDays: days, to: instant, zone: zone)
        }
    }

    /// Whether `self` ends strictly later than `other` from any start: only spans of one kind compare.
    public func isLonger(than other: TimeSpan) -> Bool? {
        switch (self, other) {
        case (.fixed(let a), .fixed(let b)): a > b
        case (.workingDays(let a), .workingDays(let b)): a > b
        default: nil
        }
    }
}
