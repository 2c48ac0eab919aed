import Testing

@testable import TesseraCore

@Suite("Schema planning")
struct SchemaPlannerTests {
    func select(_ keys: [String]) -> FieldDefinition {
        var f = FieldDefinition(name: "stage", type: .select)
        f.options = keys.map { SelectOption(key: $0, label: Label(en: $0)) }
        return f
    }

    @Test("removing options checks rows; relabelling plans nothing")
    func options() throws {
        let steps = try SchemaPlanner.changeField(from: select(["a", "b", "c"]), to: select(["a"]), in: "deal")
        #expect(steps == [.checkRows(entity: "deal", check: .optionsUnused(field: select(["a", "b", "c"]), keys: ["b", "c"]))])
        var relabelled = select(["a", "b"])
        relabelled.options[0].label = Label(en: "Alpha", zh: "甲")
        #expect(try SchemaPlanner.changeField(from: select(["a", "b"]), to: relabelled, in: "deal").isEmpty)
    }

    @Test("type changes: convertible ones check rows first, others are refused")
    func types() throws {
        let text = FieldDefinition(name: "qty", type: .text)
        let number = FieldDefinition(name: "qty", type: .number)
        let steps = try SchemaPlanner.changeField(from: text, to: number, in: "item")
        #expect(steps.first == .checkRows(entity: "item", check: .convertible(from: text, to: number)))
        #expect(steps.contains(.changeColumnType(entity: "item", from: text, to: number)))
        #expect(throws: TesseraError.self) {
            try SchemaPlanner.changeField(from: text, to: FieldDefinition(name: "qty", type: .location), in: "item")
        }
        for (from, to, ok) in [
            (FieldType.number, FieldType.money, true), (.money, .text, true), (.select, .multiSelect, true), (.multiSelect, .select, false),
            (.date, .datetime, true), (.boolean, .number, false), (.relation, .text, false), (.text, .autoNumber, false),
        ] {
            #expect(TypeConversion.isSupported(from: from, to: to) == ok, "\(from) → \(to)")
        }
    }

    @Test("making a field unique checks duplicates; relations get a foreign key and an index")
    func constraints() throws {
        var unique = FieldDefinition(name: "phone", type: .phone)
        unique.unique = true
        let steps = try SchemaPlanner.changeField(from: FieldDefinition(name: "phone", type: .phone), to: unique, in: "lead")
        #expect(steps == [.checkRows(entity: "lead", check: .noDuplicates(field: unique)), .createUnique(entity: "lead", field: unique)])
        var relation = FieldDefinition(name: "customer", type: .relation)
        relation.target = "customer"
        #expect(
            SchemaPlanner.addField(relation, to: "lead") == [
                .addColumn(entity: "lead", field: relation), .addForeignKey(entity: "lead", field: relation),
                .createIndex(entity: "lead", field: relation),
            ])
    }

    @Test("deleting an entity others relate to is refused; packs create tables before foreign keys")
    func entities() throws {
        var relation = FieldDefinition(name: "customer", type: .relation)
        relation.target = "customer"
        let current = [EntityDefinition(name: "customer"), EntityDefinition(name: "deal", fields: [relation])]
        #expect(throws: TesseraError.self) { try MetadataChangePlanner.deleteEntity("customer", current: current) }
        let change = try MetadataChangePlanner.createEntities(
            [EntityDefinition(name: "deal", fields: [relation]), EntityDefinition(name: "customer")], current: [],
            action: "pack.install", target: "x")
        let firstKey = change.steps.firstIndex { if case .addForeignKey = $0 { true } else { false } }
        let lastTable = change.steps.lastIndex { if case .createTable = $0 { true } else { false } }
        #expect(firstKey! > lastTable!)
    }
}
