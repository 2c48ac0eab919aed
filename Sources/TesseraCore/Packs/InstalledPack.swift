/// A pack as a tenant has it installed: its version, and that version's own copy of each of
/// its objects (what an upgrade merges against; nil for packs installed before copies were kept).
public struct InstalledPack: Sendable, Equatable {
    public let id: String
    public let version: String
    public let contents: ConfigurationSnapshot?

    public init(id: String, version: String, contents: ConfigurationSnapshot?) {
        self.id = id
        self.version = version
        self.contents = contents
    }

    /// The pack's objects as it ships them.
    public init(_ pack: PackManifest) {
        var contents = ConfigurationSnapshot()
        contents.entities = pack.entities.map(\.json) + pack.extensions.map(\.json)
        contents.roles = pack.roles.map(\.json)
        contents.automations = pack.automations.map(\.json)
        contents.assignmentRules = pack.assignmentRules.map(\.json)
        contents.views = pack.views.map(\.json)
        contents.forms = pack.forms.map(\.json)
        contents.approvals = pack.approvals.map(\.json)
        contents.dashboards = pack.dashboards.map(\.json)
        self.init(id: pack.id, version: pack.version, contents: contents)
    }

    public var json: JSONValue {
        .object([("id", .string(id)), ("version", .string(version)), ("contents", contents?.json ?? .null)])
    }

    public init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let version = json["version"]?.stringValue else { return nil }
        self.init(id: id, version: version, contents: json["contents"].flatMap { $0.isNull ? nil : ConfigurationSnapshot(json: $0) })
    }
}

/// How a change alters the tenant's installed packs.
public enum PackChange: Sendable {
    /// Installs or upgrades one pack.
    case upsert(InstalledPack)
    /// The whole list as it was at a revision (a revert).
    case replace([InstalledPack])
}
