/// An entity (business object) as the tenant described it: name, label and ordered fields.
public struct EntityDefinition: Sendable, Equatable {
    public var name: String
    public var label: Label
    public var titleField: String?
    public var fields: [FieldDefinition]
    /// Validation rules, in the order they are checked and reported.
    public var rules: [ValidationRule] = []

    public init(name: String, label: Label? = nil, titleField: String? = nil, fields: [FieldDefinition] = []) {
        self.name = name
        self.label = label ?? Label(en: name)
        self.titleField = titleField
        self.fields = fields
    }

    public func field(_ name: String) -> FieldDefinition? { fields.first(where: { $0.name == name }) }

    public func rule(_ name: String) -> ValidationRule? { rules.first(where: { $0.name == name }) }

    public var json: JSONValue {
        var m: [(String, JSONValue)] = [("name", .string(name)), ("label", label.json)]
        if let titleField { m.append(("title_field", .string(titleField))) }
        m.append(("fields", .array(fields.map(\.json))))
        if !rules.isEmpty { m.append(("rules", .array(rules.map(\.json)))) }
        return .object(m)
    }
}
