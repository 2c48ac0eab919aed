import Foundation
public import Logging
import TesseraCore

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a private PostgreSQL cluster from the installed server binaries: `initdb` on first use,
/// loopback only, a free port, password login; run as root, it runs the server as `postgres`.
public struct EmbeddedPostgres: Sendable {
    /// The cluster folder (`<data-dir>/pg`).
    public let clusterDirectory: String
    /// Where the generated superuser password is kept (`<data-dir>/pg.password`).
    public let passwordFile: String
    public let logger: Logger
    /// PostgreSQL's `max_connections`: one instance's pool takes up to 24 (the test suite, with
    /// dozens of applications at once on one cluster, asks for more).
    public let maxConnections: Int

    public static let username = "tessera"
    public static let database = "postgres"

    public init(dataDirectory: String, maxConnections: Int = 200, logger: Logger) {
        let root = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        clusterDirectory = root + "/pg"
        passwordFile = root + "/pg.password"
        self.maxConnections = maxConnections
        self.logger = logger
    }

    /// Starts the cluster (initializing it the first time) or adopts one already running on it;
    /// `startedHere` says whether this call started it (and so should stop it).
    public func start() throws(EmbeddedPostgresError) -> (endpoint: DatabaseEndpoint, startedHere: Bool) {
        let binaries = try Self.findBinaries()
        let runAs = try serverUser()
        try prepareDirectories(runAs: runAs)
        let password = try loadOrCreatePassword()
        if !FileManager.default.fileExists(atPath: clusterDirectory + "/PG_VERSION") {
            try initialize(binaries: binaries, runAs: runAs, password: password)
        }
        if let port = runningPort(binaries: binaries, runAs: runAs) {
            logger.info("Reusing the PostgreSQL server already running on \(clusterDirectory)", metadata: ["port": "\(port)"])
            return (endpoint(port: port, password: password), false)
        }
        // A port seen free can be taken before PostgreSQL binds it (another cluster starting beside
        // this one): then another port is tried, a few times.
        var port = Self.freePort(preferred: previousPort())
        for attempt in 1...3 {
            let options = "-c listen_addresses=127.0.0.1 -p \(port) -c unix_socket_directories='' -c max_connections=\(maxConnections)"
            let logStart = (try? FileManager.default.attributesOfItem(atPath: clusterDirectory + "/server.log")[.size] as? Int) ?? 0
            let result = Self.run(
                binaries.pgCtl, ["-D", clusterDirectory, "-l", clusterDirectory + "/server.log", "-w", "-t", "60", "-o", options, "start"], as: runAs)
            if result.status == 0 { break }
            // The server's own words (a port taken, a lock file, memory) are in its log, not in pg_ctl's.
            let whole = (try? String(contentsOfFile: clusterDirectory + "/server.log", encoding: .utf8)) ?? ""
            let log = String(whole.utf8.dropFirst(logStart)) ?? String(whole.suffix(1500))
            if attempt < 3, log.contains("could not bind") || log.contains("Address already in use") {
                logger.warning("Port taken before PostgreSQL could bind it; trying another", metadata: ["port": "\(port)"])
                port = Self.freePort(preferred: nil)
                continue
            }
            let said = "\(result.output.suffix(800))\nThe end of \(clusterDirectory)/server.log:\n\(log.suffix(1500))"
            throw .failed("PostgreSQL did not start on port \(port): \(said)")
        }
        try? String(port).write(toFile: clusterDirectory + "/tessera.port", atomically: true, encoding: .utf8)
        logger.info("Started embedded PostgreSQL", metadata: ["port": "\(port)", "data": "\(clusterDirectory)"])
        return (endpoint(port: port, password: password), true)
    }

    /// Stops the cluster (fast shutdown: running transactions roll back).
    public func stop() {
        guard let binaries = try? Self.findBinaries(), let runAs = try? serverUser() else { return }
        let result = Self.run(binaries.pgCtl, ["-D", clusterDirectory, "-m", "fast", "-w", "-t", "60", "stop"], as: runAs)
        if result.status == 0 { logger.info("Stopped embedded PostgreSQL") }
    }

    private func endpoint(port: Int, password: String) -> DatabaseEndpoint {
        DatabaseEndpoint(host: "127.0.0.1", port: port, username: Self.username, password: password, database: Self.database)
    }

    // MARK: Steps

    struct Binaries { let initdb: String; let pgCtl: String }

    /// Where to look: PATH, then Debian's versioned folders, newest first.
    static var defaultSearchPaths: [String] {
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted(by: >)
        return (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + versions.map { "/usr/lib/postgresql/\($0)/bin" }
    }

    static func findBinaries(in dirs: [String] = defaultSearchPaths) throws(EmbeddedPostgresError) -> Binaries {
        for dir in dirs
        where FileManager.default.isExecutableFile(atPath: dir + "/initdb") && FileManager.default.isExecutableFile(atPath: dir + "/pg_ctl") {
            return Binaries(initdb: dir + "/initdb", pgCtl: dir + "/pg_ctl")
        }
        throw .missingBinaries(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/*/bin. "
                + "Install them with: apt-get install -y postgresql  (or set DATABASE_URL to use an existing server)")
    }

    /// nil when the server runs as the current user; "postgres" when we are root.
    private func serverUser() throws(EmbeddedPostgresError) -> String? {
        guard geteuid() == 0 else { return nil }
        guard getpwnam("postgres") != nil else {
            throw .failed(
                "Running as root, PostgreSQL must run as an unprivileged user, but user 'postgres' does not exist. "
                    + "Install the postgresql package (it creates it) or run tessera as a normal user.")
        }
        return "postgres"
    }

    private func prepareDirectories(runAs: String?) throws(EmbeddedPostgresError) {
        do {
            try FileManager.default.createDirectory(atPath: clusterDirectory, withIntermediateDirectories: true)
        } catch {
            throw .failed("Cannot create \(clusterDirectory): \(error.localizedDescription)")
        }
        chmod(clusterDirectory, 0o700)
        guard let runAs else { return }
        // Everything PostgreSQL writes is already its own: hand the folder over only when it is
        // not (a new or moved data dir). A recursive chown of a large cluster on every start
        // took longer than the start itself.
        let owner = (try? FileManager.default.attributesOfItem(atPath: clusterDirectory)[.ownerAccountName]) as? String
        if owner != runAs {
            _ = Self.run("/bin/chown", ["-R", "\(runAs):\(runAs)", clusterDirectory], as: nil)
        }
        let check = Self.run("/usr/bin/test", ["-w", clusterDirectory], as: runAs)
        guard check.status == 0 else {
            throw .failed(
                "User '\(runAs)' cannot reach \(clusterDirectory): a parent folder is not traversable for it "
                    + "(a checkout under /root, mode 700, is not). Use --data-dir with a path under /var/lib or /tmp.")
        }
    }

    private func loadOrCreatePassword() throws(EmbeddedPostgresError) -> String {
        if let existing = try? String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
            !existing.isEmpty
        {
            return existing
        }
        let password = RandomToken.make(bytes: 24)
        guard FileManager.default.createFile(atPath: passwordFile, contents: Data(password.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw .failed("Cannot write \(passwordFile)")
        }
        return password
    }

    private func initialize(binaries: Binaries, runAs: String?, password: String) throws(EmbeddedPostgresError) {
        let tmpDir = NSTemporaryDirectory() + "tessera-initdb-\(getpid())-\(RandomToken.make(bytes: 6))"
        try? FileManager.default.createDirectory(atPath: tmpDir, withIntermediateDirectories: true)
        let tmpPw = tmpDir + "/pw"
        guard FileManager.default.createFile(atPath: tmpPw, contents: Data(password.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw .failed("Cannot write a temporary password file under \(tmpDir)")
        }
        defer { try? FileManager.default.removeItem(atPath: tmpDir) }
        if let runAs {
            _ = Self.run("/bin/chown", ["-R", "\(runAs):\(runAs)", tmpDir], as: nil)
        }
        logger.info("Initializing a PostgreSQL cluster in \(clusterDirectory)")
        let result = Self.run(
            binaries.initdb,
            [
                "-D", clusterDirectory, "-U", Self.username, "--pwfile=\(tmpPw)", "-A", "scram-sha-256",
                "-E", "UTF8", "--no-locale", "--no-instructions",
            ], as: runAs)
        guard result.status == 0 else { throw .failed("initdb failed: \(result.output.suffix(1200))") }
    }

    /// The port of a server already running on this cluster, or nil (a stale pid file is removed).
    private func runningPort(binaries: Binaries, runAs: String?) -> Int? {
        let pidFile = clusterDirectory + "/postmaster.pid"
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count > 3, let pid = Int32(lines[0].trimmingCharacters(in: .whitespaces)),
            let port = Int(lines[3].trimmingCharacters(in: .whitespaces))
        else {
            removeStalePidFile(pidFile)
            return nil
        }
        let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard kill(pid, 0) == 0 || errno == EPERM, comm == "postgres" || comm == "postmaster" else {
            logger.warning("Removing a stale postmaster.pid left by a server that is gone", metadata: ["pid": "\(pid)"])
            removeStalePidFile(pidFile)
            return nil
        }
        return port
    }

    private func removeStalePidFile(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    private func previousPort() -> Int? {
        (try? String(contentsOfFile: clusterDirectory + "/tessera.port", encoding: .utf8)).flatMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    // MARK: Helpers

    /// A loopback TCP port nobody listens on; the preferred one when it is free.
    static func freePort(preferred: Int?) -> Int {
        if let preferred, isFree(port: preferred) { return preferred }
        for _ in 0..<50 {
            let candidate = Int.random(in: 20000...60000)
            if isFree(port: candidate) { return candidate }
        }
        return 54329
    }

    static func isFree(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }

    /// Runs a program (through `runuser -u USER --` when a user is given), capturing its output.
    static func run(_ path: String, _ arguments: [String], as user: String?) -> ChildProcess.Result {
        if let user { return ChildProcess.run("/usr/sbin/runuser", ["-u", user, "--", path] + arguments) }
        return ChildProcess.run(path, arguments)
    }
}

/// Why the embedded PostgreSQL could not be started; the message says what to do.
public enum EmbeddedPostgresError: Error, CustomStringConvertible {
    case missingBinaries(String)
    case failed(String)

    public var description: String {
        switch self {
        case .missingBinaries(let m), .failed(let m): m
        }
    }
}
