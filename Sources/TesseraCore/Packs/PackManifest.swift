public import Foundation

/// A template pack: identity, names and the entities it installs.
public struct PackManifest: Sendable, Equatable {
    public var id: String
    public var version: String
    public var name: Label
    public var description: Label?
    public var requires: [Requirement]
    public var entities: [EntityDefinition]
    /// Roles the pack defines (`roles/<name>.yaml`), checked against its entities.
    public var roles: [RoleDefinition] = []
    /// Automations the pack defines (`automations/<name>.yaml`), checked against its entities and roles.
    public var automations: [AutomationDefinition] = []
    /// Assignment rules the pack defines (`assignment-rules/<name>.yaml`).
    public var assignmentRules: [AssignmentRule] = []

    /// Another pack that must be installed first.
    public struct Requirement: Sendable, Equatable {
        public var id: String
        public var minVersion: String?
    }

    public var summaryJSON: JSONValue {
        var m: [(String, JSONValue)] = [("id", .string(id)), ("version", .string(version)), ("name", name.json)]
        if let description { m.append(("description", description.json)) }
        m.append(
            (
                "requires",
                .array(
                    requires.map { r in
                        .object([("id", .string(r.id))] + (r.minVersion.map { [("min_version", JSONValue.string($0))] } ?? []))
                    })
            ))
        m.append(("entities", .array(entities.map { .string($0.name) })))
        m.append(("roles", .array(roles.map { .string($0.name) })))
        m.append(("automations", .array(automations.map { .string($0.name) })))
        m.append(("assignment_rules", .array(assignmentRules.map { .string($0.name) })))
        return .object(m)
    }
}

/// Loads packs from a folder of pack folders (`templates-market/`).
public struct PackLibrary: Sendable {
    public let root: URL
    /// The root as a plain path: paths are joined as strings (URL appending crashed in release builds).
    let rootPath: String

    public init(root: URL) {
        self.root = root
        rootPath = root.path
    }

    func path(_ parts: String...) -> String { ([rootPath] + parts).joined(separator: "/") }

    /// The pack ids found under the root, sorted.
    public func ids() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: rootPath)) ?? []
        return names.filter { APIName.isValid($0) && FileManager.default.fileExists(atPath: path($0, "pack.yaml")) }.sorted()
    }

    public func load(_ id: String) throws(TesseraError) -> PackManifest {
        guard APIName.isValid(id) else { throw .notFound("No pack '\(id)'.") }
        let manifestText = try read(path(id, "pack.yaml"), id: id)
        let json = try YAMLDocument.parse(manifestText, file: "\(id)/pack.yaml")
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "", problems: &problems) else { throw .invalidMetadata(problems) }
        reader.rejectUnknown(allowed: ["id", "version", "name", "description", "requires", "entities", "roles", "automations", "assignment_rules"])
        let manifestID = reader.string("id") ?? ""
        let version = reader.string("version") ?? ""
        let name = reader.label("name")
        let description = reader.label("description")
        var requires: [PackManifest.Requirement] = []
        for (i, item) in (reader.raw("requires")?.arrayValue ?? []).enumerated() {
            if let id = item["id"]?.stringValue, APIName.isValid(id) {
                requires.append(.init(id: id, minVersion: item["min_version"]?.stringValue))
            } else {
                problems.append(.init(field: "requires[\(i)]", rule: "type", message: "\(id)/pack.yaml: requires[\(i)] must be {id, min_version}"))
            }
        }
        let entityNames = reader.stringArray("entities") ?? []
        let roleNames = reader.stringArray("roles") ?? []
        let automationNames = reader.stringArray("automations") ?? []
        let ruleNames = reader.stringArray("assignment_rules") ?? []
        problems += reader.problems
        if manifestID != id {
            problems.append(.init(field: "id", rule: "mismatch", message: "\(id)/pack.yaml: id '\(manifestID)' does not match its folder"))
        }
        if version.isEmpty { problems.append(.init(field: "version", rule: "required", message: "\(id)/pack.yaml: version is required")) }
        if name == nil { problems.append(.init(field: "name", rule: "required", message: "\(id)/pack.yaml: name is required")) }
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        let known = Set(entityNames)
        // Every file is decoded even when an earlier one fails, so one run names every problem.
        func each<T>(_ names: [String], _ decode: (String) throws(TesseraError) -> T) -> [T] {
            names.compactMap { name in
                do throws(TesseraError) { return try decode(name) } catch {
                    problems += error.details
                    return nil
                }
            }
        }
        let entities = each(entityNames) { (name: String) throws(TesseraError) -> EntityDefinition in
            try member(id, folder: "entities", name, kind: "entity", name: \.name) { json throws(TesseraError) in
                try MetadataDecoder.entity(json, knownEntities: known)
            }
        }
        let roles = each(roleNames) { (name: String) throws(TesseraError) -> RoleDefinition in
            try member(id, folder: "roles", name, kind: "role", name: \.name) { json throws(TesseraError) in
                try RoleDecoder.role(json, entities: entities)
            }
        }
        let rules = each(ruleNames) { (name: String) throws(TesseraError) -> AssignmentRule in
            try member(id, folder: "assignment-rules", name, kind: "assignment rule", name: \.name) { json throws(TesseraError) in
                try AssignmentRuleDecoder.rule(json, entities: entities, roles: roles.map(\.name))
            }
        }
        let automations = each(automationNames) { (name: String) throws(TesseraError) -> AutomationDefinition in
            try member(id, folder: "automations", name, kind: "automation", name: \.name) { json throws(TesseraError) in
                try AutomationDecoder.automation(json, entities: entities, roles: roles.map(\.name), rules: rules)
            }
        }
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        var manifest = PackManifest(id: id, version: version, name: name!, description: description, requires: requires, entities: entities)
        manifest.roles = roles
        manifest.automations = automations
        manifest.assignmentRules = rules
        return manifest
    }

    /// One file of a pack (`<folder>/<name>.yaml`), decoded; its name must match the file, and
    /// every problem names the file.
    private func member<T>(
        _ id: String, folder: String, _ fileName: String, kind: String, name: KeyPath<T, String>,
        decode: (JSONValue) throws(TesseraError) -> T
    ) throws(TesseraError) -> T {
        guard APIName.isValid(fileName) else {
            throw .invalidMetadata([
                .init(
                    field: folder, rule: "name",
                    message: "'\(fileName)' is not \(kind.first.map { "aeiou".contains($0) } == true ? "an" : "a") \(kind) name")
            ])
        }
        let file = "\(id)/\(folder)/\(fileName).yaml"
        let text = try read(path(id, folder, "\(fileName).yaml"), id: id)
        do throws(TesseraError) {
            let value = try decode(try YAMLDocument.parse(text, file: file))
            guard value[keyPath: name] == fileName else {
                throw TesseraError.invalidMetadata([
                    .init(field: "name", rule: "mismatch", message: "\(file): name '\(value[keyPath: name])' does not match the file")
                ])
            }
            return value
        } catch {
            throw .invalidMetadata(error.details.map { $0.prefixed(field: "", message: "\(file): ", whenNoField: nil) })
        }
    }

    private func read(_ file: String, id: String) throws(TesseraError) -> String {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        guard let data = FileManager.default.contents(atPath: file) else {
            if !FileManager.default.fileExists(atPath: path(id)) { throw .notFound("No pack '\(id)'.") }
            throw .invalidMetadata([.init(field: nil, rule: "missing_file", message: "pack '\(id)' is missing \(name)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalidMetadata([.init(field: nil, rule: "encoding", message: "\(name) is not UTF-8")])
        }
        return text
    }
}
