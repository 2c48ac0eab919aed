/// Random URL-safe tokens from the system's secure generator (keys, passwords).
public enum RandomToken {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    public static func make(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        // ~5.95 bits per character: use enough characters for `bytes` of entropy.
        let count = (bytes * 8 + 5) / 5
        return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
