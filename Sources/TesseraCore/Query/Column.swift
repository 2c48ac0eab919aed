/// A column a query can name: a tenant field or one of the system columns every entity has.
public struct Column: Sendable, Equatable {
    public let name: String
    public let type: FieldType
    public let field: FieldDefinition?
    /// System columns are never null; keyset pagination can use row comparison on them.
    public let isNotNull: Bool

    public static func resolve(_ name: String, in entity: EntityDefinition) -> Column? {
        if let field = entity.field(name) { return Column(name: name, type: field.readType, field: field, isNotNull: false) }
        guard let system = SystemColumn(rawValue: name), system != .deletedAt else { return nil }
        return Column(name: name, type: system.type, field: nil, isNotNull: system.isNotNull)
    }

    /// The type `resolve` gives the column, without copying the field's definition into a
    /// `Column`: reading a whole row (every checked write, every form) asks it for each member.
    public static func type(_ name: String, in entity: EntityDefinition) -> FieldType? {
        if let i = entity.fields.firstIndex(where: { $0.name == name }) { return entity.fields[i].readType }
        guard let system = SystemColumn(rawValue: name), system != .deletedAt else { return nil }
        return system.type
    }
}
