// Round-trip benchmark: what one trivial query costs this process in CPU through each way
// PostgresNIO offers to run it, with no HTTP in front, so the driver's share of a request can be
// told from Hummingbird's. Each mode runs `SELECT $1::int4` from `--tasks` concurrent tasks for
// `--seconds`; it prints queries/s and CPU µs per query of this process and of PostgreSQL.
// Modes (`--modes a,b`): `client-*` through PostgresNIO's PostgresClient pool (`-query`: unnamed
// statement and row sequence; `-prepared`: named prepared statement; `-future`: a lease and the
// EventLoopFuture API; `-per-loop`: one PostgresClient per event loop, tasks kept on their loop);
// `connection-*`: each task owns a connection on its loop, no pool (PostgresNIO's own floor);
// `tessera-*`: Tessera's DatabasePool as the server uses it (`-query` for /healthz, `-prepared`
// for a get by id), tasks kept on their loop as HTTP handlers are.
// Build and run (release), against any PostgreSQL (bench/roundtrip.sh starts one):
//   swift build -c release --product tessera-bench-roundtrip
//   .build/release/tessera-bench-roundtrip postgres://postgres@127.0.0.1:5432/postgres
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization
import TesseraStore

/// `SELECT $1::int4` as a named prepared statement (Bind/Execute/Sync after the first call).
struct SelectOne: PostgresPreparedStatement {
    static let sql = "SELECT $1::int4"
    typealias Row = Int32
    let value: Int32
    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(value)
        return bindings
    }
    func decodeRow(_ row: PostgresRow) throws -> Int32 { try row.decode(Int32.self) }
}

/// A page of 50 of the page table's rows of one channel; the two forms differ only in their SQL.
protocol PageStatement: PostgresPreparedStatement where Row == PostgresRow {
    var channel: String { get }
}

extension PageStatement {
    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(channel)
        return bindings
    }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// The page as PostgreSQL's JSON text, one row each (as the data API lists).
struct PageAsJSON: PageStatement {
    static let sql = "SELECT row_to_json(q)::text FROM tessera_bench_rt.page q WHERE q.channel = $1 ORDER BY q.id DESC LIMIT 50"
    let channel: String
}

/// The same page as plain binary columns, for the process to write as JSON.
struct PageAsColumns: PageStatement {
    static let sql = "SELECT q.* FROM tessera_bench_rt.page q WHERE q.channel = $1 ORDER BY q.id DESC LIMIT 50"
    let channel: String
}

/// Thirteen columns like the sales pack's lead (system columns, texts, a select, money, a date, a
/// multi-select), 20,000 rows over four channels, indexed for the page query.
let pageTable = """
    CREATE SCHEMA IF NOT EXISTS tessera_bench_rt;
    DROP TABLE IF EXISTS tessera_bench_rt.page;
    CREATE TABLE tessera_bench_rt.page (
        id uuid PRIMARY KEY, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, owner_id uuid,
        version int NOT NULL, company text, contact_name text, phone text, email text, channel text,
        amount numeric(18,2), next_follow_up_at timestamptz, pain_points text[]);
    INSERT INTO tessera_bench_rt.page SELECT gen_random_uuid(), now() - n * interval '1 minute', now(), gen_random_uuid(), 1,
        'Company ' || n, 'Contact ' || n, '138' || lpad(n::text, 8, '0'), 'buyer' || n || '@example.com',
        (ARRAY['web_form','exhibition','referral','cold_call'])[n % 4 + 1], (n * 37 % 1000000) + 0.5,
        now() + n * interval '1 hour', ARRAY['price','delivery_cycle'] FROM generate_series(1, 20000) n;
    CREATE INDEX ON tessera_bench_rt.page (channel, id DESC);
    ANALYZE tessera_bench_rt.page;
    """

/// CPU seconds (user + system) used so far by this process and by every `postgres` process.
struct CPUClock {
    static let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))

    static func ownSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func postgresSeconds() -> Double {
        let fm = FileManager.default
        var total = 0.0
        for pid in (try? fm.contentsOfDirectory(atPath: "/proc")) ?? [] where pid.allSatisfy(\.isNumber) {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"),
                stat[stat.index(after: open)..<close].hasPrefix("postgres")
            else { continue }
            // Fields after the command: state is field 3, utime 14, stime 15.
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            total += (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        }
        return total / ticks
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String, _ fallback: String) -> String {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return fallback }
    return arguments[i + 1]
}
let url = arguments.first(where: { $0.hasPrefix("postgres") }) ?? "postgres://postgres@127.0.0.1:5432/postgres"
let seconds = Double(option("--seconds", "5")) ?? 5
let tasks = Int(option("--tasks", "16")) ?? 16
let allModes = [
    "client-query", "client-prepared", "client-future", "client-per-loop", "connection-prepared", "connection-future",
    "tessera-query", "tessera-prepared", "page-json", "page-binary",
]
let modes = option("--modes", allModes.joined(separator: ",")).split(separator: ",").map(String.init)

let endpoint = try DatabaseEndpoint(url: url)
func clientConfiguration(connections: Int) -> PostgresClient.Configuration {
    var config = PostgresClient.Configuration(
        host: endpoint.host, port: endpoint.port, username: endpoint.username, password: endpoint.password,
        database: endpoint.database, tls: .disable)
    config.options.maximumConnections = connections
    config.options.minimumConnections = connections
    return config
}

NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
let logger = Logger(label: "roundtrip")
let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator())

/// One mode set up: what task `t` runs per query, whether tasks stay on their loop, what runs beside.
struct Load: Sendable {
    var pinned = true
    var services: [@Sendable () async throws -> Void] = []
    var teardown: @Sendable () async throws -> Void = {}
    let query: @Sendable (Int) async throws -> Int32
}

func sum<S: AsyncSequence>(_ rows: S) async throws -> Int32 where S.Element == Int32 {
    var total: Int32 = 0
    for try await value in rows { total &+= value }
    return total
}

func load(_ mode: String) async throws -> Load {
    switch mode {
    case "client-query", "client-prepared", "client-future":
        let client = PostgresClient(configuration: clientConfiguration(connections: tasks), backgroundLogger: logger)
        let query: @Sendable (Int) async throws -> Int32 =
            switch mode {
            case "client-query": { try await sum(try await client.query("SELECT \(Int32($0))::int4", logger: logger).decode(Int32.self)) }
            case "client-prepared": { try await sum(try await client.execute(SelectOne(value: Int32($0)), logger: logger)) }
            default:
                { n in
                    try await client.withConnection { connection in
                        try await connection.query("SELECT \(Int32(n))::int4", logger: logger).get().rows.first?.decode(Int32.self) ?? 0
                    }
                }
            }
        return Load(pinned: false, services: [{ await client.run() }], query: query)
    case "client-per-loop":
        let clients = loops.map { loop in
            PostgresClient(
                configuration: clientConfiguration(connections: max(1, tasks / loops.count)), eventLoopGroup: loop, backgroundLogger: logger)
        }
        return Load(services: clients.map { client in { await client.run() } }) {
            try await sum(try await clients[$0 % loops.count].execute(SelectOne(value: Int32($0)), logger: logger))
        }
    case "connection-prepared", "connection-future":
        var config = endpoint.connectionConfiguration
        config.options.requireBackendKeyData = true
        var connections: [PostgresConnection] = []
        for t in 0..<tasks {
            connections.append(try await PostgresConnection.connect(on: loops[t % loops.count], configuration: config, id: t, logger: logger))
        }
        let owned = connections
        let teardown: @Sendable () async throws -> Void = { for connection in owned { try await connection.close().get() } }
        if mode == "connection-prepared" {
            return Load(teardown: teardown) { try await sum(try await owned[$0].execute(SelectOne(value: Int32($0)), logger: logger)) }
        }
        return Load(teardown: teardown) {
            try await owned[$0].query("SELECT \(Int32($0))::int4", logger: logger).get().rows.first?.decode(Int32.self) ?? 0
        }
    case "tessera-query", "tessera-prepared":
        let pool = DatabasePool(endpoint: endpoint, maximumConnections: tasks, logger: logger)
        let services: [@Sendable () async throws -> Void] = [{ try await pool.run() }]
        if mode == "tessera-query" {
            return Load(services: services) { n in
                let rows = try await pool.query("SELECT \(Int32(n))::int4", logger: logger).rows
                return try rows.first?.decode(Int32.self) ?? 0
            }
        }
        return Load(services: services) { n in try await pool.execute(SelectOne(value: Int32(n)), logger: logger).first ?? 0 }
    case "page-json", "page-binary":
        // A page of 50 rows: PostgreSQL writes each row's JSON (the server only joins the texts), or
        // sends binary columns that this process writes as JSON. Which costs the machine less?
        let pool = DatabasePool(endpoint: endpoint, maximumConnections: tasks, logger: logger)
        let services: [@Sendable () async throws -> Void] = [{ try await pool.run() }]
        if mode == "page-json" {
            return Load(services: services) { _ in
                var out: [UInt8] = [UInt8(ascii: "[")]
                out.reserveCapacity(32_768)
                for (i, row) in try await pool.execute(PageAsJSON(channel: "web_form"), logger: logger).enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(contentsOf: try row.decode(String.self).utf8)
                }
                out.append(UInt8(ascii: "]"))
                return Int32(truncatingIfNeeded: out.count)
            }
        }
        return Load(services: services) { _ in
            var json = RowJSON(capacity: 32_768)
            for row in try await pool.execute(PageAsColumns(channel: "web_form"), logger: logger) { try json.append(row) }
            return Int32(truncatingIfNeeded: json.bytes.count)
        }
    default:
        fatalError("unknown mode \(mode); modes are \(allModes.joined(separator: ", "))")
    }
}

/// Runs `load` from `tasks` tasks for `duration` seconds; queries done.
func drive(_ load: Load, for duration: Double) async throws -> Int {
    let deadline = ContinuousClock.now + .milliseconds(Int(duration * 1000))
    return try await withThrowingTaskGroup(of: Int.self) { group in
        for t in 0..<tasks {
            let body: @Sendable () async throws -> Int = {
                var done = 0
                while ContinuousClock.now < deadline {
                    _ = try await load.query(t)
                    done += 1
                }
                return done
            }
            if load.pinned {
                group.addTask(executorPreference: EventLoopTaskExecutor(loops[t % loops.count])) { try await body() }
            } else {
                group.addTask { try await body() }
            }
        }
        return try await group.reduce(0, +)
    }
}

if modes.contains(where: { $0.hasPrefix("page") }) {
    var setup = endpoint.connectionConfiguration
    setup.options.requireBackendKeyData = false
    let connection: PostgresConnection = try await PostgresConnection.connect(on: loops[0], configuration: setup, id: 0, logger: logger)
    for statement in pageTable.split(separator: ";") where !statement.allSatisfy(\.isWhitespace) {
        _ = try await connection.query(PostgresQuery(unsafeSQL: String(statement)), logger: logger).get()
    }
    try await connection.close().get()
}

print("round trip: \(tasks) tasks, \(seconds) s per mode, \(loops.count) event loops, \(endpoint.host):\(endpoint.port)")
print("mode                  queries/s   own µs/query   postgres µs/query   (page-*: a query is a page of 50 rows)")
for mode in modes {
    let load = try await load(mode)
    try await withThrowingTaskGroup(of: Void.self) { running in
        for service in load.services { running.addTask { try await service() } }
        try await Task.sleep(for: .milliseconds(100))  // the pools start running
        _ = try await drive(load, for: 1)  // warm-up: connect and prepare
        let own0 = CPUClock.ownSeconds(), pg0 = CPUClock.postgresSeconds(), start = ContinuousClock.now
        let done = try await drive(load, for: seconds)
        let wall = ContinuousClock.now - start
        let own = CPUClock.ownSeconds() - own0, pg = CPUClock.postgresSeconds() - pg0
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let label = mode.padding(toLength: 20, withPad: " ", startingAt: 0)
        print(label + String(format: "%11.0f   %12.1f   %17.1f", Double(done) / wallSeconds, own / Double(done) * 1e6, pg / Double(done) * 1e6))
        running.cancelAll()
    }
    try await load.teardown()
}
