public import Foundation

/// What `tessera pack validate` runs: the pack decoded and its install planned exactly as
/// installing does (the same decoders and cross-reference checks), without a database.
public enum PackValidator {
    /// The pack when it is valid, else every problem found, each naming its file and path.
    public struct Report: Sendable {
        public let pack: PackManifest?
        public let problems: [TesseraError.Detail]
    }

    /// `folder` is a pack folder (`templates-market/sales`); its name is the pack id. The packs it
    /// requires are read from the same market.
    public static func validate(folder: URL) -> Report {
        let folder = folder.standardizedFileURL
        let library = PackLibrary(root: folder.deletingLastPathComponent())
        do throws(TesseraError) {
            let pack = try library.load(folder.lastPathComponent)
            // Into a tenant that has the required packs, installed in order, as the installer demands.
            let required = try library.requirements(of: pack)
            var tenant = MetadataChange(entities: [], steps: [], action: "", target: "")
            for other in required + [pack] {
                tenant = try PackPlanner.install(
                    other, entities: tenant.entities, roles: tenant.roles ?? [], rules: tenant.assignmentRules ?? [],
                    automations: tenant.automations ?? [], views: tenant.views ?? [], forms: tenant.forms ?? [],
                    approvals: tenant.approvals ?? [], dashboards: tenant.dashboards ?? [])
            }
            // What the store checks once a change is planned: formulas, stages and rules compile.
            let broken = MetadataConsistency.problems(tenant.entities)
            guard broken.isEmpty else { throw .invalidMetadata(named(broken, packs: required + [pack])) }
            return Report(pack: pack, problems: [])
        } catch {
            return Report(pack: nil, problems: error.details.isEmpty ? [.init(field: nil, rule: error.code, message: error.message)] : error.details)
        }
    }

    /// Problems named `<entity>.…`, with the file of that entity in front.
    static func named(_ problems: [TesseraError.Detail], packs: [PackManifest]) -> [TesseraError.Detail] {
        problems.map { problem in
            for pack in packs {
                for entity in pack.entities where problem.field?.hasPrefix(entity.name + ".") == true {
                    return problem.prefixed(field: "", message: "\(pack.id)/entities/\(entity.name).yaml: ")
                }
            }
            return problem
        }
    }
}
