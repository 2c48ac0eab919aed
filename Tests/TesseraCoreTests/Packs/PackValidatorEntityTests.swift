import Foundation
import TesseraCore
import Testing

/// Entity files of a pack (`entities/<name>.yaml`): each problem names the file and the field's path.
@Suite("Pack validation: entities")
struct PackValidatorEntityTests {
    typealias D = PackDocument
    static let file = "demo/entities/thing.yaml"

    /// Validates pack `demo` with the one entity `thing` of these fields (and `extra` lines).
    func check(_ fields: [String], _ extra: String = "") throws -> PackValidator.Report {
        let market = try PackMarket()
        try market.pack(entities: [D.entity(fields: fields, extra)])
        return market.validate()
    }

    @Test("an entity using every field type with its options and defaults is valid")
    func valid() throws {
        let report = try check(
            [
                D.field("title", "text", "required: true, max_length: 100, default: x"),
                D.field("amount", "money", "min: 0, max: 10, default: 5"),
                D.field("stage", "select", "default: a, options: [{key: a, label: \(D.label), color: \"#22c55e\"}]"),
                D.field("tags", "multi_select", "max_selections: 1, default: [a], options: [{key: a, label: \(D.label)}]"),
                D.field("owner_rep", "user"),
                D.field("photos", "attachment", "min_count: 0, max_count: 9, accept: [\"image/*\"]"),
                D.field("\"no\"", "auto_number", "pattern: \"CT-{YYYY}-{0000}\""),
                D.field("where_at", "location", "default: {lat: 31.23, lng: 121.47, address: 上海}"),
                D.field("due", "date", "default: \"2026-01-31\""),
            ], "title_field: title\n")
        expectValid(report)
    }

    @Test("an unknown entity property is refused")
    func unknownEntityProperty() throws {
        expectProblem(try check([D.field("title")], "views: []\n"), in: Self.file, field: "views", rule: "unknown_property")
    }

    @Test("an unknown field property is refused")
    func unknownFieldProperty() throws {
        expectProblem(try check([D.field("f", "text", "colour: red")]), in: Self.file, field: "fields[0].colour", rule: "unknown_property")
    }

    @Test("a property of another field type is refused, naming the types it belongs to")
    func propertyOfAnotherType() throws {
        let report = try check([D.field("n", "number", "max_length: 5"), D.field("t", "text", "options: []")])
        expectProblem(report, in: Self.file, field: "fields[0].max_length", rule: "unknown_property", "text")
        expectProblem(report, in: Self.file, field: "fields[1].options", rule: "unknown_property", "select")
    }

    @Test(
        "system columns and query-string words cannot be field names",
        arguments: ["id", "owner_id", "created_at", "deleted_at", "version", "select", "order", "and"])
    func reservedFieldName(name: String) throws {
        expectProblem(try check([D.field(name)]), in: Self.file, field: "fields[0].name", rule: "reserved", "'\(name)'")
    }

    @Test(
        "field and entity names must be lowercase ASCII API names",
        arguments: ["Company", "1st", "has-dash", "_x", String(repeating: "a", count: 49), "公司"])
    func badNames(name: String) throws {
        expectProblem(try check([D.field("\"\(name)\"")]), in: Self.file, field: "fields[0].name", rule: "name")
        let market = try PackMarket()
        try market.pack(entities: [D(D.entity().name, "name: \"\(name)\"\nlabel: \(D.label)\nfields:\n  - \(D.field("title"))\n")])
        expectProblem(market.validate(), in: Self.file, field: "name", rule: "name")
        // Listed in pack.yaml, the name is refused before any file is read.
        try market.write("demo/pack.yaml", PackMarket.manifest(entities: ["\"\(name)\""]))
        expectProblem(market.validate(), in: "demo/pack.yaml", field: "entities[0]", rule: "name")
    }

    @Test("labels are objects of language tags; one language is enough for the server (the market's schema asks for zh-CN and en)")
    func labelLocales() throws {
        let market = try PackMarket()
        try market.pack(entities: [D("thing", "name: thing\nlabel: {en: Lead}\nfields:\n  - {name: title, type: text, label: {zh-CN: 标题}}\n")])
        expectValid(market.validate())
        expectProblem(try check(["{name: f, type: text, label: {EN: Lead}}"]), in: Self.file, field: "fields[0].label", rule: "locale")
        let option = "{name: s, type: select, label: \(D.label), options: [{key: a, label: {zh_CN: 甲}}]}"
        expectProblem(try check([option]), in: Self.file, field: "fields[0].options[0].label", rule: "locale")
    }

    @Test("a blank label is refused")
    func blankLabels() throws {
        let market = try PackMarket()
        try market.pack(entities: [D("thing", "name: thing\nlabel: {zh-CN: \" \", en: Lead}\nfields:\n  - \(D.field("title"))\n")])
        expectProblem(market.validate(), in: Self.file, field: "label", rule: "type", "label.zh-CN")
        expectProblem(try check(["{name: f, type: text, label: {en: \"\"}}"]), in: Self.file, field: "fields[0].label", rule: "type")
    }

    @Test("a multi_select with max_selections 0 is refused")
    func maxSelectionsZero() throws {
        let report = try check([D.field("tags", "multi_select", "max_selections: 0, options: [{key: a, label: \(D.label)}]")])
        expectProblem(report, in: Self.file, field: "fields[0].max_selections", rule: "range")
    }

    @Test("max_selections above the number of options is refused")
    func maxSelectionsAboveOptions() throws {
        let report = try check([D.field("tags", "multi_select", "max_selections: 3, options: [{key: a, label: \(D.label)}]")])
        expectProblem(report, in: Self.file, field: "fields[0].max_selections", rule: "range", "3")
    }

    @Test("a select needs options", arguments: ["", "options: []"])
    func selectWithoutOptions(options: String) throws {
        expectProblem(try check([D.field("s", "select", options)]), in: Self.file, field: "fields[0].options", rule: "required")
    }

    @Test("option keys are API names and colors are #rrggbb")
    func badOptionKeyAndColor() throws {
        let report = try check([D.field("s", "select", "options: [{key: Web, label: \(D.label)}, {key: ok, label: \(D.label), color: blue}]")])
        expectProblem(report, in: Self.file, field: "fields[0].options", rule: "name", "'Web'")
        expectProblem(report, in: Self.file, field: "fields[0].options", rule: "color", "'blue'")
    }

    @Test("duplicate field names and option keys are refused")
    func duplicates() throws {
        expectProblem(try check([D.field("a"), D.field("a")]), in: Self.file, field: "fields[1].name", rule: "duplicate", "'a'")
        let report = try check([D.field("s", "select", "options: [{key: x, label: \(D.label)}, {key: x, label: \(D.label)}]")])
        expectProblem(report, in: Self.file, field: "fields[0].options", rule: "duplicate", "'x'")
    }

    @Test("a relation needs a target and takes no default")
    func relationTargetAndDefault() throws {
        expectProblem(try check([D.field("c", "relation")]), in: Self.file, field: "fields[0].target", rule: "required")
        expectProblem(
            try check([D.field("c", "relation", "target: thing, default: x")]), in: Self.file, field: "fields[0].default", rule: "unsupported")
    }

    @Test(
        "an auto_number pattern needs one counter and known tokens",
        arguments: ["CT-{YYYY}", "CT {0000}", "CT-{0000}-{00}", "{YYYYY}-{0000}", "CT-{Q}-{0000}"])
    func badAutoNumberPattern(pattern: String) throws {
        expectProblem(
            try check([D.field("\"no\"", "auto_number", "pattern: \"\(pattern)\"")]), in: Self.file, field: "fields[0].pattern", rule: "pattern")
    }

    @Test("an unknown field type is refused, naming it")
    func unknownFieldType() throws {
        expectProblem(try check([D.field("x", "spreadsheet")]), in: Self.file, field: "fields[0].type", rule: "unknown_type", "'spreadsheet'")
    }

    @Test("a formula needs an expression and a result and cannot be required")
    func formula() throws {
        expectProblem(try check([D.field("x", "formula")]), in: Self.file, field: "fields[0].expression", rule: "required")
        expectProblem(try check([D.field("x", "formula", "expression: \"1 + 1\"")]), in: Self.file, field: "fields[0].result", rule: "required")
        let required = D.field("x", "formula", "expression: \"record.a + 1\", result: number, required: true")
        expectProblem(try check([D.field("a", "number"), required]), in: Self.file, field: "fields[1].required", rule: "unsupported")
        expectValid(try check([D.field("title"), D.field("x", "formula", "expression: \"1 + 1\", result: number")]))
    }

    @Test("rules are checked by kind and name real fields of the entity")
    func rules() throws {
        let duplicate = "{name: r, kind: duplicate, match: [x], within: 30d, action: link, link_field: x}"
        expectProblem(try check([D.field("x")], "rules:\n  - \(duplicate)\n"), in: Self.file, field: "thing.rules.r.link_field", rule: "type", "'x'")
        expectProblem(
            try check([D.field("title")], "rules:\n  - \(duplicate)\n"), in: Self.file, field: "thing.rules.r.match", rule: "unknown_field", "'x'")
        expectProblem(
            try check([D.field("title")], "rules:\n  - {name: r, kind: magic}\n"), in: Self.file, field: "rules[0].kind", rule: "unknown_kind",
            "magic")
        expectProblem(
            try check([D.field("title")], "rules:\n  - {name: r, kind: expression}\n"), in: Self.file, field: "rules[0].expression", rule: "required")
        let withMatch = "{name: r, kind: expression, expression: \"true\", match: [x]}"
        expectProblem(try check([D.field("title")], "rules:\n  - \(withMatch)\n"), in: Self.file, field: "rules[0].match", rule: "unknown_property")
        let pattern = "{name: r, kind: pattern, field: nope, regex: a}"
        expectProblem(
            try check([D.field("title")], "rules:\n  - \(pattern)\n"), in: Self.file, field: "thing.rules.r.field", rule: "unknown_field", "'nope'")
        let ok = "{name: r, kind: expression, expression: \"has(record.x)\", fields: [x], message: {zh-CN: 请填写x, en: x please}}"
        expectValid(try check([D.field("x")], "rules:\n  - \(ok)\n"))
    }

    @Test("stage keys must be options of the field, and exit conditions name its entity's fields")
    func stageKeys() throws {
        let stage = "stage: {transitions: {a: [b]}, exit: {a: {required: [nope]}}}"
        let report = try check([D.field("s", "select", "options: [{key: a, label: {en: A}}], \(stage)")])
        expectProblem(report, in: Self.file, field: "fields[0].stage.transitions.a", rule: "unknown_stage", "'b'")
        expectProblem(report, in: Self.file, field: "fields[0].stage.exit.a", rule: "unknown_field", "'nope'")
        let gates = D.field("s", "select", "options: [{key: a, label: {en: A}}], stage: {gates: {}}")
        expectProblem(try check([gates]), in: Self.file, field: "fields[0].stage.gates", rule: "unknown_property")
    }

    @Test("the title field must be a field of the entity")
    func titleField() throws {
        expectProblem(try check([D.field("title")], "title_field: nope\n"), in: Self.file, field: "title_field", rule: "unknown_field", "'nope'")
    }

    @Test("min above max and min_count above max_count are refused")
    func ranges() throws {
        let report = try check([D.field("n", "decimal", "min: 10, max: 1"), D.field("a", "attachment", "min_count: 3, max_count: 2")])
        expectProblem(report, in: Self.file, field: "fields[0].min", rule: "range")
        expectProblem(report, in: Self.file, field: "fields[1].min_count", rule: "range")
    }

    @Test(
        "a default must be a value of its field",
        arguments: [
            D.field("s", "select", "default: zz, options: [{key: a, label: \(D.label)}]"),
            D.field("m", "multi_select", "max_selections: 1, default: [a, b], options: [{key: a, label: \(D.label)}, {key: b, label: \(D.label)}]"),
            D.field("n", "number", "default: 1.5"),
            D.field("p", "percent", "min: 0, max: 100, default: 120"),
            D.field("b", "boolean", "default: \"yes\""),
            D.field("t", "text", "max_length: 2, default: abc"),
        ])
    func defaults(field: String) throws {
        expectProblem(try check([field]), in: Self.file, field: "fields[0].default")
    }

    @Test(
        "a document that is not an entity is refused, not crashed on",
        arguments: ["", "[]\n", "lead\n", "3\n", "name: thing\nfields: x\n", "name: thing\nfields: [null, [], {type: [x], options: [{key: {}}]}]\n"])
    func garbage(text: String) throws {
        let market = try PackMarket()
        try market.pack()
        try market.write("demo/entities/thing.yaml", text)
        expectProblem(market.validate(), in: Self.file)
    }
}
