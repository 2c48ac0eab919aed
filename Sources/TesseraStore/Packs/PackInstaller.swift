public import Foundation
import Logging
import PostgresNIO
import Synchronization
public import TesseraCore

/// Installs a pack into a tenant in one transaction: all entities, their tables and relations.
public struct PackInstaller: Sendable {
    let metadata: MetadataStore
    let library: PackLibrary

    public init(metadata: MetadataStore, library: PackLibrary) {
        self.metadata = metadata
        self.library = library
    }

    public struct Result: Sendable {
        public let pack: PackManifest
        public let metadata: TenantMetadata
        public let milliseconds: Double
    }

    public func install(_ packID: String, into tenant: Tenant, actor: UUID?) async throws -> Result {
        let pack = try library.load(packID)
        let installedIDs = Set(try await installed(in: tenant).map(\.0))
        let missing = pack.requires.map(\.id).filter { !installedIDs.contains($0) }
        guard missing.isEmpty else {
            throw TesseraError.conflict(AccountMessage.packNeeds(pack.id, missing: missing), code: "pack_requirement")
        }
        let started = ContinuousClock.now
        let updated = try await metadata.apply(
            tenant, actor: actor,
            alongside: { connection in
                let ms = Self.milliseconds(since: started)
                try await connection.query(
                    "UPDATE tessera.pack_installs SET duration_ms = \(ms) WHERE tenant_id = \(tenant.id) AND pack_id = \(pack.id)",
                    logger: metadata.logger)
            }
        ) { current in
            var change = try PackPlanner.install(
                pack, entities: current.entities, roles: current.roles, rules: current.assignmentRules, automations: current.automations,
                views: current.views, forms: current.forms, approvals: current.approvals, dashboards: current.dashboards)
            change.packs = .upsert(InstalledPack(pack))
            return change
        }
        return Result(pack: pack, metadata: updated, milliseconds: Self.milliseconds(since: started))
    }

    /// What an upgrade did (or, in a dry run, would do): the merge's report and the revision.
    public struct Upgrade: Sendable {
        public let pack: PackManifest
        public let from: String
        public let report: PackMerge.Report
        public let applied: MetadataStore.Applied
        public let milliseconds: Double
    }

    /// Upgrades an installed pack to the library's version, keeping the tenant's customizations
    /// (see `PackUpgradePlanner`): one transaction and one revision. `accept` takes the pack's
    /// value for the conflicts it names.
    public func upgrade(
        _ packID: String, in tenant: Tenant, actor: UUID?, dryRun: Bool, accept: Set<String> = []
    ) async throws -> Upgrade {
        let pack = try library.load(packID)
        let started = ContinuousClock.now
        let report = Mutex(PackMerge.Report())
        let from = Mutex("")
        let applied = try await metadata.change(tenant, actor: actor, dryRun: dryRun) { current, packs in
            guard let installed = packs.first(where: { $0.id == pack.id }) else {
                throw TesseraError.conflict(AccountMessage.packNotInstalled(pack.id), code: "pack_not_installed")
            }
            guard installed.version != pack.version || installed.contents != InstalledPack(pack).contents else {
                throw TesseraError.conflict(AccountMessage.packUpToDate(pack.id, version: pack.version), code: "pack_up_to_date")
            }
            let missing = pack.requires.map(\.id).filter { id in !packs.contains { $0.id == id } }
            guard missing.isEmpty else { throw TesseraError.conflict(AccountMessage.packNeeds(pack.id, missing: missing), code: "pack_requirement") }
            let plan = try PackUpgradePlanner.upgrade(pack, installed: installed, current: current, accept: accept)
            report.withLock { $0 = plan.report }
            from.withLock { $0 = installed.version }
            return plan.change
        }
        return Upgrade(
            pack: pack, from: from.withLock { $0 }, report: report.withLock { $0 }, applied: applied,
            milliseconds: Self.milliseconds(since: started))
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = start.duration(to: .now)
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    /// Packs installed in a tenant: (id, version).
    public func installed(in tenant: Tenant) async throws -> [(String, String)] {
        var out: [(String, String)] = []
        let rows = try await metadata.client.query(
            "SELECT pack_id, version FROM tessera.pack_installs WHERE tenant_id = \(tenant.id) ORDER BY installed_at", logger: metadata.logger)
        for try await row in rows.decode((String, String).self) { out.append(row) }
        return out
    }
}
