public import Foundation
import Logging
import PostgresNIO
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
                    """
                    INSERT INTO tessera.pack_installs (tenant_id, pack_id, version, duration_ms) VALUES (\(tenant.id), \(pack.id), \
                    \(pack.version), \(ms))
                    """, logger: metadata.logger)
            }
        ) { current in
            try PackPlanner.install(
                pack, entities: current.entities, roles: current.roles, rules: current.assignmentRules, automations: current.automations,
                views: current.views, forms: current.forms, approvals: current.approvals, dashboards: current.dashboards)
        }
        return Result(pack: pack, metadata: updated, milliseconds: Self.milliseconds(since: started))
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
