public import Foundation
import Synchronization

/// Remembers which caller a key hash belongs to for a short time, so requests do not query keys.
public final class CallerCache: Sendable {
    private struct Entry { let caller: Caller; let expires: ContinuousClock.Instant }
    private let entries = Mutex<[String: Entry]>([:])
    private let lifetime: Duration
    private let capacity: Int

    public init(lifetime: Duration = .seconds(30), capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    public func caller(forKeyHash hash: String) -> Caller? {
        entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            guard entry.expires > .now, entry.caller.expiresAt.map({ $0 > Date() }) ?? true else { entries[hash] = nil; return nil }
            return entry.caller
        }
    }

    public func remember(_ caller: Caller, forKeyHash hash: String) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = Entry(caller: caller, expires: .now + lifetime)
        }
    }

    public func forgetAll() {
        entries.withLock { $0.removeAll() }
    }

    /// Forgets every caller of a tenant (its users or keys changed).
    public func forget(tenant: UUID) {
        entries.withLock { entries in entries = entries.filter { $0.value.caller.tenant.id != tenant } }
    }
}
