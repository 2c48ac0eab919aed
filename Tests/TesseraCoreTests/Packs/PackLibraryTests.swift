import Foundation
import Testing

@testable import TesseraCore

@Suite("Packs")
struct PackLibraryTests {
    static let market = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("templates-market")

    @Test("the sales pack loads with the seeds' entities and rules of thumb")
    func salesPack() throws {
        let library = PackLibrary(root: Self.market)
        #expect(library.ids().contains("sales"))
        let pack = try library.load("sales")
        #expect(pack.name["zh-CN"] == "销售管理系统")
        #expect(pack.entities.map(\.name) == ["lead", "customer", "contact", "opportunity", "visit", "follow_up", "contract", "payment_milestone"])
        let lead = try #require(pack.entities.first { $0.name == "lead" })
        #expect(lead.field("pain_points")?.maxSelections == 3)
        #expect((lead.field("funnel_stage")?.options.count ?? 0) == 6)
        for entity in pack.entities {
            for field in entity.fields {
                #expect(field.label["zh-CN"] != nil && field.label["en"] != nil, "\(entity.name).\(field.name) lacks a label")
            }
        }
    }

    @Test("unknown packs are 404; broken pack files name the file")
    func broken() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("packs-" + UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("bad/entities"), withIntermediateDirectories: true)
        try "id: bad\nversion: 1.0.0\nname: {en: Bad}\nentities: [thing]\n".write(
            to: root.appendingPathComponent("bad/pack.yaml"), atomically: true, encoding: .utf8)
        try "name: thing\nfields:\n  - {name: x, type: select}\n".write(
            to: root.appendingPathComponent("bad/entities/thing.yaml"), atomically: true, encoding: .utf8)
        let library = PackLibrary(root: root)
        #expect(throws: TesseraError.self) { try library.load("nope") }
        let error = #expect(throws: TesseraError.self) { try library.load("bad") }
        #expect(error?.message.contains("bad/entities/thing.yaml") == true)
    }
}
