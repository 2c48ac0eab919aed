/// The records that point at one record through one relation field (a customer's contacts,
/// opportunities or tickets), newest first: a related list of a form section, or one list of
/// `GET /api/v1/data/{entity}/{id}/related`.
public struct RelatedList: Sendable, Equatable {
    /// The entity whose records point at the record.
    public let entity: String
    /// Its relation field that names the record.
    public let via: String
    /// The fields each row shows (besides its id); empty: every field the caller sees.
    public let fields: [String]
    /// Rows shown at most (the count says how many there are).
    public let limit: Int

    public static let defaultLimit = 5
    public static let maxLimit = 50

    public init(entity: String, via: String, fields: [String] = [], limit: Int = RelatedList.defaultLimit) {
        self.entity = entity
        self.via = via
        self.fields = fields
        self.limit = limit
    }

    /// Every relation among `entities` that points at `target`, by entity and then field.
    public static func all(pointingAt target: String, in entities: [EntityDefinition], limit: Int = defaultLimit) -> [RelatedList] {
        entities.sorted { $0.name < $1.name }.flatMap { entity in
            entity.fields.filter { $0.type == .relation && $0.target == target }.map { RelatedList(entity: entity.name, via: $0.name, limit: limit) }
        }
    }

    /// The query one list runs for the record `id`: its rows, newest first, with their exact
    /// count; `select` the fields they show (with the id), nil for all the caller sees.
    public func pairs(id: String, select: [String]?) -> [(String, String)] {
        var pairs = [(via, "eq." + id), ("order", "created_at.desc"), ("limit", String(limit)), ("count", "exact")]
        if let select { pairs.append(("select", (["id"] + select.filter { $0 != "id" }).joined(separator: ","))) }
        return pairs
    }

    public var json: JSONValue {
        var m: [(String, JSONValue)] = [("entity", .string(entity)), ("via", .string(via))]
        if !fields.isEmpty { m.append(("fields", .array(fields.map { .string($0) }))) }
        m.append(("limit", .number(limit)))
        return .object(m)
    }
}

/// One related list as a caller sees it: how many records point at the record, and the newest
/// of them (each row's JSON as the data API writes it).
public struct RelatedRows: Sendable {
    public let list: RelatedList
    public let label: Label
    public let count: Int
    public let records: [String]

    public init(list: RelatedList, label: Label, count: Int, records: [String]) {
        self.list = list
        self.label = label
        self.count = count
        self.records = records
    }

    /// Written inside an object: the list, its entity's label, the count and the rows.
    public func write(to w: inout JSONStreamWriter) {
        w.member("entity", .string(list.entity))
        w.member("label", label.json)
        w.member("via", .string(list.via))
        w.member("count", .number(count))
        w.member("more", .bool(count > records.count))
        w.key("data")
        w.openArray()
        for record in records { w.raw(record) }
        w.closeArray()
    }
}
