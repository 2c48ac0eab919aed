/// The values a record exposes to expressions: its fields and, per relation, the related record's.
public struct RecordValues: Sendable {
    public var fields: [String: ExpressionValue]
    /// Relation column → the related record's fields (absent or empty when it does not exist).
    public var related: [String: [String: ExpressionValue]]

    public init(fields: [String: ExpressionValue] = [:], related: [String: [String: ExpressionValue]] = [:]) {
        self.fields = fields
        self.related = related
    }

    /// Reads a record's JSON (as `row_to_json` writes it) with the entity's field types.
    public init(json: JSONValue, entity: EntityDefinition) {
        var fields: [String: ExpressionValue] = [:]
        if case .object(let members) = json {
            fields.reserveCapacity(members.count)
            for (name, value) in members {
                guard let type = Column.type(name, in: entity) else { continue }
                fields[name] = .from(json: value, type: type)
            }
        }
        self.init(fields: fields)
    }

    func value(_ reference: FieldReference) -> ExpressionValue {
        guard let hop = reference.hop else { return fields[reference.column] ?? .null }
        return related[reference.column]?[hop.column] ?? .null
    }
}

/// Everything an evaluation may read besides the expression: records in scope, the caller,
/// the clock, and the tenant's time zone and calendar.
public struct ExpressionEnvironment: Sendable {
    public var records: [FieldReference.Scope: RecordValues]
    public var user: [String: ExpressionValue]
    /// Microseconds since the epoch; one instant for a whole request, so SQL and Swift agree.
    public var now: Int64
    public var timeZone: TimeZoneRules
    /// The tenant's working days, for `duration("2wd")`.
    public var calendar: BusinessCalendar

    public init(
        records: [FieldReference.Scope: RecordValues] = [:], user: [String: ExpressionValue] = [:],
        now: Int64, timeZone: TimeZoneRules, calendar: BusinessCalendar = BusinessCalendar()
    ) {
        self.records = records
        self.user = user
        self.now = now
        self.timeZone = timeZone
        self.calendar = calendar
    }

    /// For statements that evaluate no expression (no formulas, no where=), and for folding
    /// constants: nothing in scope.
    public static let unused = ExpressionEnvironment(now: 0, timeZone: .utc)
}
