@testable import TesseraCore

/// A visit that points at a customer, with one field of each kind expressions read.
enum ExpressionFixtures {
    static let customer: EntityDefinition = EntityDefinition(
        name: "customer",
        fields: [
            FieldDefinition(name: "name", type: .text), FieldDefinition(name: "location", type: .location),
        ])

    static let visit: EntityDefinition = {
        var relation = FieldDefinition(name: "customer", type: .relation)
        relation.target = "customer"
        var stage = FieldDefinition(name: "stage", type: .select)
        stage.options = ["new", "done"].map { SelectOption(key: $0, label: Label(en: $0)) }
        var questions = FieldDefinition(name: "questions", type: .multiSelect)
        questions.options = ["q1", "q2", "q3", "q4", "q5"].map { SelectOption(key: $0, label: Label(en: $0)) }
        return EntityDefinition(
            name: "visit",
            fields: [
                FieldDefinition(name: "title", type: .text), FieldDefinition(name: "count", type: .number),
                FieldDefinition(name: "amount", type: .money), FieldDefinition(name: "done", type: .boolean),
                FieldDefinition(name: "day", type: .date), FieldDefinition(name: "at", type: .datetime),
                FieldDefinition(name: "checkin", type: .location), FieldDefinition(name: "photos", type: .attachment),
                relation, stage, questions,
            ])
    }()

    static func context(_ scopes: Set<FieldReference.Scope> = [.record]) -> ExpressionContext {
        ExpressionContext(entity: visit, scopes: scopes, relatedEntity: { $0 == "customer" ? customer : nil })
    }

    static func compile(_ source: String, _ scopes: Set<FieldReference.Scope> = [.record, .old]) throws(ExpressionError) -> CompiledExpression {
        try CompiledExpression(source, in: context(scopes))
    }

    /// The error compiling `source` gives (nil when it compiles).
    static func error(_ source: String, _ scopes: Set<FieldReference.Scope> = [.record, .old]) -> ExpressionError? {
        do {
            _ = try compile(source, scopes)
            return nil
        } catch {
            return error
        }
    }

    static let shanghai = TimeZoneRules(identifier: "Asia/Shanghai")!

    static func evaluate(
        _ source: String, record: [String: ExpressionValue] = [:], old: [String: ExpressionValue]? = nil,
        customer: [String: ExpressionValue]? = nil, now: Int64 = 0, zone: TimeZoneRules = shanghai
    ) throws -> ExpressionValue {
        var records: [FieldReference.Scope: RecordValues] = [.record: RecordValues(fields: record, related: customer.map { ["customer": $0] } ?? [:])]
        if let old { records[.old] = RecordValues(fields: old) }
        let env = ExpressionEnvironment(records: records, user: ["id": .string("u1")], now: now, timeZone: zone)
        return try compile(source).evaluate(in: env)
    }
}
