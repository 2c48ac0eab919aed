/// Parses `GET /api/v1/data/{entity}/{id}/related?limit=5&entity=contact,ticket`: every relation
/// that points at the entity (or those of the entities named), with the rows each list shows.
public enum RelatedQuery {
    public static func parse(_ pairs: [(String, String)], target: String, entities: [EntityDefinition]) throws(TesseraError) -> [RelatedList] {
        var limit = RelatedList.defaultLimit
        var only: [String]?
        var problems: [TesseraError.Detail] = []
        for (name, value) in pairs {
            switch name {
            case "limit":
                guard let n = Int(value), (1...RelatedList.maxLimit).contains(n) else {
                    problems.append(.init(field: "limit", rule: "limit", .limitRange(max: RelatedList.maxLimit)))
                    continue
                }
                limit = n
            case "entity":
                only = value.split(separator: ",").map { String($0) }
            default:
                problems.append(.form(field: name, rule: "unknown_parameter", .notForRelated(name)))
            }
        }
        let lists = RelatedList.all(pointingAt: target, in: entities, limit: limit)
        for name in only ?? [] {
            if !entities.contains(where: { $0.name == name }) {
                problems.append(.init(field: "entity", rule: "unknown_entity", .about("entity", .noEntity(name))))
            } else if !lists.contains(where: { $0.entity == name }) {
                problems.append(.form(field: "entity", rule: "not_a_relation", .relationToChoose(entity: name, target: target, fields: [])))
            }
        }
        guard problems.isEmpty else { throw ListQueryParser.invalid(problems) }
        guard let only else { return lists }
        return lists.filter { only.contains($0.entity) }
    }
}
