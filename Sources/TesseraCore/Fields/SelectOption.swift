/// One choice of a select or multi_select field; records store `key`, labels live in metadata.
public struct SelectOption: Sendable, Equatable {
    public var key: String
    public var label: Label
    public var color: String?

    public init(key: String, label: Label, color: String? = nil) {
        self.key = key
        self.label = label
        self.color = color
    }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("key", .string(key)), ("label", label.json)]
        if let color { members.append(("color", .string(color))) }
        return .object(members)
    }
}
