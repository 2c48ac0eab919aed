import Crypto
import Foundation

/// Tenant API keys: `tsk_` + random text; only the SHA-256 hash is stored.
public enum APIKey {
    public static let prefix = "tsk_"

    public static func generate() -> String { prefix + RandomToken.make(bytes: 24) }

    /// Hex SHA-256 of the key: what the database stores and looks up.
    public static func hashHex(_ key: String) -> String {
        StableHash.hex(SHA256.hash(data: Data(key.utf8)))
    }

    /// Compares without leaking where the first difference is.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(SHA256.hash(data: Data(a.utf8))), y = Array(SHA256.hash(data: Data(b.utf8)))
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
