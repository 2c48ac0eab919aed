import Logging

/// Swift-log's standard-error handler, with the logger's metadata rendered only when a line is
/// written: `StreamLogHandler` renders it on every change, and each request and each query sets
/// some (request id, tenant, PostgresNIO's connection id) for lines that, at `info`, never come.
struct DeferredMetadataLogHandler: LogHandler {
    private var output: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level) {
        output = StreamLogHandler.standardError(label: label)
        output.logLevel = level
    }

    var logLevel: Logger.Level {
        get { output.logLevel }
        set { output.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { output.metadataProvider }
        set { output.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        // The line's own metadata wins over the logger's, as in StreamLogHandler.
        if !metadata.isEmpty { event.metadata = metadata.merging(event.metadata ?? [:]) { _, line in line } }
        output.log(event: event)
    }
}
