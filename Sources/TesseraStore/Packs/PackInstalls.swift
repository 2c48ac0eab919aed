import Logging
import PostgresNIO
import TesseraCore

/// The tenant's installed packs (`tessera.pack_installs`), read and written inside a metadata
/// change: each with its version and that version's copy of its objects.
struct PackInstalls {
    let tenant: Tenant
    let connection: PostgresConnection
    let logger: Logger

    func list() async throws -> [InstalledPack] {
        let rows = try await connection.query(
            "SELECT pack_id, version, contents::text FROM tessera.pack_installs WHERE tenant_id = \(tenant.id) ORDER BY installed_at, pack_id",
            logger: logger)
        var out: [InstalledPack] = []
        for try await (id, version, contents) in rows.decode((String, String, String?).self) {
            let copy = try contents.map { ConfigurationSnapshot(json: try JSONParser.parse($0, limits: .init(maxDepth: 64))) }
            out.append(InstalledPack(id: id, version: version, contents: copy))
        }
        return out
    }

    /// Writes what `change` does to the packs and returns the list it leaves.
    func apply(_ change: PackChange?, to current: [InstalledPack]) async throws -> [InstalledPack] {
        guard let change else { return current }
        let wanted: [InstalledPack]
        switch change {
        case .upsert(let pack):
            wanted = current.contains { $0.id == pack.id } ? current.map { $0.id == pack.id ? pack : $0 } : current + [pack]
        case .replace(let packs): wanted = packs
        }
        let ids = Set(wanted.map(\.id))
        for pack in current where !ids.contains(pack.id) {
            try await connection.query("DELETE FROM tessera.pack_installs WHERE tenant_id = \(tenant.id) AND pack_id = \(pack.id)", logger: logger)
        }
        for pack in wanted where !current.contains(pack) {
            let contents = pack.contents.map { JSONWriter.string($0.json) }
            try await connection.query(
                """
                INSERT INTO tessera.pack_installs (tenant_id, pack_id, version, duration_ms, contents)
                VALUES (\(tenant.id), \(pack.id), \(pack.version), 0, \(contents)::json)
                ON CONFLICT (tenant_id, pack_id) DO UPDATE SET version = EXCLUDED.version, contents = EXCLUDED.contents, upgraded_at = now()
                """, logger: logger)
        }
        return wanted
    }
}
