/// Rules for API names (entities, fields, option keys): ASCII `^[a-z][a-z0-9_]{0,47}$`.
public enum APIName {
    public static let maxLength = 48

    public static func isValid(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard let first = utf8.first, utf8.count <= maxLength, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else {
            return false
        }
        return utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_")
        }
    }

    /// Words the data API's query string uses; a field named like this could not be filtered.
    public static let queryWords: Set<String> = ["select", "order", "limit", "cursor", "offset", "where", "count", "and", "or", "not"]

    public static func isReservedFieldName(_ name: String) -> Bool {
        SystemColumn.names.contains(name) || queryWords.contains(name)
    }

    public static func describeRule() -> String {
        "must start with a lowercase ASCII letter and contain only lowercase letters, digits and '_' (at most \(maxLength) characters)"
    }
}
