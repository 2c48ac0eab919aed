/// Plans the operations of `/api/v1/meta/approvals` against a tenant's current metadata (the
/// route has checked `manage_metadata`). Every change of a process makes its next version.
public enum ApprovalChangePlanner {
    public static func create(_ json: JSONValue, current: TenantMetadata) throws(TesseraError) -> MetadataChange {
        let approval = try ApprovalDecoder.approval(json, entities: current.entities, roles: current.roles.map(\.name))
        guard !current.approvals.contains(where: { $0.name == approval.name }) else {
            throw .definitionConflict(.alreadyExists(.approval, approval.name), code: "duplicate")
        }
        return change(current, action: "approval.create", target: approval.name, approvals: current.approvals + [approval])
    }

    /// Top-level members of the body replace the process's; `name` cannot change, and the version counts up.
    public static func patch(_ approval: ApprovalDefinition, _ json: JSONValue, current: TenantMetadata) throws(TesseraError) -> MetadataChange {
        var body = json
        if case .object(let members) = json { body = .object(members.filter { $0.0 != "version" }) }
        let merged = try approval.json.patched(with: body, name: approval.name, what: .approval)
        let updated = try ApprovalDecoder.approval(
            merged, entities: current.entities, roles: current.roles.map(\.name), version: approval.version + 1)
        if updated.entity != approval.entity {
            throw .invalidMetadata([.definition(field: "entity", rule: "immutable", .nameImmutable(.approval))])
        }
        return change(
            current, action: "approval.update", target: approval.name,
            approvals: current.approvals.map { $0.name == approval.name ? updated : $0 })
    }

    public static func delete(_ approval: ApprovalDefinition, current: TenantMetadata) -> MetadataChange {
        change(current, action: "approval.delete", target: approval.name, approvals: current.approvals.filter { $0.name != approval.name })
    }

    /// Several processes at once (a pack); names already taken are refused.
    public static func createAll(
        _ new: [ApprovalDefinition], approvals: [ApprovalDefinition], change: MetadataChange
    ) throws(TesseraError) -> MetadataChange {
        let clashes = new.map(\.name).filter { name in approvals.contains { $0.name == name } }
        guard clashes.isEmpty else { throw .definitionConflict(.alreadyExistAll(.approval, clashes), code: "duplicate") }
        var change = change
        change.approvals = approvals + new
        return change
    }

    private static func change(_ current: TenantMetadata, action: String, target: String, approvals: [ApprovalDefinition]) -> MetadataChange {
        var change = MetadataChange(entities: current.entities, steps: [], action: action, target: target)
        change.approvals = approvals
        return change
    }
}
