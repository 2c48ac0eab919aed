/// The one place SQL identifiers are written: checked against a strict pattern, then double-quoted
/// with inner quotes doubled (so even an unexpected name cannot break out of the quotes).
public enum SQLIdentifier {
    /// `^[a-z_][a-z0-9_]{0,62}$`: API names, tenant schemas and internal names all fit.
    public static func isSafe(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard let first = utf8.first, utf8.count <= 63,
            (first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z")) || first == UInt8(ascii: "_")
        else { return false }
        return utf8.allSatisfy { b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
        }
    }

    public static func quote(_ name: String) -> String {
        assert(isSafe(name), "unsafe SQL identifier \(name)")
        // Fast path for the names that pass the check; any quote inside is still doubled.
        guard name.utf8.contains(UInt8(ascii: "\"")) else { return "\"" + name + "\"" }
        return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `"schema"."name"`.
    public static func qualified(_ schema: String, _ name: String) -> String {
        quote(schema) + "." + quote(name)
    }
}
