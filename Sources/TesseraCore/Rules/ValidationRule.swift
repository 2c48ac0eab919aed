/// A validation rule on an entity, as the designer API and packs describe it.
public struct ValidationRule: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case expression
        case requiredWhen = "required_when"
        case minAttachments = "min_attachments"
        case maxSelections = "max_selections"
        case pattern, duplicate
        case noConflict = "no_conflict"

        /// Properties this kind takes beyond the common ones.
        var properties: Set<String> {
            switch self {
            case .expression: ["expression"]
            case .requiredWhen: ["when", "required"]
            case .minAttachments: ["field", "min"]
            case .maxSelections: ["field", "max"]
            case .pattern: ["field", "regex"]
            case .duplicate: ["match", "within", "action", "normalize", "set", "link_field", "copy"]
            case .noConflict: ["where"]
            }
        }
    }

    /// What a duplicate rule does when an existing record matches.
    public enum DuplicateAction: String, Sendable, CaseIterable {
        /// Refuse the write (422).
        case block
        /// Write it, with `set` applied (e.g. a "possible duplicate" flag).
        case flag
        /// Write it pointing at the existing record through `link_field`, with `set` applied.
        case link
    }

    static let commonProperties: Set<String> = ["name", "kind", "message", "fields", "active"]

    public var name: String
    public var kind: Kind
    public var message: Label?
    /// The fields the rule blames in errors.
    public var fields: [String] = []
    public var active = true
    public var expression: String?
    public var when: String?
    public var required: [String] = []
    public var field: String?
    public var min: Int?
    public var max: Int?
    public var regex: String?
    public var match: [String] = []
    public var within: String?
    public var action: DuplicateAction?
    public var normalize = false
    public var set: [(String, JSONValue)] = []
    public var linkField: String?
    /// Fields copied from the existing record onto the new one (`flag`/`link`), e.g. its customer.
    public var copy: [String] = []
    public var whereExpression: String?

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    public static func == (a: ValidationRule, b: ValidationRule) -> Bool {
        JSONWriter.string(a.json) == JSONWriter.string(b.json)
    }

    public var json: JSONValue {
        var m: [(String, JSONValue)] = [("name", .string(name)), ("kind", .string(kind.rawValue))]
        if let message { m.append(("message", message.json)) }
        m.append(("fields", .array(fields.map { .string($0) })))
        m.append(("active", .bool(active)))
        switch kind {
        case .expression: if let expression { m.append(("expression", .string(expression))) }
        case .requiredWhen:
            if let when { m.append(("when", .string(when))) }
            m.append(("required", .array(required.map { .string($0) })))
        case .minAttachments, .maxSelections, .pattern:
            if let field { m.append(("field", .string(field))) }
            if let min { m.append(("min", .number(min))) }
            if let max { m.append(("max", .number(max))) }
            if let regex { m.append(("regex", .string(regex))) }
        case .duplicate:
            m.append(("match", .array(match.map { .string($0) })))
            if let within { m.append(("within", .string(within))) }
            m.append(("action", .string((action ?? .block).rawValue)))
            m.append(("normalize", .bool(normalize)))
            if !set.isEmpty { m.append(("set", .object(set))) }
            if let linkField { m.append(("link_field", .string(linkField))) }
            if !copy.isEmpty { m.append(("copy", .array(copy.map { .string($0) }))) }
        case .noConflict: if let whereExpression { m.append(("where", .string(whereExpression))) }
        }
        return .object(m)
    }
}
