/// Small deterministic helpers for names and digests (no randomness, same on every instance).
enum StableHash {
    /// FNV-1a over the bytes: stable names for indexes, constraints and prepared statements.
    static func fnv1a<S: Sequence>(_ bytes: S, seed: UInt64 = 0xcbf29ce484222325) -> UInt64 where S.Element == UInt8 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100000001b3
        }
        return hash
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of a digest, built in one allocation (key hashes are on the request path).
    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
