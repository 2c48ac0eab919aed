/// Plans the operations of `/api/v1/meta/views` against a tenant's current metadata. Who may make
/// which change (sharing needs `manage_metadata`; a personal view is its author's) is decided here.
public enum ViewChangePlanner {
    /// A new view: the author's own unless the body says `"shared": true`.
    public static func create(
        _ json: JSONValue, author: String, managesMetadata: Bool, current: TenantMetadata
    ) throws(TesseraError) -> MetadataChange {
        guard case .object(var members) = json else { throw .invalidMetadata([.definition(field: nil, rule: "type", .notAnObject(""))]) }
        if members.contains(where: { $0.0 == "owner" }) {
            throw .invalidMetadata([.view(field: "owner", rule: "unknown_property", .ownerFromCredential)])
        }
        let shared = json["shared"] == .bool(true)
        if shared, !managesMetadata { throw TesseraError(status: 403, code: "forbidden", localized: ViewMessage.sharingNeedsPermission) }
        if !shared {
            members.removeAll { $0.0 == "shared" }
            members.append(("shared", .bool(false)))
            members.append(("owner", .string(author)))
        }
        let view = try ViewDecoder.view(.object(members), entities: current.entities, roles: current.roles.map(\.name))
        guard !current.views.contains(where: { $0.key == view.key }) else {
            throw .definitionConflict(.alreadyExists(.view, view.name), code: "duplicate")
        }
        try requireOneDefault(view, among: current.views)
        return MetadataChange(entities: current.entities, steps: [], action: "view.create", target: view.key, views: current.views + [view])
    }

    /// Top-level members of the body replace the view's; `name`, `shared` and `owner` cannot change.
    public static func patch(_ view: ViewDefinition, _ json: JSONValue, current: TenantMetadata) throws(TesseraError) -> MetadataChange {
        if json["owner"] != nil { throw .invalidMetadata([.view(field: "owner", rule: "immutable", .ownerFromCredential)]) }
        if let shared = json["shared"], shared != .bool(view.isShared) {
            throw .invalidMetadata([.view(field: "shared", rule: "immutable", .sharedImmutable)])
        }
        let merged = try view.json.patched(with: json, name: view.name, what: .view)
        let updated = try ViewDecoder.view(merged, entities: current.entities, roles: current.roles.map(\.name))
        try requireOneDefault(updated, among: current.views)
        let views = current.views.map { $0.key == view.key ? updated : $0 }
        return MetadataChange(entities: current.entities, steps: [], action: "view.update", target: view.key, views: views)
    }

    public static func delete(_ view: ViewDefinition, current: TenantMetadata) -> MetadataChange {
        MetadataChange(
            entities: current.entities, steps: [], action: "view.delete", target: view.key, views: current.views.filter { $0.key != view.key })
    }

    /// Several shared views at once (a pack); names already taken are refused.
    public static func createAll(_ new: [ViewDefinition], views: [ViewDefinition], change: MetadataChange) throws(TesseraError) -> MetadataChange {
        let clashes = new.map(\.key).filter { key in views.contains { $0.key == key } }
        guard clashes.isEmpty else { throw .definitionConflict(.alreadyExistAll(.view, clashes), code: "duplicate") }
        var all = views
        for view in new {
            try requireOneDefault(view, among: all)
            all.append(view)
        }
        var change = change
        change.views = all
        return change
    }

    /// One default per entity and audience: a second is refused, naming the first.
    static func requireOneDefault(_ view: ViewDefinition, among views: [ViewDefinition]) throws(TesseraError) {
        if let other = views.first(where: view.defaultOverlaps) {
            throw .invalidMetadata([.view(field: "default", rule: "default", .defaultTaken(other: other.name, entity: view.entity))])
        }
    }
}
