public import Foundation
public import ServiceLifecycle
import Synchronization

/// Where each test application is in its life (made, body running, each service running or
/// stopped), appended to the file `TESSERA_TEST_TRACE` names. scripts/watchdog.py sets it and, if
/// the run hangs, prints the steps that began and never ended: a hang in a test body and one in a
/// service's shutdown look the same from outside (every thread idle), but not in this file.
public enum TestTrace {
    private static let handle: FileHandle? = {
        guard let path = ProcessInfo.processInfo.environment["TESSERA_TEST_TRACE"], !path.isEmpty else { return nil }
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = FileHandle(forWritingAtPath: path)
        _ = try? handle?.seekToEnd()
        return handle
    }()
    private static let lock = Mutex(())
    private static let start = ContinuousClock.now

    public static var enabled: Bool { handle != nil }

    /// One line: seconds since the process started tracing, the application, the event.
    /// `begin`/`end` pairs share their `step` text.
    public static func record(_ app: String, _ event: String, _ step: String) {
        guard let handle else { return }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let line = String(format: "%.3f", seconds) + "\t\(app)\t\(event)\t\(step)\n"
        lock.withLock { _ in handle.write(Data(line.utf8)) }
    }

    /// Runs `body` between a `begin` and an `end` line (the end also when it throws).
    public static func step<T>(_ app: String, _ step: String, _ body: () async throws -> T) async rethrows -> T {
        record(app, "begin", step)
        defer { record(app, "end", step) }
        return try await body()
    }

    /// `service`, reporting when its `run()` starts and returns.
    public static func traced(_ service: any Service, app: String) -> any Service {
        TracedService(base: service, app: app)
    }
}

private struct TracedService: Service {
    let base: any Service
    let app: String

    func run() async throws {
        try await TestTrace.step(app, "service \(type(of: base))") { try await base.run() }
    }
}
