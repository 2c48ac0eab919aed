/// Plans a revert: the tenant's whole configuration back as it was at a revision, as one
/// metadata change (a revision of its own, so a revert can be reverted too). Users' personal
/// views and dashboards are theirs, not configuration: they stay as they are now.
public enum RevisionPlanner {
    public static func revert(
        _ current: TenantMetadata, to target: TenantMetadata, packs: [InstalledPack], revision: Int64
    ) throws(TesseraError) -> MetadataChange {
        let steps = try EntityListDiff.steps(from: current.entities, to: target.entities)
        var change = MetadataChange(entities: target.entities, steps: steps, action: "revision.revert", target: String(revision))
        change.roles = target.roles
        change.automations = target.automations
        change.assignmentRules = target.assignmentRules
        change.views = target.views.filter(\.isShared) + current.views.filter { !$0.isShared }
        change.forms = target.forms
        change.dashboards = target.dashboards.filter(\.isShared) + current.dashboards.filter { !$0.isShared }
        change.approvals = try renumbered(target.approvals, live: current.approvals, entities: target.entities, roles: target.roles)
        change.packs = .replace(packs)
        return change
    }

    /// Processes whose definition differs from the live one's become its next version: approvals
    /// that ran on the versions in between still cite theirs.
    static func renumbered(
        _ approvals: [ApprovalDefinition], live: [ApprovalDefinition], entities: [EntityDefinition], roles: [RoleDefinition]
    ) throws(TesseraError) -> [ApprovalDefinition] {
        let byName = Dictionary(live.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return try approvals.map { approval throws(TesseraError) in
            guard let now = byName[approval.name] else { return approval }
            guard unversioned(now.json) != unversioned(approval.json) else { return now }
            return try ApprovalDecoder.approval(
                approval.json, entities: entities, roles: roles.map(\.name), version: max(now.version, approval.version) + 1)
        }
    }

    private static func unversioned(_ json: JSONValue) -> JSONValue {
        guard case .object(let members) = json else { return json }
        return .object(members.filter { $0.0 != "version" })
    }
}
