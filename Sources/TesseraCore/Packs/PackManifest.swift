import Foundation

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

    /// Another pack that must be installed first.
    public struct Requirement: Sendable, Equatable {
        public var id: String
        public var minVersion: String?
    }

    public var summaryJSON: JSONValue {
        var m: [(String, JSONValue)] = [("id", .string(id)), ("version", .string(version)), ("name", name.json)]
        if let description { m.append(("description", description.json)) }
        m.append(("requires", .array(requires.map { r in
            .object([("id", .string(r.id))] + (r.minVersion.map { [("min_version", JSONValue.string($0))] } ?? []))
        })))
        m.append(("entities", .array(entities.map { .string($0.name) })))
        m.append(("roles", .array(roles.map { .string($0.name) })))
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
        reader.rejectUnknown(allowed: ["id", "version", "name", "description", "requires", "entities", "roles"])
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
        problems += reader.problems
        if manifestID != id { problems.append(.init(field: "id", rule: "mismatch", message: "\(id)/pack.yaml: id '\(manifestID)' does not match its folder")) }
        if version.isEmpty { problems.append(.init(field: "version", rule: "required", message: "\(id)/pack.yaml: version is required")) }
        if name == nil { problems.append(.init(field: "name", rule: "required", message: "\(id)/pack.yaml: name is required")) }
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        let known = Set(entityNames)
        var entities: [EntityDefinition] = []
        for entityName in entityNames {
            guard APIName.isValid(entityName) else { throw .invalidMetadata([.init(field: "entities", rule: "name", message: "'\(entityName)' is not an entity name")]) }
            let file = "\(id)/entities/\(entityName).yaml"
            let text = try read(path(id, "entities", "\(entityName).yaml"), id: id)
            do throws(TesseraError) {
                let entity = try MetadataDecoder.entity(try YAMLDocument.parse(text, file: file), knownEntities: known)
                guard entity.name == entityName else {
                    throw TesseraError.invalidMetadata([.init(field: "name", rule: "mismatch", message: "\(file): name '\(entity.name)' does not match the file")])
                }
                entities.append(entity)
            } catch {
                throw .invalidMetadata(error.details.map { detail in
                    var d = detail
                    d.message = "\(file): \(d.message)"
                    return d
                })
            }
        }
        var roles: [RoleDefinition] = []
        for roleName in roleNames {
            guard APIName.isValid(roleName) else { throw .invalidMetadata([.init(field: "roles", rule: "name", message: "'\(roleName)' is not a role name")]) }
            let file = "\(id)/roles/\(roleName).yaml"
            let text = try read(path(id, "roles", "\(roleName).yaml"), id: id)
            do throws(TesseraError) {
                let role = try RoleDecoder.role(try YAMLDocument.parse(text, file: file), entities: entities)
                guard role.name == roleName else {
                    throw TesseraError.invalidMetadata([.init(field: "name", rule: "mismatch", message: "\(file): name '\(role.name)' does not match the file")])
                }
                roles.append(role)
            } catch {
                throw .invalidMetadata(error.details.map { detail in
                    var d = detail
                    d.message = "\(file): \(d.message)"
                    return d
                })
            }
        }
        var manifest = PackManifest(id: id, version: version, name: name!, description: description, requires: requires, entities: entities)
        manifest.roles = roles
        return manifest
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
