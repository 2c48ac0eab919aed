/// A field of an entity as the tenant described it (the wire format's field object).
public struct FieldDefinition: Sendable, Equatable {
    public var name: String
    public var type: FieldType
    public var label: Label
    public var help: Label?
    public var required: Bool = false
    public var unique: Bool = false
    public var indexed: Bool = false
    /// Kept by automations and approval steps only: no person writes it, admins included (the
    /// acknowledgement an approval ticks, the time an automation stamps).
    public var readOnly: Bool = false
    public var defaultValue: JSONValue?
    public var maxLength: Int?
    public var min: Double?
    public var max: Double?
    public var options: [SelectOption] = []
    public var maxSelections: Int?
    public var target: String?
    public var minCount: Int?
    public var maxCount: Int?
    public var accept: [String] = []
    public var pattern: String?
    /// A formula's expression over `record` and the type of value it gives.
    public var expression: String?
    public var result: FieldType?
    /// Set on the select field that is its entity's stage.
    public var stage: StageConfig?

    public init(name: String, type: FieldType, label: Label? = nil) {
        self.name = name
        self.type = type
        self.label = label ?? Label(en: name)
    }

    public func option(_ key: String) -> SelectOption? { options.first(where: { $0.key == key }) }

    /// The type values of this field have when read: a formula's result type, else its own.
    public var readType: FieldType { type == .formula ? (result ?? .text) : type }

    /// The maximum length in characters that values of this field may have, if any.
    public var effectiveMaxLength: Int? { maxLength ?? type.defaultMaxLength }

    public var json: JSONValue {
        var m: [(String, JSONValue)] = [
            ("name", .string(name)), ("type", .string(type.rawValue)), ("label", label.json),
        ]
        if let help { m.append(("help", help.json)) }
        m.append(("required", .bool(required)))
        m.append(("unique", .bool(unique)))
        m.append(("indexed", .bool(indexed)))
        if readOnly { m.append(("read_only", .bool(true))) }
        if let defaultValue { m.append(("default", defaultValue)) }
        if let maxLength { m.append(("max_length", .number(maxLength))) }
        if let min { m.append(("min", .number(min))) }
        if let max { m.append(("max", .number(max))) }
        if type == .select || type == .multiSelect { m.append(("options", .array(options.map(\.json)))) }
        if let maxSelections { m.append(("max_selections", .number(maxSelections))) }
        if let target { m.append(("target", .string(target))) }
        if let minCount { m.append(("min_count", .number(minCount))) }
        if let maxCount { m.append(("max_count", .number(maxCount))) }
        if type == .attachment, !accept.isEmpty { m.append(("accept", .array(accept.map { .string($0) }))) }
        if let pattern { m.append(("pattern", .string(pattern))) }
        if let expression { m.append(("expression", .string(expression))) }
        if let result { m.append(("result", .string(result.rawValue))) }
        if let stage { m.append(("stage", stage.json)) }
        return .object(m)
    }
}
