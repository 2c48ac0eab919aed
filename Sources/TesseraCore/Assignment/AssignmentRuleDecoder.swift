/// Reads and checks an assignment rule against the tenant's entities and roles: route conditions
/// are boolean expressions over the record, figures count records of real entities, and the
/// weight is a number over `user.<figure>` (and the record).
public enum AssignmentRuleDecoder {
    public static let maxRoutes = 50
    public static let maxFigures = 8

    public static func rule(_ json: JSONValue, entities: [EntityDefinition], roles: [String]) throws(TesseraError) -> AssignmentRule {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "", problems: &problems) else { throw .invalidMetadata(problems) }
        reader.rejectUnknown(allowed: ["name", "label", "entity", "routes", "pool", "fallback", "strategy", "weight", "figures"])
        let name = reader.string("name") ?? ""
        if !APIName.isValid(name) { reader.fail("name", rule: "name", .nameMustMatch) }
        let label = reader.label("label")
        let byName = Dictionary(entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let related: @Sendable (String) -> EntityDefinition? = { byName[$0] }
        guard let entity = reader.entity("entity", in: byName) else { throw .invalidMetadata(problems + reader.problems) }
        let context = ExpressionContext(entity: entity, relatedEntity: related)

        var routes: [AssignmentRoute] = []
        if let raw = reader.raw("routes") {
            if case .array(let items) = raw, items.count <= maxRoutes {
                for (i, item) in items.enumerated() {
                    let path = "routes[\(i)]"
                    guard var route = ObjectReader(item, path: path, problems: &problems) else { continue }
                    route.rejectUnknown(allowed: ["when", "team", "role", "users"])
                    let when = route.string("when") ?? ""
                    do { _ = try CompiledExpression(when, in: context, expecting: .bool) } catch {
                        problems.append(error.detail(property: "\(path).when"))
                    }
                    problems += route.problems
                    if let pool = Self.pool(item, path: path, roles: roles, problems: &problems) {
                        routes.append(AssignmentRoute(when: when, pool: pool))
                    }
                }
            } else {
                reader.fail("routes", rule: "type", .routesShape(max: maxRoutes))
            }
        }
        let pool = reader.raw("pool").flatMap { Self.pool($0, path: "pool", roles: roles, problems: &problems) }
        let fallback = reader.raw("fallback").flatMap { Self.pool($0, path: "fallback", roles: roles, problems: &problems) }
        if routes.isEmpty, pool == nil, reader.raw("pool") == nil {
            reader.fail("pool", rule: "required", .poolRequired)
        }

        var figures: [AssignmentFigure] = []
        // Every well-named figure counts for the weight, so a figure's own mistake is reported once.
        var figureNames: [String] = []
        if let raw = reader.raw("figures") {
            if case .object(let members) = raw, members.count <= maxFigures {
                for (figureName, value) in members {
                    let path = "figures.\(figureName)"
                    if !APIName.isValid(figureName) || figureName == "id" {
                        problems.append(.definition(field: path, rule: "name", .about(path, .figureName)))
                        continue
                    }
                    figureNames.append(figureName)
                    guard var figure = ObjectReader(value, path: path, problems: &problems) else { continue }
                    figure.rejectUnknown(allowed: ["entity", "where"])
                    guard let counted = figure.entity("entity", in: byName) else {
                        problems += figure.problems
                        continue
                    }
                    let condition = figure.string("where")
                    if let condition {
                        do {
                            _ = try CompiledExpression(condition, in: ExpressionContext(entity: counted, relatedEntity: related), expecting: .bool)
                        } catch { problems.append(error.detail(property: "\(path).where")) }
                    }
                    problems += figure.problems
                    figures.append(AssignmentFigure(name: figureName, entity: counted.name, condition: condition))
                }
            } else {
                reader.fail("figures", rule: "type", .figuresShape(max: maxFigures))
            }
        }

        var strategy = AssignmentStrategy.roundRobin
        switch reader.string("strategy") ?? "round_robin" {
        case "round_robin":
            if reader.has("weight") { reader.fail("weight", rule: "unknown_property", .weightOnlyWeighted) }
        case "weighted":
            let weight = reader.string("weight") ?? ""
            do {
                _ = try CompiledExpression(
                    weight, in: weightContext(entity: entity, figures: figureNames, related: related), expecting: .double)
                strategy = .weighted(weight)
            } catch {
                problems.append(error.detail(property: "weight"))
            }
        default:
            reader.fail("strategy", rule: "enum", .strategy)
        }
        problems = reader.problems + problems
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        return AssignmentRule(
            name: name, label: label, entity: entity.name, routes: routes, pool: pool, fallback: fallback, strategy: strategy, figures: figures)
    }

    /// What a weight may read: the record, and per candidate `user.id` and each figure (an int).
    public static func weightContext(
        entity: EntityDefinition, figures: [String], related: @escaping @Sendable (String) -> EntityDefinition?
    ) -> ExpressionContext {
        var attributes = ExpressionContext.defaultUserAttributes
        for figure in figures { attributes[figure] = .int }
        return ExpressionContext(entity: entity, userAttributes: attributes, relatedEntity: related)
    }

    /// Exactly one of `team`, `role`, `users` in the object at `path`.
    static func pool(_ value: JSONValue, path: String, roles: [String], problems: inout [TesseraError.Detail]) -> AssignmentPool? {
        guard case .object(let members) = value else {
            problems.append(.definition(field: path, rule: "type", .poolShape(path)))
            return nil
        }
        let kinds = members.map(\.0).filter { ["team", "role", "users"].contains($0) }
        guard kinds.count == 1, let kind = kinds.first, let raw = members.last(where: { $0.0 == kind })?.1 else {
            problems.append(.definition(field: path, rule: "pool", .poolExactlyOne(path)))
            return nil
        }
        switch (kind, raw) {
        case ("team", .string(let name)) where !name.isEmpty && name.count <= 200:
            return .team(name)
        case ("role", .string(let name)):
            guard name == RoleDefinition.adminName || roles.contains(name) else {
                problems.append(.definition(field: "\(path).role", rule: "unknown_role", .about("\(path).role", .unknownRole(name))))
                return nil
            }
            return .role(name)
        case ("users", .array(let items)) where !items.isEmpty && items.count <= 500:
            let emails = items.compactMap(\.stringValue).filter { $0.contains("@") && $0.count <= 320 }
            guard emails.count == items.count else {
                problems.append(.definition(field: "\(path).users", rule: "type", .usersEmails("\(path).users")))
                return nil
            }
            return .users(emails)
        default:
            let at = "\(path).\(kind)"
            problems.append(.definition(field: at, rule: "type", kind == "users" ? .usersCount(at) : .mustBeName(at)))
            return nil
        }
    }
}
