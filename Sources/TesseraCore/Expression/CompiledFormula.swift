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
                        let property = "\(entity.name).rules.\(rule.name)" + (detail.field.map { ".\($0)" } ?? "")
                        // The property replaces the field a message starts with, in each language.
                        func renamed(_ message: String, _ locale: MessageLocale) -> String {
                            let colon = locale == .zhCN ? "：" : ": "
                            if let field = detail.field, message.hasPrefix(field + colon.prefix(1)) {
                                return property + message.dropFirst(field.count)
                            }
                            return property + colon + message
                        }
                        d.message = renamed(detail.message, .en)
                        d.texts = Dictionary(uniqueKeysWithValues: detail.texts.map { ($0.key, renamed($0.value, $0.key)) })
                        d.field = property
                        return d
                    }
                }
            }
        }
        return problems
    }
}
