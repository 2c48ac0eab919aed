import Foundation
import Logging
import PostgresNIO
import TesseraCore
import TesseraStore

/// Everything the routes use: the pool, the stores, the caches and the limits. One per instance.
public struct TesseraRuntime: Sendable {
    public let client: PostgresClient
    public let tenants: TenantStore
    public let metadataStore: MetadataStore
    public let metadata: MetadataCache
    public let records: RecordStore
    public let files: FileStore
    public let packs: PackLibrary
    public let installer: PackInstaller
    public let callers: CallerCache
    public let adminToken: String
    public let logger: Logger

    /// Request body limits in bytes.
    public static let maxJSONBody = 1 << 20
    public static let maxBulkBody = 8 << 20

    public init(client: PostgresClient, dataDirectory: String, packsDirectory: URL, adminToken: String, logger: Logger) {
        self.client = client
        tenants = TenantStore(client: client, logger: logger)
        metadataStore = MetadataStore(client: client, logger: logger)
        metadata = MetadataCache(store: metadataStore)
        records = RecordStore(client: client, prepared: PreparedSQL(), logger: logger)
        files = FileStore(client: client, root: dataDirectory + "/files", logger: logger)
        packs = PackLibrary(root: packsDirectory)
        installer = PackInstaller(metadata: metadataStore, library: packs)
        callers = CallerCache()
        self.adminToken = adminToken
        self.logger = logger
    }

    /// The caller behind a bearer key, from the cache or the database.
    public func authenticate(key: String) async throws -> Caller? {
        let hash = APIKey.hashHex(key)
        if let caller = callers.caller(forKeyHash: hash) { return caller }
        guard let caller = try await tenants.authenticate(key: key) else { return nil }
        callers.remember(caller, forKeyHash: hash)
        return caller
    }

    /// Applies a metadata change and keeps the result in this instance's cache.
    public func changeMetadata(_ caller: Caller, force: Bool = false, _ plan: @escaping @Sendable ([EntityDefinition]) throws -> MetadataChange) async throws -> TenantMetadata {
        let updated = try await metadataStore.apply(caller.tenant, actor: caller.userID, force: force) { current in try plan(current.entities) }
        metadata.store(updated)
        return updated
    }

    /// Creates a tenant with the admin key, optionally installing packs; returns the key.
    /// If a pack fails to install, the tenant is removed again: nothing half-made is left.
    public func createTenant(slug: String, name: String, timeZone: String?, packs packIDs: [String] = []) async throws -> (Tenant, String) {
        for pack in packIDs { _ = try packs.load(pack) }
        let (tenant, key) = try await tenants.create(slug: slug, name: name, timeZone: timeZone ?? "Asia/Shanghai")
        do {
            for pack in packIDs { _ = try await installer.install(pack, into: tenant, actor: nil) }
        } catch {
            try? await tenants.delete(tenant)
            throw error
        }
        return (tenant, key)
    }
}
