import Foundation
import TesseraCore
import Testing

@Suite("Pack validation: the decoders and checks installing runs, without a database")
struct PackValidatorTests {
    /// Writes `files` (path → YAML) into a new pack folder named `id` and returns the folder.
    func pack(_ id: String, _ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("packs-" + UUID().uuidString).appendingPathComponent(id)
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test("every pack of the template market validates, with what it brings")
    func market() throws {
        let report = PackValidator.validate(folder: PackLibraryTests.market.appendingPathComponent("sales"))
        #expect(report.problems.isEmpty, "\(report.problems.map(\.message))")
        let sales = try #require(report.pack)
        #expect(sales.entities.count == 8 && sales.roles.count >= 7 && !sales.automations.isEmpty && !sales.assignmentRules.isEmpty)
    }

    @Test("one run names every broken file, each problem with its file and path")
    func everyProblem() throws {
        let folder = try pack(
            "broken",
            [
                "pack.yaml": "id: broken\nversion: 1.0.0\nname: {en: Broken}\nentities: [thing, other]\nroles: [viewer]\n",
                "entities/thing.yaml": "name: thing\nlabel: {en: Thing}\nfields:\n  - {name: x, type: select, label: {en: X}}\n",
                "entities/other.yaml": "name: other\nlabel: {en: Other}\nfields:\n  - {name: id, type: text, label: {en: Id}}\n",
                "roles/viewer.yaml": "name: viewer\npermissions: {ghost: {read: all}}\n",
            ])
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let report = PackValidator.validate(folder: folder)
        #expect(report.pack == nil)
        let files = Set(report.problems.compactMap { $0.message.split(separator: ":").first.map(String.init) })
        #expect(
            files == ["broken/entities/thing.yaml", "broken/entities/other.yaml", "broken/roles/viewer.yaml"], "\(report.problems.map(\.message))")
        #expect(report.problems.contains { $0.field == "permissions.ghost" })
    }

    @Test("a relation to an entity the pack lacks is refused, naming it")
    func danglingRelation() throws {
        let folder = try pack(
            "dangling",
            [
                "pack.yaml": "id: dangling\nversion: 1.0.0\nname: {en: Dangling}\nentities: [order]\n",
                "entities/order.yaml":
                    "name: order\nlabel: {en: Order}\nfields:\n  - {name: customer, type: relation, target: customer, label: {en: Customer}}\n",
            ])
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let report = PackValidator.validate(folder: folder)
        #expect(report.pack == nil && !report.problems.isEmpty)
        #expect(report.problems.contains { $0.message.contains("customer") }, "\(report.problems.map(\.message))")
    }

    @Test("a folder that is no pack says so")
    func missing() {
        let report = PackValidator.validate(folder: URL(fileURLWithPath: "/nonexistent/nopack"))
        #expect(report.pack == nil && report.problems.count == 1 && report.problems[0].message.contains("nopack"))
    }
}
