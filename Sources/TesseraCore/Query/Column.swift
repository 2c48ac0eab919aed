/// A column a query can name: a tenant field or one of the system columns every entity has.
public struct Column: Sendable, Equatable {
    public let name: String
    public let type: FieldType
    public let field: FieldDefinition?
    /// System columns are never null; keyset pagination can use row comparison on them.
    public let isNotNull: Bool

    public static func resolve(_ name: String, in entity: EntityDefinition) -> Column? {
        if let field = entity.field(name) { return Column(name: name, type: field.readType, field: field, isNotNull: false) }
        let system: FieldType? = switch name {
        case "id": .relation
        case "created_at", "updated_at": .datetime
        case "owner_id", "created_by", "updated_by": .user
        case "version": .number
        default: nil
        }
        guard let system else { return nil }
        return Column(name: name, type: system, field: nil, isNotNull: name != "updated_by" && name != "created_by" && name != "owner_id")
    }

    /// System columns in the order records show them.
    public static let systemOrder = ["id", "version", "owner_id", "created_at", "updated_at", "created_by", "updated_by"]
}
