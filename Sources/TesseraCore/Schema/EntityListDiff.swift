/// The schema steps that turn one complete entity list into another (a revert, an upgrade):
/// fields removed are retained, fields coming back are restored, changed fields are converted
/// with the same checks as a designer's change, and entities that go must hold no records.
public enum EntityListDiff {
    public static func steps(from old: [EntityDefinition], to new: [EntityDefinition]) throws(TesseraError) -> [SchemaChange] {
        let before = Dictionary(old.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var removals: [SchemaChange] = [], drops: [SchemaChange] = [], tables: [SchemaChange] = []
        var additions: [SchemaChange] = [], keys: [SchemaChange] = []
        var problems: [TesseraError.Detail] = []
        for entity in new {
            guard let previous = before[entity.name] else {
                let split = SchemaPlanner.createEntityDeferringForeignKeys(entity)
                tables += split.tables
                keys += split.foreignKeys
                continue
            }
            for field in previous.fields where entity.field(field.name) == nil {
                removals += SchemaPlanner.dropField(field, from: entity.name)
            }
            for field in entity.fields {
                guard let was = previous.field(field.name) else {
                    let steps = SchemaPlanner.restoreField(field, to: entity.name)
                    additions += steps.filter { if case .addForeignKey = $0 { false } else { true } }
                    keys += steps.filter { if case .addForeignKey = $0 { true } else { false } }
                    continue
                }
                guard was != field else { continue }
                do throws(TesseraError) {
                    removals += try SchemaPlanner.changeField(from: was, to: field, in: entity.name)
                } catch {
                    problems += error.details.map { $0.prefixed(field: "\(entity.name).\(field.name).", message: "\(entity.name).\(field.name): ") }
                }
            }
            let oldRules = Dictionary(previous.rules.filter { $0.kind == .duplicate }.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let newRules = Dictionary(entity.rules.filter { $0.kind == .duplicate }.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for (name, rule) in oldRules where newRules[name].map({ $0.match != rule.match || $0.normalize != rule.normalize }) ?? true {
                removals.append(.dropMatchIndex(entity: entity.name, rule: name))
            }
            for (name, rule) in newRules.sorted(by: { $0.key < $1.key })
            where oldRules[name].map({ $0.match != rule.match || $0.normalize != rule.normalize }) ?? true {
                additions.append(.createMatchIndex(entity: entity.name, rule: rule))
            }
        }
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        // An entity that goes takes its own relations first, so tables pointing at each other can go together.
        for entity in old where after[entity.name] == nil {
            drops += entity.fields.filter { $0.type == .relation }.map { .dropForeignKey(entity: entity.name, field: $0) }
        }
        for entity in old where after[entity.name] == nil {
            drops += [.checkRows(entity: entity.name, check: .noRecords), .dropTable(entity: entity.name)]
        }
        return removals + drops + tables + additions + keys
    }
}
