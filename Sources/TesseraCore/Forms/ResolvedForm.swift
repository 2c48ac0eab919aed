/// A form as one caller sees it for one record (stored, new or drafted): what a UI renders.
public struct ResolvedForm: Sendable {
    /// One field and its state, with the reasons behind it.
    public struct Field: Sendable {
        public let name: String
        /// The field's description as `encoded` writes it (see `head(of:help:)`), made once per
        /// metadata version: most of an answer's bytes are labels and options.
        public let head: [UInt8]
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
        /// A related list's definition (its `fields` are then empty), and its rows once read.
        public var related: RelatedList? = nil
        public var rows: RelatedRows? = nil
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
    public var sections: [Section]
    public let stage: Stage?
    /// What is wrong with a draft's values (a form is still answered).
    public let problems: [TesseraError.Detail]

    /// Every field of every section.
    public var fields: [Field] { sections.flatMap(\.fields) }

    /// The JSON a UI renders, written straight to bytes.
    public func encoded(_ locale: MessageLocale) -> [UInt8] {
        var w = JSONStreamWriter(capacity: 4096 + 512 * sections.reduce(0) { $0 + $1.fields.count })
        w.openObject()
        w.member("entity", .string(entity))
        w.member("form", form.map { .string($0.name) } ?? .null)
        if let label = form?.label { w.member("label", label.json) }
        w.member("record", recordID.map { .string($0) } ?? .null)
        w.member("version", version.map { .number(Int($0)) } ?? .null)
        w.member("locked", lock.map { .object([("holder", .string($0.holder)), ("until", .string($0.until))]) } ?? .null)
        w.key("sections")
        w.openArray()
        for section in sections {
            w.openObject()
            if let name = section.name { w.member("name", .string(name)) }
            if let label = section.label { w.member("label", label.json) }
            w.member("columns", .number(section.columns))
            w.member("visible", .bool(section.visible))
            if let rows = section.rows {
                w.key("related")
                w.openObject()
                rows.write(to: &w)
                w.closeObject()
            }
            w.key("fields")
            w.openArray()
            for field in section.fields {
                w.openObject()
                w.members(field.head)
                w.member("value", field.value)
                w.member("visible", .bool(field.visible))
                w.member("required", .bool(field.required))
                w.member("read_only", .bool(field.readOnly))
                w.member("reasons", .array(field.reasons.map { .string($0) }))
                w.closeObject()
            }
            w.closeArray()
            w.closeObject()
        }
        w.closeArray()
        if let stage {
            w.key("stage")
            w.openObject()
            w.member("field", .string(stage.field))
            w.member("current", stage.current.map { .string($0) } ?? .null)
            w.member("movable", .bool(stage.movable))
            w.key("moves")
            w.openArray()
            for move in stage.moves {
                w.openObject()
                w.member("to", .string(move.to))
                if let label = move.label { w.member("label", label.json) }
                w.member("ready", .bool(move.unmet.isEmpty))
                w.member("unmet", .array(move.unmet.map { $0.json(locale) }))
                w.closeObject()
            }
            w.closeArray()
            w.closeObject()
        } else {
            w.member("stage", .null)
        }
        w.member("problems", .array(problems.map { $0.json(locale) }))
        w.closeObject()
        return w.bytes
    }

    /// What describes a field in a form whatever the record: name, label, type as read, help
    /// (the form's own, else the field's), options and relation target.
    public static func head(of d: FieldDefinition, help: Label?) -> [UInt8] {
        var m: [(String, JSONValue)] = [("field", .string(d.name)), ("label", d.label.json), ("type", .string(d.readType.rawValue))]
        if let help = help ?? d.help { m.append(("help", help.json)) }
        if !d.options.isEmpty { m.append(("options", .array(d.options.map(\.json)))) }
        if let target = d.target { m.append(("target", .string(target))) }
        return JSONStreamWriter.encodedMembers(m)
    }
}
