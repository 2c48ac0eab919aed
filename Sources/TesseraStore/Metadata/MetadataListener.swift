import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Listens for metadata announcements from every instance and invalidates the local cache.
/// On a lost connection it clears the whole cache (changes may have been missed) and reconnects.
public struct MetadataListener: Service {
    let endpoint: DatabaseEndpoint
    let cache: MetadataCache
    let logger: Logger

    public init(endpoint: DatabaseEndpoint, cache: MetadataCache, logger: Logger) {
        self.endpoint = endpoint
        self.cache = cache
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var delay = Duration.milliseconds(100)
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresConnection.connect(configuration: endpoint.connectionConfiguration, id: 1, logger: logger)
                    delay = .milliseconds(100)
                    // Changes made while we were not listening are unknown: start clean.
                    cache.invalidateAll()
                    do {
                        try await connection.listen(on: ControlSchema.metadataChannel) { notifications in
                            for try await notification in notifications {
                                if let id = UUID(uuidString: notification.payload) { cache.invalidate(id) }
                            }
                        }
                    } catch {
                        if !Task.isCancelled { logger.warning("Metadata listener lost its connection", metadata: ["error": "\(error)"]) }
                    }
                    try? await connection.close()
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("Metadata listener cannot connect; retrying", metadata: ["error": "\(error)"])
                }
                cache.invalidateAll()
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
