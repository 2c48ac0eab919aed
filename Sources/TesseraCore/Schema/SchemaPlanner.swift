/// Turns a metadata change into the ordered schema steps that carry it out, or refuses it.
public enum SchemaPlanner {
    public static func createEntity(_ entity: EntityDefinition) -> [SchemaChange] {
        var steps: [SchemaChange] = [.createTable(entity)]
        for field in entity.fields where field.type.isStored { steps += extras(entity: entity.name, field: field) }
        for rule in entity.rules where rule.kind == .duplicate { steps.append(.createMatchIndex(entity: entity.name, rule: rule)) }
        return steps
    }

    /// Steps for a new entity's table without its foreign keys (packs add them once all tables exist).
    public static func createEntityDeferringForeignKeys(_ entity: EntityDefinition) -> (tables: [SchemaChange], foreignKeys: [SchemaChange]) {
        let steps = createEntity(entity)
        return (
            steps.filter { if case .addForeignKey = $0 { false } else { true } },
            steps.filter { if case .addForeignKey = $0 { true } else { false } }
        )
    }

    public static func addField(_ field: FieldDefinition, to entity: String) -> [SchemaChange] {
        guard field.type.isStored else { return [] }
        return [.addColumn(entity: entity, field: field)] + extras(entity: entity, field: field)
    }

    public static func dropField(_ field: FieldDefinition, from entity: String) -> [SchemaChange] {
        guard field.type.isStored else { return [] }
        // The column stays (see `retainColumn`); what hangs on the field's name goes now, so that
        // the name is free for a new field. An auto-number's counter stays: numbers never repeat.
        var steps: [SchemaChange] = []
        if field.unique { steps.append(.dropUnique(entity: entity, field: field)) }
        if field.indexed || field.type == .relation { steps.append(.dropIndex(entity: entity, field: field)) }
        if field.type == .relation { steps.append(.dropForeignKey(entity: entity, field: field)) }
        return steps + [.retainColumn(entity: entity, field: field)]
    }

    /// A field a revert brings back: its retained column (or a new one) and what comes with it.
    public static func restoreField(_ field: FieldDefinition, to entity: String) -> [SchemaChange] {
        guard field.type.isStored else { return [] }
        return [.restoreColumn(entity: entity, field: field)] + extras(entity: entity, field: field)
    }

    public static func changeField(from old: FieldDefinition, to new: FieldDefinition, in entity: String) throws(TesseraError) -> [SchemaChange] {
        var steps: [SchemaChange] = []
        if old.type != new.type {
            guard TypeConversion.isSupported(from: old.type, to: new.type) else {
                throw .invalidMetadata([.definition(field: "type", rule: "type_change", .typeChange(from: old.type.rawValue, to: new.type.rawValue))])
            }
            if old.unique { steps.append(.dropUnique(entity: entity, field: old)) }
            if old.indexed { steps.append(.dropIndex(entity: entity, field: old)) }
            steps.append(.checkRows(entity: entity, check: .convertible(from: old, to: new)))
            steps.append(.changeColumnType(entity: entity, from: old, to: new))
            if old.type == .autoNumber { steps.append(.dropCounter(entity: entity, field: old)) }
            steps += extras(entity: entity, field: new).filter { if case .addForeignKey = $0 { false } else { true } }
            return steps
        }
        if old.type == .relation, old.target != new.target {
            throw .invalidMetadata([.definition(field: "target", rule: "immutable", .targetImmutable)])
        }
        let removed = old.options.map(\.key).filter { key in new.option(key) == nil }
        if !removed.isEmpty { steps.append(.checkRows(entity: entity, check: .optionsUnused(field: old, keys: removed))) }
        if tightens(from: old, to: new) { steps.append(.checkRows(entity: entity, check: .withinConstraints(field: new))) }
        if old.unique != new.unique {
            if new.unique { steps.append(.checkRows(entity: entity, check: .noDuplicates(field: new))) }
            steps.append(new.unique ? .createUnique(entity: entity, field: new) : .dropUnique(entity: entity, field: new))
        }
        if old.indexed != new.indexed {
            steps.append(new.indexed ? .createIndex(entity: entity, field: new) : .dropIndex(entity: entity, field: new))
        }
        return steps
    }

    static func tightens(from old: FieldDefinition, to new: FieldDefinition) -> Bool {
        func lower(_ a: Int?, _ b: Int?) -> Bool { b != nil && (a == nil || b! < a!) }
        func lowerD(_ a: Double?, _ b: Double?) -> Bool { b != nil && (a == nil || b! < a!) }
        func higherD(_ a: Double?, _ b: Double?) -> Bool { b != nil && (a == nil || b! > a!) }
        return lower(old.effectiveMaxLength, new.effectiveMaxLength) || lower(old.maxSelections, new.maxSelections)
            || lowerD(old.max, new.max) || higherD(old.min, new.min)
            || lower(old.maxCount, new.maxCount)
    }

    /// Indexes, constraints and counters that come with a field.
    static func extras(entity: String, field: FieldDefinition) -> [SchemaChange] {
        var steps: [SchemaChange] = []
        if field.type == .relation { steps.append(.addForeignKey(entity: entity, field: field)) }
        if field.type == .autoNumber { steps.append(.createCounter(entity: entity, field: field)) }
        if field.unique { steps.append(.createUnique(entity: entity, field: field)) }
        // Relations are always indexed: the other side lists by them.
        if field.indexed || field.type == .relation, !field.unique { steps.append(.createIndex(entity: entity, field: field)) }
        return steps
    }
}
