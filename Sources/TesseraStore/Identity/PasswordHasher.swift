import Dispatch
import HummingbirdBcrypt

/// bcrypt hashing, off the event loops (a cost-12 hash takes a quarter of a second of CPU).
public struct PasswordHasher: Sendable {
    /// The work factor; tests lower it to keep hundreds of logins fast.
    public let cost: UInt8

    public init(cost: UInt8 = 12) { self.cost = min(max(cost, 4), 31) }

    public func hash(_ password: String) async -> String {
        let cost = cost
        return await Self.offLoop { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async -> Bool {
        await Self.offLoop { Bcrypt.verify(password, hash: hash) }
    }

    /// A hash of nothing anyone knows, checked when the email is unknown so that the answer takes
    /// as long as for a wrong password (no timing hint about which emails exist).
    public func burn(_ password: String) async {
        _ = await hash(password)
    }

    private static func offLoop<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
