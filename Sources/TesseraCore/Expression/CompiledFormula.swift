/// A formula field compiled for its entity: never stored, computed on every read from its expression.
public struct CompiledFormula: Sendable {
    public let field: FieldDefinition
    public let expression: CheckedExpression

    public var name: String { field.name }

    public static func compile(_ field: FieldDefinition, in context: ExpressionContext) throws(ExpressionError) -> CompiledFormula {
        CompiledFormula(field: field, expression: try ExpressionChecker.checkFormula(field, in: context))
    }
}

/// Checks what ties metadata together across fields and entities once a change is planned:
/// every formula still compiles against the entities as they will be.
public enum MetadataConsistency {
    public static func problems(_ entities: [EntityDefinition]) -> [TesseraError.Detail] {
        let byName = Dictionary(entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var problems: [TesseraError.Detail] = []
        for entity in entities {
            let context = ExpressionContext(entity: entity, relatedEntity: { byName[$0] })
            for field in entity.fields where field.type == .formula {
                do {
                    _ = try CompiledFormula.compile(field, in: context)
                } catch {
                    problems.append(error.detail(property: "\(entity.name).\(field.name).expression"))
                }
            }
        }
        return problems
    }
}
