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
        merged.entities = documents(
            "entity", base: base?.entities, ours: current.entities.map(\.json), theirs: theirs.entities, merge: &merge,
            nested: ["fields": "field", "rules": "rule"])
        merged.roles = documents("role", base: base?.roles, ours: current.roles.map(\.json), theirs: theirs.roles, merge: &merge)
        merged.automations = documents(
            "automation", base: base?.automations, ours: current.automations.map(\.json), theirs: theirs.automations, merge: &merge)
        merged.assignmentRules = documents(
            "assignment_rule", base: base?.assignmentRules, ours: current.assignmentRules.map(\.json), theirs: theirs.assignmentRules,
            merge: &merge)
        // Users' personal views and dashboards are not the pack's: they stay as they are.
        merged.views =
            documents("view", base: base?.views, ours: current.views.filter(\.isShared).map(\.json), theirs: theirs.views, merge: &merge)
            + current.views.filter { !$0.isShared }.map(\.json)
        merged.forms = documents(
            "form", base: base?.forms, ours: current.forms.map(\.json), theirs: theirs.forms, merge: &merge,
            key: { "\($0["entity"]?.stringValue ?? "")/\($0["name"]?.stringValue ?? "")" })
        merged.approvals = documents(
            "approval", base: base?.approvals, ours: current.approvals.map(\.json), theirs: theirs.approvals, merge: &merge,
            ignored: ["version"])
        merged.dashboards =
            documents(
                "dashboard", base: base?.dashboards, ours: current.dashboards.filter(\.isShared).map(\.json), theirs: theirs.dashboards,
                merge: &merge) + current.dashboards.filter { !$0.isShared }.map(\.json)
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

    /// One kind's documents after the merge: the tenant's, in their order, each merged with the
    /// pack's of the same key; then what the new version adds.
    static func documents(
        _ kind: String, base: [JSONValue]?, ours: [JSONValue], theirs: [JSONValue], merge: inout PackMerge,
        nested: [String: String] = [:], ignored: Set<String> = [], key: (JSONValue) -> String = { $0["name"]?.stringValue ?? "" }
    ) -> [JSONValue] {
        let was = Dictionary((base ?? []).map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let pack = Dictionary(theirs.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let mine = Set(ours.map(key))
        var out: [JSONValue] = []
        for item in ours {
            let k = key(item), id = "\(kind):\(k)"
            guard let t = pack[k] else {
                // The tenant's own, or one the new version no longer ships.
                out.append(was[k] == nil ? item : merge.deactivated(item, id: id))
                continue
            }
            if base == nil || was[k] != nil {
                out.append(merge.members(base: base == nil ? nil : was[k], ours: item, theirs: t, id: id, nested: nested, ignored: ignored))
            } else if item == t || merge.accept.contains(id) {
                if item != t { merge.acceptWhole(id) }
                out.append(t)
            } else {
                merge.conflictWhole(id, ours: item, theirs: t)
                out.append(item)
            }
        }
        for item in theirs where !mine.contains(key(item)) {
            let id = "\(kind):\(key(item))"
            if was[key(item)] != nil {
                merge.stayDeleted(id)
            } else {
                merge.added(id)
                out.append(item)
            }
        }
        return out
    }
}
