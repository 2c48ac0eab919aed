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
/// every formula and rule still compiles against the entities as they will be.
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
            for field in entity.fields where field.stage != nil {
                do {
                    _ = try CompiledStage.compile(field, entity: entity, related: { byName[$0] })
                } catch {
                    problems += error.details.map { $0.prefixed(field: "\(entity.name).", message: "\(entity.name).") }
                }
            }
            for rule in entity.rules {
                do {
                    _ = try CompiledRule.compile(rule, entity: entity, related: { byName[$0] })
                } catch {
                    problems += error.details.map { detail in
                        var d = detail
                        let property = "\(entity.name).rules.\(rule.name)" + (d.field.map { ".\($0)" } ?? "")
                        d.message =
                            d.field.map { d.message.hasPrefix($0 + ":") ? property + d.message.dropFirst($0.count) : "\(property): \(d.message)" }
                            ?? "\(property): \(d.message)"
                        d.field = property
                        return d
                    }
                }
            }
        }
        return problems
    }
}
