public import Foundation

/// RFC 3339 formatting for timestamps the server writes itself.
public enum Timestamp {
    public static func rfc3339(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(
                separator: .omitted))
    }

    /// The current instant in microseconds since the epoch (PostgreSQL's precision).
    public static func nowMicroseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down))
    }
}
