/// Plans a pack upgrade: every object of the new version merged three ways (see `PackMerge`)
/// with the installed version's copy and the tenant's own, as one metadata change. Objects the
/// tenant made are never touched; objects the tenant deleted stay deleted; objects the new
/// version drops stay with their data, switched off where they can be (automations, rules,
/// approval processes). What the merge leaves must hold as a whole, or nothing changes.
public enum PackUpgradePlanner {
    public struct Plan: Sendable {
        public let change: MetadataChange
        public let report: PackMerge.Report
    }

    public static func upgrade(
        _ pack: PackManifest, installed: InstalledPack, current: TenantMetadata, accept: Set<String> = []
    ) throws(TesseraError) -> Plan {
        var merge = PackMerge(accept: accept)
        let new = InstalledPack(pack)
        let base = installed.contents
        guard let theirs = new.contents else { throw .internal() }
        var merged = ConfigurationSnapshot()
        merged.entities = merge.named(
            prefix: "entity:", base: base?.entities, ours: current.entities.map(\.json), theirs: theirs.entities,
            nested: ["fields": "field", "rules": "rule"])
        merged.roles = merge.named(prefix: "role:", base: base?.roles, ours: current.roles.map(\.json), theirs: theirs.roles)
        merged.automations = merge.named(
            prefix: "automation:", base: base?.automations, ours: current.automations.map(\.json), theirs: theirs.automations)
        merged.assignmentRules = merge.named(
            prefix: "assignment_rule:", base: base?.assignmentRules, ours: current.assignmentRules.map(\.json), theirs: theirs.assignmentRules)
        // Users' personal views and dashboards are not the pack's: they stay as they are.
        merged.views =
            merge.named(prefix: "view:", base: base?.views, ours: current.views.filter(\.isShared).map(\.json), theirs: theirs.views)
            + current.views.filter { !$0.isShared }.map(\.json)
        merged.forms = merge.named(
            prefix: "form:", base: base?.forms, ours: current.forms.map(\.json), theirs: theirs.forms,
            key: { "\($0["entity"]?.stringValue ?? "")/\($0["name"]?.stringValue ?? "")" })
        merged.approvals = merge.named(
            prefix: "approval:", base: base?.approvals, ours: current.approvals.map(\.json), theirs: theirs.approvals,
            ignored: ["version"])
        merged.dashboards =
            merge.named(
                prefix: "dashboard:", base: base?.dashboards, ours: current.dashboards.filter(\.isShared).map(\.json), theirs: theirs.dashboards)
            + current.dashboards.filter { !$0.isShared }.map(\.json)
        let target = try merged.decoded(tenant: current.tenant, version: current.version, strict: true)
        let steps = try EntityListDiff.steps(from: current.entities, to: target.entities)
        var change = MetadataChange(
            entities: target.entities, steps: steps, action: "pack.upgrade", target: "\(pack.id)@\(installed.version)→\(pack.version)")
        change.roles = target.roles
        change.automations = target.automations
        change.assignmentRules = target.assignmentRules
        change.views = target.views
        change.forms = target.forms
        change.dashboards = target.dashboards
        change.approvals = try RevisionPlanner.renumbered(target.approvals, live: current.approvals, entities: target.entities, roles: target.roles)
        change.packs = .upsert(new)
        return Plan(change: change, report: merge.report)
    }
}
