public import Foundation
import Synchronization

/// Reads a tenant's metadata from where it is kept (the metadata repository).
public protocol MetadataLoading: Sendable {
    func load(_ tenant: Tenant) async throws -> TenantMetadata
}

/// Per-instance cache of tenants' metadata, so requests never query metadata. Entries are dropped
/// when any instance announces a change (see `MetadataListener`) and reloaded on next use.
public final class MetadataCache: Sendable {
    private struct State {
        var entries: [UUID: TenantMetadata] = [:]
        /// Bumped on every invalidation, so a load that raced with one is not stored.
        var generation: [UUID: Int] = [:]
    }

    private let state = Mutex(State())
    private let store: any MetadataLoading

    public init(store: any MetadataLoading) { self.store = store }

    public func metadata(for tenant: Tenant) async throws -> TenantMetadata {
        let (cached, generation) = state.withLock { ($0.entries[tenant.id], $0.generation[tenant.id, default: 0]) }
        if let cached { return cached.tenant == tenant ? cached : cached.with(tenant) }
        let loaded = try await store.load(tenant)
        state.withLock { state in
            if state.generation[tenant.id, default: 0] == generation { state.entries[tenant.id] = loaded }
        }
        return loaded
    }

    /// Keeps metadata this instance just committed (unless something newer is known).
    public func store(_ metadata: TenantMetadata) {
        state.withLock { state in
            if let existing = state.entries[metadata.tenant.id], existing.version >= metadata.version { return }
            state.entries[metadata.tenant.id] = metadata
        }
    }

    public func invalidate(_ tenantID: UUID) {
        state.withLock { state in
            state.entries[tenantID] = nil
            state.generation[tenantID, default: 0] += 1
        }
    }

    public func invalidateAll() {
        state.withLock { state in
            for id in state.entries.keys { state.generation[id, default: 0] += 1 }
            state.entries.removeAll()
        }
    }
}
