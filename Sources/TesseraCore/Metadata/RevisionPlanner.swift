/// Plans a revert: the tenant's whole configuration back as it was at a revision, as one
/// metadata change (a revision of its own, so a revert can be reverted too). Users' personal
/// views and dashboards are theirs, not configuration: they stay as they are now.
public enum RevisionPlanner {
    public static func revert(_ current: TenantMetadata, to target: TenantMetadata, revision: Int64) throws(TesseraError) -> MetadataChange {
        let steps = try EntityListDiff.steps(from: current.entities, to: target.entities)
        var change = MetadataChange(entities: target.entities, steps: steps, action: "revision.revert", target: String(revision))
        change.roles = target.roles
        change.automations = target.automations
        change.assignmentRules = target.assignmentRules
        change.views = target.views.filter(\.isShared) + current.views.filter { !$0.isShared }
        change.forms = target.forms
        change.dashboards = target.dashboards.filter(\.isShared) + current.dashboards.filter { !$0.isShared }
        // A process whose definition comes back different is a new version of it: approvals that
        // ran on the versions in between still cite theirs.
        let live = Dictionary(current.approvals.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let roles = target.roles.map(\.name)
        change.approvals = try target.approvals.map { approval throws(TesseraError) in
            guard let now = live[approval.name], unversioned(now.json) != unversioned(approval.json) else {
                return live[approval.name] ?? approval
            }
            return try ApprovalDecoder.approval(
                approval.json, entities: target.entities, roles: roles, version: max(now.version, approval.version) + 1)
        }
        return change
    }

    private static func unversioned(_ json: JSONValue) -> JSONValue {
        guard case .object(let members) = json else { return json }
        return .object(members.filter { $0.0 != "version" })
    }
}
