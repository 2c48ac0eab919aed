import Foundation
public import Logging
import PostgresNIO
public import ServiceLifecycle
public import TesseraCore

/// Listens for metadata and identity announcements from every instance and invalidates the
/// local caches. On a lost connection it clears them (changes may have been missed) and reconnects.
public struct MetadataListener: Service {
    let endpoint: DatabaseEndpoint
    let cache: MetadataCache
    let callers: CallerCache
    let logger: Logger

    public init(endpoint: DatabaseEndpoint, cache: MetadataCache, callers: CallerCache, logger: Logger) {
        self.endpoint = endpoint
        self.cache = cache
        self.callers = callers
        self.logger = logger
    }

    private func clearAll() {
        cache.invalidateAll()
        callers.forgetAll()
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var delay = Duration.milliseconds(100)
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresConnection.connect(configuration: endpoint.connectionConfiguration, id: 1, logger: logger)
                    delay = .milliseconds(100)
                    // Changes made while we were not listening are unknown: start clean.
                    clearAll()
                    do {
                        try await connection.listen(on: ControlSchema.metadataChannel) { notifications in
                            for try await notification in notifications {
                                let payload = notification.payload
                                if payload.hasPrefix(ControlSchema.authPayloadPrefix) {
                                    if let id = UUID(uuidString: String(payload.dropFirst(ControlSchema.authPayloadPrefix.count))) {
                                        callers.forget(tenant: id)
                                    }
                                } else if let id = UUID(uuidString: payload) {
                                    cache.invalidate(id)
                                }
                            }
                        }
                    } catch {
                        if !Task.isCancelled { logger.warning("Metadata listener lost its connection", metadata: ["error": "\(error)"]) }
                    }
                    await DatabasePoolShard.close([connection])
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("Metadata listener cannot connect; retrying", metadata: ["error": "\(error)"])
                }
                clearAll()
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
