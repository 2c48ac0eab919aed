/// The columns every entity table has besides its fields, in the order records show them. The
/// one list: field names, queries, record JSON and history all read it.
public enum SystemColumn: String, Sendable, CaseIterable {
    case id, version
    case ownerID = "owner_id"
    case createdAt = "created_at"
    case updatedAt = "updated_at"
    case createdBy = "created_by"
    case updatedBy = "updated_by"
    case deletedAt = "deleted_at"

    /// Every system column's name, in record order; a field may not take any of them.
    public static let names = allCases.map(\.rawValue)

    /// Those a query may filter or order by (the recycle-bin mark is `deleted=only`'s business).
    public static let queryable = allCases.filter { $0 != .deletedAt }

    /// The type a query compares the column as.
    public var type: FieldType {
        switch self {
        case .id: .relation
        case .version: .number
        case .ownerID, .createdBy, .updatedBy: .user
        case .createdAt, .updatedAt, .deletedAt: .datetime
        }
    }

    /// Never null, so keyset pagination may compare rows on it.
    public var isNotNull: Bool { ![.ownerID, .createdBy, .updatedBy, .deletedAt].contains(self) }

    /// History reports changes of the owner; the rest is bookkeeping every write changes.
    public var isTracked: Bool { self == .ownerID }
}
