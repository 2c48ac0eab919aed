import Testing

@testable import TesseraCore

@Suite("Metadata decoding")
struct MetadataDecoderTests {
    func problems(_ json: JSONValue, known: Set<String> = []) -> [TesseraError.Detail] {
        do {
            _ = try MetadataDecoder.entity(json, knownEntities: known)
            return []
        } catch {
            return error.details
        }
    }

    @Test("a full entity decodes and encodes to the same wire shape")
    func roundTrip() throws {
        let json: JSONValue = [
            "name": "lead", "label": ["zh-CN": "线索", "en": "Lead"], "title_field": "company",
            "fields": [
                [
                    "name": "company", "type": "text", "label": ["en": "Company"], "required": true, "unique": false, "indexed": true,
                    "max_length": 200,
                ],
                [
                    "name": "stage", "type": "select", "label": ["en": "Stage"], "required": false, "unique": false, "indexed": false,
                    "default": "new",
                    "options": [["key": "new", "label": ["en": "New"], "color": "#3b82f6"], ["key": "won", "label": ["en": "Won"]]],
                ],
                [
                    "name": "pains", "type": "multi_select", "label": ["en": "Pains"], "required": false, "unique": false, "indexed": false,
                    "options": [["key": "a", "label": ["en": "A"]], ["key": "b", "label": ["en": "B"]]], "max_selections": 1,
                ],
                [
                    "name": "customer", "type": "relation", "label": ["en": "Customer"], "required": false, "unique": false, "indexed": false,
                    "target": "customer",
                ],
                [
                    "name": "no", "type": "auto_number", "label": ["en": "No"], "required": false, "unique": false, "indexed": false,
                    "pattern": "LD-{YYYY}-{0000}",
                ],
            ],
        ]
        let entity = try MetadataDecoder.entity(json, knownEntities: ["customer"])
        #expect(entity.json == json)
        #expect(entity.field("stage")?.defaultValue == "new")
    }

    @Test("every problem is reported at once, with a path")
    func manyProblems() {
        let found = problems([
            "name": "Lead", "colour": "red",
            "fields": [
                ["name": "id", "type": "text"],
                ["name": "x", "type": "select", "options": []],
                ["name": "y", "type": "number", "options": [["key": "a"]]],
                ["name": "z", "type": "relation", "target": "ghost"],
                ["name": "z", "type": "text", "max_length": 0],
                ["name": "w", "type": "wat"],
                ["name": "v", "type": "auto_number", "pattern": "{0000}-{0000}"],
                ["name": "u", "type": "select", "options": [["key": "a"], ["key": "a", "color": "red"]], "default": "b"],
            ],
        ])
        let fields = Set(found.compactMap(\.field))
        for expected in [
            "name", "colour", "fields[0].name", "fields[1].options", "fields[2].options", "fields[3].target", "fields[4].name",
            "fields[4].max_length", "fields[5].type", "fields[6].pattern", "fields[7].options",
        ] {
            #expect(fields.contains(expected), "missing \(expected) in \(fields.sorted())")
        }
    }

    @Test("patching a field overlays only what is given and keeps the name")
    func patch() throws {
        var field = FieldDefinition(name: "stage", type: .select, label: Label(en: "Stage"))
        field.options = [SelectOption(key: "a", label: Label(en: "A"))]
        let patched = try MetadataDecoder.patchedField(["label": ["zh-CN": "阶段"], "required": true], existing: field)
        #expect(patched.label == Label([("zh-CN", "阶段")]))
        #expect(patched.required && patched.options == field.options)
        #expect(throws: TesseraError.self) { try MetadataDecoder.patchedField(["name": "other"], existing: field) }
        #expect(throws: TesseraError.self) { try MetadataDecoder.patchedField(["max_length": 3], existing: field) }
    }

    @Test(
        "API names",
        arguments: [
            ("lead", true), ("a", true), ("follow_up_2", true), ("Lead", false), ("2x", false), ("_x", false),
            ("a-b", false), ("线索", false), (String(repeating: "a", count: 48), true), (String(repeating: "a", count: 49), false),
        ])
    func names(name: String, valid: Bool) {
        #expect(APIName.isValid(name) == valid)
    }
}
