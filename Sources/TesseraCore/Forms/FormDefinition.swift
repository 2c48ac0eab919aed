/// A form layout of one entity, as the designer API and packs describe it: ordered sections of
/// fields, each with the expressions that show, require or freeze it, optionally limited to roles
/// or to stages of the record.
public struct FormDefinition: Sendable, Equatable {
    /// One field of a section and the conditions that change its state.
    public struct Field: Sendable, Equatable {
        public let name: String
        public let visibleWhen: String?
        public let requiredWhen: String?
        public let readonlyWhen: String?
        public let help: Label?
    }

    /// A titled group of fields laid out in `columns` columns, or one list of the records that
    /// point at this one (`related`; its `fields` are then empty).
    public struct Section: Sendable, Equatable {
        public let name: String?
        public let label: Label?
        public let columns: Int
        public let fields: [Field]
        public let visibleWhen: String?
        public var related: RelatedList? = nil
    }

    public let name: String
    public let entity: String
    public let label: Label?
    public let sections: [Section]
    /// Roles the form is for (all when empty).
    public let roles: [String]
    /// Stages of the record the form is for (all when empty).
    public let stages: [String]
    /// The definition as stored and served.
    public let json: JSONValue

    /// Unique within the tenant: forms of different entities may share a name.
    public var key: String { entity + "/" + name }

    /// Every field the form places, in order.
    public var fieldNames: [String] { sections.flatMap { $0.fields.map(\.name) } }

    /// Whether a caller holding `roles` is offered the form.
    public func isOffered(to callerRoles: [String]) -> Bool { roles.isEmpty || roles.contains(where: callerRoles.contains) }

    /// Whether the form is for a record at `stage` (nil: the entity has no stage, or none is set).
    public func applies(atStage stage: String?) -> Bool {
        stages.isEmpty || stage.map(stages.contains) == true
    }

    /// A form for given roles beats one for everyone; a form for given stages beats one for all.
    var specificity: Int { (roles.isEmpty ? 0 : 2) + (stages.isEmpty ? 0 : 1) }

    public static func == (a: FormDefinition, b: FormDefinition) -> Bool { a.json == b.json && a.entity == b.entity }
}
