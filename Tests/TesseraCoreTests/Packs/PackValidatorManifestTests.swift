import Foundation
import TesseraCore
import Testing

/// A pack's pack.yaml, its folders, the packs it requires, and how its YAML is read.
@Suite("Pack validation: manifests, files and YAML")
struct PackValidatorManifestTests {
    typealias D = PackDocument

    @Test("pack.yaml takes only known members and a semantic version")
    func manifestMembers() throws {
        let market = try PackMarket()
        try market.pack()
        try market.write(
            "demo/pack.yaml", PackMarket.manifest(entities: ["thing"]).replacingOccurrences(of: "1.0.0", with: "\"1.0\"") + "sample_data: []\n")
        let report = market.validate()
        expectProblem(report, in: "demo/pack.yaml", field: "sample_data", rule: "unknown_property")
        expectProblem(report, in: "demo/pack.yaml", field: "version", rule: "format", "'1.0'")
    }

    @Test("a document that is not a manifest is refused, not crashed on", arguments: ["", "[]\n", "id: [x]\nentities: [1, null]\n"])
    func garbageManifest(text: String) throws {
        let market = try PackMarket()
        try market.pack()
        try market.write("demo/pack.yaml", text)
        expectProblem(market.validate())
    }

    @Test("a relation to an entity neither the pack nor a pack it requires has is refused")
    func relationTarget() throws {
        let market = try PackMarket()
        try market.pack(entities: [D.entity(fields: [D.field("c", "relation", "target: customer")])])
        expectProblem(market.validate(), in: "demo/entities/thing.yaml", field: "fields[0].target", rule: "unknown_entity", "'customer'")
    }

    @Test("a relation may target an entity of a required pack, found in the same market")
    func relationIntoARequiredPack() throws {
        let market = try PackMarket()
        try market.pack("crm", entities: [D.entity("customer")])
        try market.pack(
            "sales", entities: [D.entity(fields: [D.field("c", "relation", "target: customer")])],
            manifest: "requires: [{id: crm, min_version: 1.0.0}]\n")
        expectValid(market.validate("crm"))
        let sales = market.validate("sales")
        expectValid(sales)
        #expect(sales.pack?.requires.map(\.id) == ["crm"] && sales.pack?.requires.first?.minVersion == "1.0.0")
    }

    @Test("installing a pack that requires another checks it against the tenant's entities, not the market's copy")
    func installRechecks() throws {
        let market = try PackMarket()
        try market.pack("crm", entities: [D.entity("customer")])
        try market.pack(
            "sales", entities: [D.entity(fields: [D.field("c", "relation", "target: customer")])],
            roles: [D.role(permissions: "{customer: {read: all}}")], manifest: "requires: [{id: crm}]\n")
        let library = PackLibrary(root: market.root)
        let sales = try library.load("sales")
        #expect(try library.requirements(of: sales).map(\.id) == ["crm"])
        let tenant = try PackPlanner.install(try library.load("crm"))
        let installed = try PackPlanner.install(sales, entities: tenant.entities, roles: tenant.roles ?? [])
        #expect(installed.entities.map(\.name) == ["customer", "thing"])
        // A tenant without the entity (say, deleted after crm was installed) cannot take the pack.
        let error = #expect(throws: TesseraError.self) { try PackPlanner.install(sales) }
        #expect(error?.details.contains { $0.field == "thing.fields[0].target" && $0.rule == "unknown_entity" } == true)
        #expect(error?.details.contains { $0.field == "permissions.customer" && $0.rule == "unknown_entity" } == true)
    }

    @Test("a required pack missing from the market, or older than min_version, is refused")
    func requirements() throws {
        let market = try PackMarket()
        try market.pack("crm", entities: [D.entity("customer")])
        try market.pack("sales", manifest: "requires: [{id: crm, min_version: 2.0.0}, {id: nope}]\n")
        let report = market.validate("sales")
        expectProblem(report, in: "sales/pack.yaml", field: "requires[0]", rule: "version", "2.0.0", "1.0.0")
        expectProblem(report, in: "sales/pack.yaml", field: "requires[1]", rule: "unknown_pack", "'nope'")
        expectProblems(report, count: 2)
    }

    @Test("a pack cannot require itself, nor a pack that requires it")
    func requirementCycles() throws {
        let market = try PackMarket()
        try market.pack("selfish", manifest: "requires: [{id: selfish}]\n")
        expectProblem(market.validate("selfish"), in: "selfish/pack.yaml", field: "requires[0]", rule: "cycle")
        try market.pack("hen", manifest: "requires: [{id: egg}]\n")
        try market.pack("egg", manifest: "requires: [{id: hen}]\n")
        expectProblem(market.validate("hen"), field: "requires[0]", rule: "cycle")
    }

    @Test("an entity a pack defines again next to a required pack's is refused: the install would clash")
    func entityClash() throws {
        let market = try PackMarket()
        try market.pack("crm", entities: [D.entity("customer")])
        try market.pack("sales", entities: [D.entity("customer")], manifest: "requires: [{id: crm}]\n")
        expectProblem(market.validate("sales"), rule: "duplicate", "customer")
    }

    @Test("a listed entity without its file, one named unlike its file and a file pack.yaml does not list are refused")
    func entityFiles() throws {
        let market = try PackMarket()
        try market.pack(entities: [D.entity("lead")])
        try market.write("demo/pack.yaml", PackMarket.manifest(entities: ["lead", "visit"]))
        try market.write("demo/entities/lead.yaml", D.entity("leads").text)
        try market.write("demo/entities/extra.yaml", D.entity("extra").text)
        let report = market.validate()
        expectProblem(report, rule: "missing_file", "entities/visit.yaml")
        expectProblem(report, in: "demo/entities/lead.yaml", field: "name", rule: "mismatch", "'leads'")
        expectProblem(report, in: "demo/entities/extra.yaml", rule: "unlisted", "entities")
        expectProblems(report, count: 3)
    }

    @Test("pack.yaml lists each entity once")
    func entityNamesOnce() throws {
        let market = try PackMarket()
        try market.pack()
        try market.write("demo/pack.yaml", PackMarket.manifest(entities: ["thing", "thing"]))
        expectProblem(market.validate(), in: "demo/pack.yaml", field: "entities[1]", rule: "duplicate", "'thing'")
    }

    @Test("a pack's id is the name of its folder")
    func idMatchesFolder() throws {
        let market = try PackMarket()
        try market.pack()
        try market.write("demo/pack.yaml", PackMarket.manifest("other", entities: ["thing"]))
        expectProblem(market.validate(), in: "demo/pack.yaml", field: "id", rule: "mismatch", "'other'")
    }

    @Test("each problem names its file, then the path inside it")
    func problemsNameTheirFile() throws {
        let market = try PackMarket()
        try market.pack(entities: [D.entity(fields: [D.field("id")])])
        let report = market.validate()
        expectProblem(report, in: "demo/entities/thing.yaml", field: "fields[0].name", rule: "reserved", "'id'")
        expectProblems(report, count: 1)
    }

    @Test(
        "YAML that is ambiguous or broken is refused, naming the line",
        arguments: [
            ("name: thing\nname: again\n", "duplicate key 'name'"),
            ("name: thing\nlabel: {zh-CN: 是, en: no}\n", "reads as a boolean"),
            ("name: thing\nlabel: {zh-CN: a, en: [b}\n", "line 2"),
        ])
    func ambiguousYAML(text: String, fragment: String) throws {
        let market = try PackMarket()
        try market.pack()
        try market.write("demo/entities/thing.yaml", text + "fields:\n  - \(D.field("title"))\n")
        expectProblem(market.validate(), in: "demo/entities/thing.yaml", rule: "yaml", fragment)
    }

    @Test("an unquoted comma in a label splits it: the rest is refused as a language tag")
    func unquotedComma() throws {
        let market = try PackMarket()
        try market.pack(entities: [D("thing", "name: thing\nlabel: {zh-CN: 标签, en: One, two}\nfields:\n  - \(D.field("title"))\n")])
        expectProblem(market.validate(), in: "demo/entities/thing.yaml", field: "label", rule: "locale", "'two'")
    }
}
