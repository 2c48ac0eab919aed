public import Foundation

/// UUID text helpers, and UUIDv7 generation (time-ordered ids make good primary keys).
public enum UUIDText {
    /// Lowercase canonical form, or nil when `s` is not a UUID.
    public static func normalized(_ s: String) -> String? {
        guard s.utf8.count == 36, let uuid = UUID(uuidString: s) else { return nil }
        return uuid.uuidString.lowercased()
    }

    /// A UUIDv7: 48 bits of Unix milliseconds, version and variant bits, the rest random.
    public static func v7(now: Date = Date()) -> UUID {
        var generator = SystemRandomNumberGenerator()
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(i)))) }
        let random = generator.next() as UInt64
        let random2 = generator.next() as UInt64
        for i in 6..<16 {
            let source = i < 14 ? random >> (8 * UInt64(i - 6)) : random2 >> (8 * UInt64(i - 14))
            bytes[i] = UInt8(truncatingIfNeeded: source)
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
