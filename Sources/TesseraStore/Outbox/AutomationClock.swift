import Synchronization
import TesseraCore

/// The time automations see: when timers are due, and `now()` in their expressions. The real
/// clock in production; tests move it forward instead of waiting hours for an SLA step.
public final class AutomationClock: Sendable {
    private let offset = Mutex<Int64>(0)

    public init() {}

    /// Microseconds since 1970.
    public func now() -> Int64 { Timestamp.nowMicroseconds() + offset.withLock { $0 } }

    /// Moves this clock (never the database's) forward.
    public func advance(by duration: Duration) {
        let micros = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        offset.withLock { $0 += micros }
    }
}
