/// A form as one caller sees it for one record (stored, new or drafted): what a UI renders.
public struct ResolvedForm: Sendable {
    /// One field and its state, with the reasons behind it.
    public struct Field: Sendable {
        public let definition: FieldDefinition
        public let help: Label?
        public let value: JSONValue
        public let visible: Bool
        public let required: Bool
        public let readOnly: Bool
        /// Why it is required or read-only: `required`, `rule:<name>`, `form_required_when`,
        /// `hidden_by_role`… (see `FieldPlan.Reason`), `locked`, `out_of_update_scope`, `form_readonly_when`.
        public let reasons: [String]
    }

    public struct Section: Sendable {
        public let name: String?
        public let label: Label?
        public let columns: Int
        public let visible: Bool
        public let fields: [Field]
    }

    /// A stage the record may move to now, and what still stands in the way.
    public struct Move: Sendable {
        public let to: String
        public let label: Label?
        public let unmet: [TesseraError.Detail]
    }

    public struct Stage: Sendable {
        public let field: String
        public let current: String?
        /// Whether the caller may change the stage at all (moves are empty otherwise).
        public let movable: Bool
        public let moves: [Move]
    }

    public let entity: String
    /// The form that applies (nil: none does, and every field the caller sees is shown).
    public let form: FormDefinition?
    public let recordID: String?
    public let version: Int64?
    /// Someone else's lock: the record is read-only until it ends.
    public let lock: (holder: String, until: String)?
    public let sections: [Section]
    public let stage: Stage?
    /// What is wrong with a draft's values (a form is still answered).
    public let problems: [TesseraError.Detail]

    /// Every field of every section.
    public var fields: [Field] { sections.flatMap(\.fields) }

    public func json(_ locale: MessageLocale) -> JSONValue {
        var m: [(String, JSONValue)] = [("entity", .string(entity)), ("form", form.map { .string($0.name) } ?? .null)]
        if let label = form?.label { m.append(("label", label.json)) }
        m.append(("record", recordID.map { .string($0) } ?? .null))
        m.append(("version", version.map { .number(Int($0)) } ?? .null))
        m.append(("locked", lock.map { .object([("holder", .string($0.holder)), ("until", .string($0.until))]) } ?? .null))
        m.append(("sections", .array(sections.map { Self.json($0) })))
        if let stage {
            let moves: [JSONValue] = stage.moves.map { move in
                var o: [(String, JSONValue)] = [("to", .string(move.to))]
                if let label = move.label { o.append(("label", label.json)) }
                o.append(("ready", .bool(move.unmet.isEmpty)))
                o.append(("unmet", .array(move.unmet.map { $0.json(locale) })))
                return .object(o)
            }
            m.append(
                (
                    "stage",
                    .object([
                        ("field", .string(stage.field)), ("current", stage.current.map { .string($0) } ?? .null), ("movable", .bool(stage.movable)),
                        ("moves", .array(moves)),
                    ])
                ))
        } else {
            m.append(("stage", .null))
        }
        m.append(("problems", .array(problems.map { $0.json(locale) })))
        return .object(m)
    }

    private static func json(_ section: Section) -> JSONValue {
        var m: [(String, JSONValue)] = []
        if let name = section.name { m.append(("name", .string(name))) }
        if let label = section.label { m.append(("label", label.json)) }
        m.append(("columns", .number(section.columns)))
        m.append(("visible", .bool(section.visible)))
        m.append(("fields", .array(section.fields.map(json))))
        return .object(m)
    }

    private static func json(_ field: Field) -> JSONValue {
        let d = field.definition
        var m: [(String, JSONValue)] = [("field", .string(d.name)), ("label", d.label.json), ("type", .string(d.readType.rawValue))]
        if let help = field.help ?? d.help { m.append(("help", help.json)) }
        if !d.options.isEmpty { m.append(("options", .array(d.options.map(\.json)))) }
        if let target = d.target { m.append(("target", .string(target))) }
        m.append(("value", field.value))
        m.append(("visible", .bool(field.visible)))
        m.append(("required", .bool(field.required)))
        m.append(("read_only", .bool(field.readOnly)))
        m.append(("reasons", .array(field.reasons.map { .string($0) })))
        return .object(m)
    }
}
