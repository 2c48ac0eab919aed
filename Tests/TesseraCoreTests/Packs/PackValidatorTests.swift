import Foundation
import TesseraCore
import Testing

@Suite("Pack validation: the decoders and checks installing runs, without a database")
struct PackValidatorTests {
    typealias D = PackDocument

    @Test("one run names every broken file, each problem with its file and path")
    func everyProblem() throws {
        let market = try PackMarket()
        try market.write("broken/pack.yaml", "id: broken\nversion: 1.0.0\nname: {en: Broken}\nentities: [thing, other]\nroles: [viewer]\n")
        try market.write("broken/entities/thing.yaml", "name: thing\nlabel: {en: Thing}\nfields:\n  - {name: x, type: select, label: {en: X}}\n")
        try market.write("broken/entities/other.yaml", "name: other\nlabel: {en: Other}\nfields:\n  - {name: id, type: text, label: {en: Id}}\n")
        try market.write("broken/roles/viewer.yaml", "name: viewer\npermissions: {ghost: {read: all}}\n")
        let report = market.validate("broken")
        #expect(report.pack == nil)
        let files = Set(report.problems.compactMap { $0.message.split(separator: ":").first.map(String.init) })
        #expect(files == ["broken/entities/thing.yaml", "broken/entities/other.yaml", "broken/roles/viewer.yaml"], "\(describe(report))")
        #expect(report.problems.contains { $0.field == "permissions.ghost" })
    }

    @Test("a relation to an entity the pack lacks is refused, naming it")
    func danglingRelation() throws {
        let market = try PackMarket()
        try market.pack("dangling", entities: [D.entity("order", fields: [D.field("customer", "relation", "target: customer")])])
        expectProblem(market.validate("dangling"), in: "dangling/entities/order.yaml", field: "fields[0].target", "customer")
    }

    @Test("a folder that is no pack says so")
    func missing() {
        let report = PackValidator.validate(folder: URL(fileURLWithPath: "/nonexistent/nopack"))
        #expect(report.pack == nil && report.problems.count == 1 && report.problems[0].message.contains("nopack"))
    }
}
