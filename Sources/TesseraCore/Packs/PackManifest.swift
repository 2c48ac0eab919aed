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
    /// Shared views the pack defines (`views/<name>.yaml`).
    public var views: [ViewDefinition] = []
    /// Forms the pack defines (`forms/<entity>/<name>.yaml`, listed as `<entity>/<name>`).
    public var forms: [FormDefinition] = []
    /// Approval processes the pack defines (`approvals/<name>.yaml`).
    public var approvals: [ApprovalDefinition] = []
    /// Dashboards the pack defines (`dashboards/<name>.yaml`).
    public var dashboards: [DashboardDefinition] = []
    /// Fields and rules it adds to entities of the packs it requires (`extensions/<entity>.yaml`).
    public var extensions: [EntityExtension] = []

    /// Another pack that must be installed first.
    public struct Requirement: Sendable, Equatable {
        public var id: String
        public var minVersion: String?
    }

    /// The catalogue's entry: the summary, how many of each kind of object the pack holds, the
    /// version installed in the tenant (nil: none) and whether this one would upgrade it.
    public func catalogueJSON(installed: String?) -> JSONValue {
        guard case .object(var members) = summaryJSON else { return summaryJSON }
        let counts: [(String, JSONValue)] = [
            ("entities", .number(entities.count)), ("roles", .number(roles.count)), ("automations", .number(automations.count)),
            ("assignment_rules", .number(assignmentRules.count)), ("views", .number(views.count)), ("forms", .number(forms.count)),
            ("approvals", .number(approvals.count)), ("dashboards", .number(dashboards.count)),
            ("extended_entities", .number(extensions.count)),
        ]
        members.append(("contents", .object(counts)))
        members.append(("installed_version", installed.map(JSONValue.string) ?? .null))
        let newer = installed.flatMap { have in SemanticVersion(have).flatMap { have in SemanticVersion(version).map { have < $0 } } }
        members.append(("upgrade_available", .bool(newer ?? false)))
        return .object(members)
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
        m.append(("views", .array(views.map { .string($0.name) })))
        m.append(("forms", .array(forms.map { .string($0.key) })))
        m.append(("approvals", .array(approvals.map { .string($0.name) })))
        m.append(("dashboards", .array(dashboards.map { .string($0.name) })))
        m.append(("extensions", .array(extensions.map { .string($0.entity) })))
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

    public func load(_ id: String) throws(TesseraError) -> PackManifest { try load(id, requiredBy: []).pack }

    /// What a tenant has once a pack and the packs it requires are installed, for the members of a
    /// pack that requires it to name: entities, roles and shared views. Its assignment rules are
    /// not: an assign action routes by its own pack's rules, which travel with it.
    private struct Reach {
        var entities: [EntityDefinition] = []
        var roles: [String] = []
        var views: [String] = []
    }

    /// The packs `pack` requires, directly or through each other, each once and after the packs it
    /// requires: what a tenant must have installed, in that order, before `pack`.
    public func requirements(of pack: PackManifest) throws(TesseraError) -> [PackManifest] {
        var out: [PackManifest] = []
        func visit(_ pack: PackManifest) throws(TesseraError) {
            for requirement in pack.requires where !out.contains(where: { $0.id == requirement.id }) {
                let required = try load(requirement.id)
                try visit(required)
                if !out.contains(where: { $0.id == required.id }) { out.append(required) }
            }
        }
        try visit(pack)
        return out
    }

    /// The folders of a pack's members and the pack.yaml lists that name them.
    static let memberLists = [
        (key: "entities", folder: "entities", kind: "entity"), (key: "roles", folder: "roles", kind: "role"),
        (key: "assignment_rules", folder: "assignment-rules", kind: "assignment rule"),
        (key: "automations", folder: "automations", kind: "automation"), (key: "views", folder: "views", kind: "view"),
        (key: "approvals", folder: "approvals", kind: "approval process"), (key: "dashboards", folder: "dashboards", kind: "dashboard"),
        (key: "extensions", folder: "extensions", kind: "entity"),
    ]

    /// The pack and what a tenant has once it is installed: its own members and those of the packs
    /// it requires (which relations, roles, rules, automations and dashboards may name).
    /// `requiredBy` are the packs being loaded that require this one, to refuse cycles.
    private func load(_ id: String, requiredBy: [String]) throws(TesseraError) -> (pack: PackManifest, reach: Reach) {
        guard APIName.isValid(id) else { throw .notFound("No pack '\(id)'.") }
        let file = "\(id)/pack.yaml"
        let manifestText = try read(path(id, "pack.yaml"), id: id)
        let json: JSONValue
        do throws(TesseraError) { json = try YAMLDocument.parse(manifestText) } catch { throw .invalidMetadata(Self.prefixed(error.details, file)) }
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "", problems: &problems) else { throw .invalidMetadata(Self.prefixed(problems, file)) }
        reader.rejectUnknown(allowed: [
            "id", "version", "name", "description", "requires", "entities", "roles", "automations", "assignment_rules", "views",
            "forms", "approvals", "dashboards", "extensions",
        ])
        let manifestID = reader.string("id") ?? ""
        let version = reader.string("version") ?? ""
        let name = reader.label("name")
        let description = reader.label("description")
        var requires: [PackManifest.Requirement] = []
        for (i, item) in (reader.raw("requires")?.arrayValue ?? []).enumerated() {
            if let id = item["id"]?.stringValue, APIName.isValid(id) {
                requires.append(.init(id: id, minVersion: item["min_version"]?.stringValue))
            } else {
                problems.append(.init(field: "requires[\(i)]", rule: "type", message: "\(file): requires[\(i)] must be {id, min_version}"))
            }
        }
        // Each list names each member once, by an API name; the members named so are read.
        var lists: [String: [String]] = [:]
        for list in Self.memberLists {
            var names: [String] = []
            for (i, member) in (reader.stringArray(list.key) ?? []).enumerated() {
                let at = "\(list.key)[\(i)]"
                if !APIName.isValid(member) {
                    problems.append(.init(field: at, rule: "name", message: "\(file): \(at): '\(member)' is not \(Self.article(list.kind)) name"))
                } else if names.contains(member) {
                    problems.append(.init(field: at, rule: "duplicate", message: "\(file): \(at): '\(member)' is listed twice"))
                } else {
                    names.append(member)
                }
            }
            lists[list.key] = names
        }
        // Forms are listed as <entity>/<name>: each entity's forms live in forms/<entity>/.
        var formKeys: [(entity: String, name: String)] = []
        for (i, member) in (reader.stringArray("forms") ?? []).enumerated() {
            let parts = member.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if parts.count != 2 || !parts.allSatisfy(APIName.isValid) {
                problems.append(.init(field: "forms[\(i)]", rule: "name", message: "\(file): forms[\(i)]: '\(member)' is not <entity>/<form name>"))
            } else if formKeys.contains(where: { $0 == (parts[0], parts[1]) }) {
                problems.append(.init(field: "forms[\(i)]", rule: "duplicate", message: "\(file): forms[\(i)]: '\(member)' is listed twice"))
            } else {
                formKeys.append((parts[0], parts[1]))
            }
        }
        problems = Self.prefixed(reader.problems, file) + problems
        if manifestID != id {
            problems.append(.init(field: "id", rule: "mismatch", message: "\(file): id '\(manifestID)' does not match its folder"))
        }
        if version.isEmpty {
            problems.append(.init(field: "version", rule: "required", message: "\(file): version is required"))
        } else if SemanticVersion(version) == nil {
            problems.append(.init(field: "version", rule: "format", message: "\(file): version '\(version)' is not a semantic version like 1.2.0"))
        }
        if name == nil { problems.append(.init(field: "name", rule: "required", message: "\(file): name is required")) }
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        // The packs it requires come from the same market; their problems name their own files.
        var available: [EntityDefinition] = []
        var required = Reach()
        for (i, requirement) in requires.enumerated() {
            let at = "requires[\(i)]"
            if requirement.id == id || requiredBy.contains(requirement.id) {
                let cycle = (requiredBy + [id, requirement.id]).drop(while: { $0 != requirement.id }).joined(separator: " → ")
                problems.append(.init(field: at, rule: "cycle", message: "\(file): \(at): packs cannot require each other in a cycle (\(cycle))"))
                continue
            }
            guard FileManager.default.fileExists(atPath: path(requirement.id, "pack.yaml")) else {
                problems.append(.init(field: at, rule: "unknown_pack", message: "\(file): \(at): no pack '\(requirement.id)' in the market"))
                continue
            }
            do throws(TesseraError) {
                let (requiredPack, reach) = try load(requirement.id, requiredBy: requiredBy + [id])
                let entities = reach.entities
                required.roles += reach.roles.filter { !required.roles.contains($0) }
                required.views += reach.views.filter { !required.views.contains($0) }
                if let minVersion = requirement.minVersion {
                    if let wanted = SemanticVersion(minVersion) {
                        if let have = SemanticVersion(requiredPack.version), have < wanted {
                            problems.append(
                                .init(
                                    field: at, rule: "version",
                                    message:
                                        "\(file): \(at): pack '\(requiredPack.id)' is \(requiredPack.version), older than min_version \(minVersion)"
                                ))
                        }
                    } else {
                        problems.append(
                            .init(
                                field: "\(at).min_version", rule: "format",
                                message: "\(file): \(at).min_version '\(minVersion)' is not a semantic version"))
                    }
                }
                available += entities.filter { entity in !available.contains { $0.name == entity.name } }
            } catch {
                problems += error.details.isEmpty ? [.init(field: at, rule: error.code, message: "\(file): \(at): \(error.message)")] : error.details
            }
        }
        problems += unlistedFiles(id, lists: lists) + unlistedForms(id, listed: formKeys.map { "\($0.entity)/\($0.name)" })
        let ownNames = lists["entities"] ?? []
        let known = Set(ownNames).union(available.map(\.name))
        // Extensions add to the required packs' entities; what follows sees them extended.
        var extensions: [EntityExtension] = []
        for name in lists["extensions"] ?? [] {
            do throws(TesseraError) {
                let ext = try member(id, folder: "extensions", key: "extensions", name, name: \.entity) { json throws(TesseraError) in
                    try EntityExtension.decode(json, entities: available, knownEntities: known)
                }
                extensions.append(ext)
                if let i = available.firstIndex(where: { $0.name == ext.entity }) {
                    available[i] = try ext.applied(to: available[i], knownEntities: known)
                }
            } catch {
                problems += error.details
            }
        }
        // Every file is decoded even when an earlier one fails, so one run names every problem.
        func each<T>(_ key: String, _ decode: (String) throws(TesseraError) -> T) -> [T] {
            (lists[key] ?? []).compactMap { name in
                do throws(TesseraError) { return try decode(name) } catch {
                    problems += error.details
                    return nil
                }
            }
        }
        let entities = each("entities") { (name: String) throws(TesseraError) -> EntityDefinition in
            try member(id, folder: "entities", key: "entities", name, name: \.name) { json throws(TesseraError) in
                try MetadataDecoder.entity(json, knownEntities: known)
            }
        }
        let reachable = available + entities
        let roles = each("roles") { (name: String) throws(TesseraError) -> RoleDefinition in
            try member(id, folder: "roles", key: "roles", name, name: \.name) { json throws(TesseraError) in
                try RoleDecoder.role(json, entities: reachable)
            }
        }
        // Pools, notify and escalate name this pack's roles and those of the packs it requires (or
        // admin); assign actions this pack's assignment rules.
        let roleNames = required.roles + roles.map(\.name)
        let rules = each("assignment_rules") { (name: String) throws(TesseraError) -> AssignmentRule in
            try member(id, folder: "assignment-rules", key: "assignment_rules", name, name: \.name) { json throws(TesseraError) in
                try AssignmentRuleDecoder.rule(json, entities: reachable, roles: roleNames)
            }
        }
        let automations = each("automations") { (name: String) throws(TesseraError) -> AutomationDefinition in
            try member(id, folder: "automations", key: "automations", name, name: \.name) { json throws(TesseraError) in
                try AutomationDecoder.automation(json, entities: reachable, roles: roleNames, rules: rules)
            }
        }
        // A pack's views are shared: a personal view belongs to a user, and a pack has none.
        let views = each("views") { (name: String) throws(TesseraError) -> ViewDefinition in
            try member(id, folder: "views", key: "views", name, name: \.name) { json throws(TesseraError) in
                try ViewDecoder.view(json, entities: reachable, roles: roleNames)
            }
        }
        let forms = formKeys.compactMap { key -> FormDefinition? in
            do throws(TesseraError) {
                return try member(id, folder: "forms/\(key.entity)", key: "forms", key.name, name: \.name) { json throws(TesseraError) in
                    try FormDecoder.form(json, entity: key.entity, entities: reachable, roles: roleNames)
                }
            } catch {
                problems += error.details
                return nil
            }
        }
        let approvals = each("approvals") { (name: String) throws(TesseraError) -> ApprovalDefinition in
            try member(id, folder: "approvals", key: "approvals", name, name: \.name) { json throws(TesseraError) in
                try ApprovalDecoder.approval(json, entities: reachable, roles: roleNames)
            }
        }
        // Dashboards show this pack's shared views (and those of the packs it requires are the tenant's).
        let dashboards = each("dashboards") { (name: String) throws(TesseraError) -> DashboardDefinition in
            try member(id, folder: "dashboards", key: "dashboards", name, name: \.name) { json throws(TesseraError) in
                try DashboardDecoder.dashboard(json, entities: reachable, roles: roleNames, views: required.views + views.map(\.name))
            }
        }
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        var manifest = PackManifest(id: id, version: version, name: name!, description: description, requires: requires, entities: entities)
        manifest.roles = roles
        manifest.automations = automations
        manifest.assignmentRules = rules
        manifest.views = views
        manifest.forms = forms
        manifest.approvals = approvals
        manifest.dashboards = dashboards
        manifest.extensions = extensions
        return (
            manifest,
            Reach(
                entities: reachable, roles: roleNames, views: required.views + views.map(\.name)
            )
        )
    }

    /// YAML files in a member folder that pack.yaml does not list: they would not be installed.
    private func unlistedFiles(_ id: String, lists: [String: [String]]) -> [TesseraError.Detail] {
        var problems: [TesseraError.Detail] = []
        for list in Self.memberLists {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: path(id, list.folder))) ?? []
            for file in files.sorted() where file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
                let stem = String(file[..<file.lastIndex(of: ".")!])
                guard !(lists[list.key] ?? []).contains(stem) else { continue }
                problems.append(.init(field: nil, rule: "unlisted", message: "\(id)/\(list.folder)/\(file): not listed in pack.yaml \(list.key)"))
            }
        }
        return problems
    }

    /// Form files (`forms/<entity>/<name>.yaml`) that pack.yaml's `forms` does not list.
    private func unlistedForms(_ id: String, listed: [String]) -> [TesseraError.Detail] {
        var problems: [TesseraError.Detail] = []
        let entities = (try? FileManager.default.contentsOfDirectory(atPath: path(id, "forms"))) ?? []
        for entity in entities.sorted() {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: path(id, "forms", entity))) ?? []
            for file in files.sorted() where file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
                let key = "\(entity)/" + String(file[..<file.lastIndex(of: ".")!])
                guard !listed.contains(key) else { continue }
                problems.append(.init(field: nil, rule: "unlisted", message: "\(id)/forms/\(entity)/\(file): not listed in pack.yaml forms"))
            }
        }
        return problems
    }

    /// One file of a pack (`<folder>/<name>.yaml`, listed in pack.yaml under `key`), decoded; its
    /// name must match the file, and every problem names the file.
    private func member<T>(
        _ id: String, folder: String, key: String, _ fileName: String, name: KeyPath<T, String>,
        decode: (JSONValue) throws(TesseraError) -> T
    ) throws(TesseraError) -> T {
        let file = "\(id)/\(folder)/\(fileName).yaml"
        guard FileManager.default.fileExists(atPath: path(id, folder, "\(fileName).yaml")) else {
            throw .invalidMetadata([
                .init(
                    field: key, rule: "missing_file",
                    message: "\(id)/pack.yaml: \(key) lists '\(fileName)', but there is no file \(folder)/\(fileName).yaml")
            ])
        }
        let text = try read(path(id, folder, "\(fileName).yaml"), id: id)
        let value: T
        do throws(TesseraError) { value = try decode(try YAMLDocument.parse(text)) } catch {
            throw .invalidMetadata(Self.prefixed(error.details, file))
        }
        guard value[keyPath: name] == fileName else {
            throw .invalidMetadata([
                .init(field: "name", rule: "mismatch", message: "\(file): name '\(value[keyPath: name])' does not match the file")
            ])
        }
        return value
    }

    /// Problems of one file, each message starting with the file.
    static func prefixed(_ problems: [TesseraError.Detail], _ file: String) -> [TesseraError.Detail] {
        problems.map { $0.prefixed(field: "", message: "\(file): ", whenNoField: nil) }
    }

    static func article(_ kind: String) -> String { kind.first.map { "aeiou".contains($0) } == true ? "an \(kind)" : "a \(kind)" }

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

/// A semantic version `MAJOR.MINOR.PATCH`, optionally with a pre-release suffix (`1.2.0-beta.1`),
/// which comes before the release.
struct SemanticVersion: Comparable {
    let numbers: [Int]
    let preRelease: String?

    init?(_ text: String) {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let numbers = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3 else { return nil }
        var values: [Int] = []
        for number in numbers {
            guard !number.isEmpty, number.allSatisfy(\.isASCIIDigit), number == "0" || number.first != "0", let value = Int(number) else {
                return nil
            }
            values.append(value)
        }
        if parts.count == 2 {
            let identifiers = parts[1].split(separator: ".", omittingEmptySubsequences: false)
            guard identifiers.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCIIDigit || ($0.isASCII && $0.isLetter) || $0 == "-" } }) else {
                return nil
            }
        }
        self.numbers = values
        preRelease = parts.count == 2 ? String(parts[1]) : nil
    }

    static func < (a: SemanticVersion, b: SemanticVersion) -> Bool {
        if a.numbers != b.numbers { return a.numbers.lexicographicallyPrecedes(b.numbers) }
        switch (a.preRelease, b.preRelease) {
        case (let x?, let y?): return x < y
        case (_?, nil): return true
        default: return false
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
