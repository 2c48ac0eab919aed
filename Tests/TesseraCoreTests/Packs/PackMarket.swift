import Foundation
import TesseraCore
import Testing

/// A template market in a temporary folder for the pack validator suites: packs are written from
/// YAML documents and checked with `PackValidator.validate(folder:)`, as `tessera pack validate` does.
final class PackMarket {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("packs-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// The folder of the real template market.
    static let real = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("templates-market")

    /// Writes pack `id`: its pack.yaml listing the documents (a list is left out when nil), and each
    /// document as `<folder>/<name>.yaml`. `extra` is appended to pack.yaml (e.g. `requires: [{id: crm}]`).
    @discardableResult
    func pack(
        _ id: String = "demo", entities: [PackDocument] = [PackDocument.entity()], roles: [PackDocument]? = nil,
        assignmentRules: [PackDocument]? = nil, automations: [PackDocument]? = nil, manifest extra: String = ""
    ) throws -> URL {
        try write(
            "\(id)/pack.yaml",
            Self.manifest(
                id, entities: entities.map(\.name), roles: roles?.map(\.name), assignmentRules: assignmentRules?.map(\.name),
                automations: automations?.map(\.name), extra: extra))
        for (folder, documents) in [("entities", entities), ("roles", roles), ("assignment-rules", assignmentRules), ("automations", automations)] {
            for document in documents ?? [] { try write("\(id)/\(folder)/\(document.name).yaml", document.text) }
        }
        return root.appendingPathComponent(id)
    }

    /// A pack.yaml text.
    static func manifest(
        _ id: String = "demo", entities: [String], roles: [String]? = nil, assignmentRules: [String]? = nil, automations: [String]? = nil,
        extra: String = ""
    ) -> String {
        var text = "id: \(id)\nversion: 1.0.0\nname: \(PackDocument.label)\ndescription: \(PackDocument.label)\n"
        for (key, names) in [("entities", entities), ("roles", roles), ("assignment_rules", assignmentRules), ("automations", automations)] {
            if let names { text += "\(key): [\(names.joined(separator: ", "))]\n" }
        }
        return text + extra
    }

    /// Writes `text` to `path` under the market (`demo/roles/rep.yaml`), creating folders.
    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Creates an empty folder under the market (`demo/roles`).
    func folder(_ path: String) throws {
        try FileManager.default.createDirectory(at: root.appendingPathComponent(path), withIntermediateDirectories: true)
    }

    func validate(_ id: String = "demo") -> PackValidator.Report { PackValidator.validate(folder: root.appendingPathComponent(id)) }
}

/// One YAML document of a pack: the name of its file (`<name>.yaml`) and its text.
struct PackDocument {
    let name: String
    let text: String

    init(_ name: String, _ text: String) {
        self.name = name
        self.text = text
    }

    /// A label in both languages the market uses.
    static let label = "{zh-CN: 标签, en: Label}"

    /// `text` as a YAML double-quoted scalar (a JSON string is one).
    static func quoted(_ text: String) -> String { JSONWriter.string(.string(text)) }

    /// A field as a YAML flow mapping; `extra` holds more members (`max_length: 5, required: true`).
    static func field(_ name: String = "f", _ type: String = "text", _ extra: String = "") -> String {
        "{name: \(name), type: \(type), label: \(label)\(extra.isEmpty ? "" : ", " + extra)}"
    }

    /// An entity; `extra` holds more top-level lines (`title_field: title`).
    static func entity(_ name: String = "thing", fields: [String] = [field("title")], _ extra: String = "") -> PackDocument {
        PackDocument(name, "name: \(name)\nlabel: \(label)\nfields:\n" + fields.map { "  - \($0)\n" }.joined() + extra)
    }

    /// A role (by default, reading its own things).
    static func role(_ name: String = "rep", permissions: String = "{thing: {read: own}}", _ extra: String = "") -> PackDocument {
        PackDocument(name, "name: \(name)\nlabel: \(label)\npermissions: \(permissions)\n" + extra)
    }

    /// An automation; `steps` replace `actions` when given. Each action or step is a flow mapping.
    static func automation(
        _ name: String = "notify_rep", entity: String = "thing", trigger: String = "{on: create}", condition: String? = nil,
        actions: [String] = ["{type: notify, to: owner, message: \(label)}"], steps: [String]? = nil, _ extra: String = ""
    ) -> PackDocument {
        var text = "name: \(name)\nlabel: \(label)\nentity: \(entity)\ntrigger: \(trigger)\n"
        if let condition { text += "condition: \"\(condition)\"\n" }
        if let steps {
            text += "steps:\n" + steps.map { "  - \($0)\n" }.joined()
        } else {
            text += "actions:\n" + actions.map { "  - \($0)\n" }.joined()
        }
        return PackDocument(name, text + extra)
    }

    /// An assignment rule; `extra` holds its other top-level lines (routes, strategy, figures…).
    static func assignmentRule(
        _ name: String = "thing_assignment", entity: String = "thing", pool: String? = "{role: rep}", _ extra: String = ""
    ) -> PackDocument {
        PackDocument(name, "name: \(name)\nlabel: \(label)\nentity: \(entity)\n" + (pool.map { "pool: \($0)\n" } ?? "") + extra)
    }
}

/// Expects the pack refused with a problem that matches every criterion given: the message starts
/// with `file` (`demo/entities/thing.yaml`, as the market names it) and contains each fragment; the
/// detail's field and rule are `field` and `rule`.
func expectProblem(
    _ report: PackValidator.Report, in file: String? = nil, field: String? = nil, rule: String? = nil, _ fragments: String...,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(report.pack == nil, "the pack was accepted", sourceLocation: sourceLocation)
    let found = report.problems.contains { problem in
        (file.map { problem.message.hasPrefix($0 + ": ") } ?? true) && (field.map { problem.field == $0 } ?? true)
            && (rule.map { problem.rule == $0 } ?? true) && fragments.allSatisfy { problem.message.contains($0) }
    }
    let wanted = [file.map { "file \($0)" }, field.map { "field \($0)" }, rule.map { "rule \($0)" }].compactMap { $0 } + fragments
    #expect(found, "no problem with \(wanted.joined(separator: ", ")) in:\n\(describe(report))", sourceLocation: sourceLocation)
}

/// Expects the pack accepted, without a problem.
func expectValid(_ report: PackValidator.Report, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(report.pack != nil && report.problems.isEmpty, "\(describe(report))", sourceLocation: sourceLocation)
}

/// Expects exactly `count` problems (a mistake reported once, not again as a consequence).
func expectProblems(_ report: PackValidator.Report, count: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(report.problems.count == count, "\(describe(report))", sourceLocation: sourceLocation)
}

func describe(_ report: PackValidator.Report) -> String {
    report.problems.map { "[\($0.field ?? "-") \($0.rule)] \($0.message)" }.joined(separator: "\n")
}
