/// JSON Schema objects as one OpenAPI version spells them: 3.0 marks a value that may be null
/// with `nullable: true`, 3.1 (plain JSON Schema) with `type: [x, "null"]`.
public enum OpenAPIVersion: String, Sendable, CaseIterable {
    case v3_0 = "3.0.3"
    case v3_1 = "3.1.0"

    /// `?version=3.1` (or `3.1.0`) picks 3.1; anything else that is not 3.0 is refused.
    public init?(query: String?) {
        switch query {
        case nil, "3.0", "3.0.3": self = .v3_0
        case "3.1", "3.1.0": self = .v3_1
        default: return nil
        }
    }

    /// A schema of `type` (with the members that refine it), null allowed when `nullable`.
    func schema(_ type: String, nullable: Bool = false, _ members: [(String, JSONValue)] = []) -> JSONValue {
        var m: [(String, JSONValue)]
        switch (self, nullable) {
        case (_, false): m = [("type", .string(type))]
        case (.v3_0, true): m = [("type", .string(type)), ("nullable", true)]
        case (.v3_1, true): m = [("type", [.string(type), "null"])]
        }
        // A member given twice (a field's help beside a type's own description) keeps the first.
        var seen = Set(m.map(\.0))
        m += members.filter { seen.insert($0.0).inserted }
        // An enum must list null itself, or a null fails it whatever `nullable` says.
        if nullable, let i = m.firstIndex(where: { $0.0 == "enum" }), case .array(let keys) = m[i].1 { m[i].1 = .array(keys + [.null]) }
        return .object(m)
    }

    /// Either of two schemas (a decimal as a number or as text); null allowed when `nullable`
    /// (3.0 honours `nullable` only beside a `type`, so the first alternative carries it).
    func either(_ a: JSONValue, _ b: JSONValue, nullable: Bool) -> JSONValue {
        guard nullable else { return ["oneOf": [a, b]] }
        switch self {
        case .v3_0:
            guard case .object(var first) = a else { return ["oneOf": [a, b]] }
            first.insert(("nullable", true), at: min(1, first.count))
            return ["oneOf": [.object(first), b]]
        case .v3_1: return ["oneOf": [a, b, ["type": "null"]]]
        }
    }
}
