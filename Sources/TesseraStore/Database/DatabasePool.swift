public import Logging
import NIOCore
public import NIOPosix
public import PostgresNIO
public import ServiceLifecycle
import Synchronization
import TesseraCore

/// The server's PostgreSQL connections: a small pool per event loop, and a statement takes a
/// connection of the loop its task runs on.
///
/// Why not `PostgresClient`: its pool spreads connections over all loops, so a request's write and
/// its reply cross threads twice, and every lease and release goes through continuations and idle
/// timers. Measured by `bench/roundtrip.sh`, that is most of what a trivial query costs the
/// process (see bench/README.md). Here a lease is a lock and a pop when a connection is idle.
public final class DatabasePool: Service, Sendable {
    private let shards: [DatabasePoolShard]
    private let executors: [EventLoopTaskExecutor]
    private let byLoop: [ObjectIdentifier: Int]
    private let spread = Atomic<Int>(0)
    private let logger: Logger

    /// About `maximumConnections` in all, split evenly over the loops of `group` (at least one each).
    /// A caller that finds them all busy waits at most `leaseTimeout` for one, then gets a 503.
    public init(
        endpoint: DatabaseEndpoint, maximumConnections: Int = 24, leaseTimeout: Duration = .seconds(10),
        group: MultiThreadedEventLoopGroup = .singleton, logger: Logger
    ) {
        var configuration = endpoint.connectionConfiguration
        // A request abandoned by its client must not keep PostgreSQL busy for long; metadata
        // changes (DDL on big tables) raise this for their own transaction. The name tells an
        // operator's pg_stat_activity which connections are the server's.
        configuration.options.additionalStartupParameters = [("statement_timeout", "30s"), ("application_name", "tessera")]
        let loops = Array(group.makeIterator())
        // Rounded up, so that many loops with a small total still get a connection each.
        let perLoop = max(1, (maximumConnections + loops.count - 1) / max(1, loops.count))
        let ids = DatabasePoolShard.IDs()
        shards = loops.map {
            DatabasePoolShard(loop: $0, capacity: perLoop, leaseTimeout: leaseTimeout, configuration: configuration, ids: ids, logger: logger)
        }
        executors = loops.map(EventLoopTaskExecutor.init)
        byLoop = Dictionary(uniqueKeysWithValues: loops.enumerated().map { (ObjectIdentifier($0.element), $0.offset) })
        self.logger = logger
    }

    /// Holds the pool until shutdown, then closes its connections (they open on first use).
    public func run() async throws {
        try? await gracefulShutdown()
        for shard in shards { await shard.close() }
    }

    /// The executor of the `n`-th event loop (round the loops): concurrent background tasks that
    /// prefer different ones run on different loops, with those loops' connections. Without it,
    /// child tasks stay on their parent's loop, and so on one core.
    public func executor(_ n: Int) -> any TaskExecutor { executors[n % executors.count] }

    /// The shard of the loop the caller runs on, or nil off every loop (tests, CLI commands).
    private var home: Int? {
        guard let loop = MultiThreadedEventLoopGroup.currentEventLoop else { return nil }
        return byLoop[ObjectIdentifier(loop)]
    }

    /// A connection for `body`'s lifetime. On an event loop: that loop's idle one, else a new one on
    /// it while there is room, else another loop's idle one, else the first released on it. Off every
    /// loop, any idle connection comes before a new one (fewer connections for short-lived callers).
    public func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let (connection, shard) = try await lease(from: home)
        do {
            let value = try await body(connection)
            shard.release(connection)
            return value
        } catch {
            shard.release(connection)
            throw error
        }
    }

    private func lease(from home: Int?) async throws -> (PostgresConnection, DatabasePoolShard) {
        let index = home ?? spread.wrappingAdd(1, ordering: .relaxed).oldValue % shards.count
        let own = shards[index]
        if let connection = own.takeIdle() { return (connection, own) }
        if home != nil, !own.isFull { return (try await own.lease(), own) }
        for offset in 1..<max(1, shards.count) {
            let other = shards[(index + offset) % shards.count]
            if let connection = other.takeIdle() { return (connection, other) }
        }
        return (try await own.lease(), own)
    }

    /// `body` in a transaction on one connection: committed when it returns, rolled back when it throws.
    public func withTransaction<T: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection { connection in
            try await connection.withTransaction(logger: logger) { try await body($0) }
        }
    }

    /// Runs a statement and collects its rows (on the connection's loop, without a row sequence).
    @discardableResult
    public func query(_ query: PostgresQuery, logger: Logger? = nil) async throws -> CollectedRows {
        try await withConnection { connection in
            CollectedRows(rows: try await connection.query(query, logger: logger ?? self.logger).get().rows)
        }
    }

    /// One `SELECT 1` as a named prepared statement, the way the data API's statements run (the
    /// readiness probe: it proves a connection can be had and PostgreSQL answers).
    public func ping(logger: Logger) async throws {
        _ = try await execute(Ping(), logger: logger)
    }

    private struct Ping: PostgresPreparedStatement {
        static let sql = "SELECT 1"
        typealias Row = PostgresRow
        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
    }

    /// Runs a named prepared statement and collects its rows.
    public func execute<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws -> [Statement.Row] {
        try await withConnection { connection in
            var rows: [Statement.Row] = []
            for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
            return rows
        }
    }
}

/// The connections of one event loop: idle ones, how many are open, and who waits for one.
final class DatabasePoolShard: Sendable {
    /// Connection ids, unique across the shards (PostgresNIO logs them).
    final class IDs: Sendable {
        private let next = Atomic<Int>(1)
        func make() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
    }

    private struct Waiter {
        let id: Int
        /// Resumed with a connection, or with nil: a place came free, open a connection yourself.
        let continuation: CheckedContinuation<PostgresConnection?, any Error>
    }

    private struct State {
        /// Every open connection, idle or leased: shutdown closes them all.
        var all: [ObjectIdentifier: PostgresConnection] = [:]
        var idle: [PostgresConnection] = []
        var open = 0
        var waiters: [Waiter] = []
        var nextWaiter = 0
        var closed = false

        /// A connection that is gone from the pool: its place is free again.
        mutating func forget(_ connection: PostgresConnection) {
            if all.removeValue(forKey: ObjectIdentifier(connection)) != nil { open -= 1 }
        }
    }

    /// What a lease gets once the pool has shut down.
    static var closedError: TesseraError { TesseraError(status: 503, code: "unavailable", AccountMessage.databaseUnreachable) }
    /// What a lease gets when no connection came free in time (every one held for that long).
    static var busyError: TesseraError { TesseraError(status: 503, code: "unavailable", AccountMessage.databaseBusy) }

    let loop: any EventLoop
    let capacity: Int
    let leaseTimeout: Duration
    private let configuration: PostgresConnection.Configuration
    private let ids: IDs
    private let logger: Logger
    private let state = Mutex(State())

    init(
        loop: any EventLoop, capacity: Int, leaseTimeout: Duration, configuration: PostgresConnection.Configuration, ids: IDs, logger: Logger
    ) {
        self.loop = loop
        self.capacity = capacity
        self.leaseTimeout = leaseTimeout
        self.configuration = configuration
        self.ids = ids
        self.logger = logger
    }

    var isFull: Bool { state.withLock { $0.idle.isEmpty && $0.open >= capacity } }

    /// An idle, open connection if there is one (closed ones found on the way are forgotten).
    func takeIdle() -> PostgresConnection? {
        state.withLock { state in
            while let connection = state.idle.popLast() {
                if !connection.isClosed { return connection }
                state.forget(connection)
            }
            return nil
        }
    }

    /// An idle connection, a new one while there is room, else the next one released.
    func lease() async throws -> PostgresConnection {
        enum Step {
            case use(PostgresConnection)
            case connect
            case wait
            case closed
        }
        let step = state.withLock { state -> Step in
            if state.closed { return .closed }
            while let connection = state.idle.popLast() {
                if !connection.isClosed { return .use(connection) }
                state.forget(connection)
            }
            guard state.open < capacity else { return .wait }
            state.open += 1
            return .connect
        }
        switch step {
        case .use(let connection): return connection
        case .connect: return try await connect()
        case .closed: throw DatabasePoolShard.closedError
        case .wait:
            if let connection = try await waitForRelease() { return connection }
            return try await connect()
        }
    }

    /// Opens a connection for a place already counted in `open`; gives the place back on failure.
    private func connect() async throws -> PostgresConnection {
        do {
            let connection = try await PostgresConnection.connect(on: loop, configuration: configuration, id: ids.make(), logger: logger)
            // Shut down while it was connecting: the caller still gets it, and its release closes it.
            state.withLock { state in
                if !state.closed { state.all[ObjectIdentifier(connection)] = connection }
            }
            return connection
        } catch {
            let waiter = state.withLock { state -> Waiter? in
                state.open -= 1
                // The freed place goes to a waiter, who tries for itself (and so learns the error).
                guard !state.waiters.isEmpty else { return nil }
                state.open += 1
                return state.waiters.removeFirst()
            }
            waiter?.continuation.resume(returning: nil)
            throw error
        }
    }

    private func waitForRelease() async throws -> PostgresConnection? {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresConnection?, any Error>) in
                enum Now {
                    case take(PostgresConnection?)
                    case fail(any Error)
                    case queued
                }
                let now = state.withLock { state -> Now in
                    if state.closed { return .fail(DatabasePoolShard.closedError) }
                    if Task.isCancelled { return .fail(CancellationError()) }
                    // Released or freed between the first look and now.
                    if let connection = state.idle.popLast() { return .take(connection) }
                    if state.open < capacity {
                        state.open += 1
                        return .take(nil)
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .queued
                }
                switch now {
                case .take(let connection): continuation.resume(returning: connection)
                case .fail(let error): continuation.resume(throwing: error)
                case .queued:
                    // A connection held forever (or a deadlock of nested leases) must not hang every
                    // request behind it: after the timeout the waiter gives up with a 503.
                    loop.scheduleTask(in: TimeAmount(leaseTimeout)) { self.abandon(id, with: DatabasePoolShard.busyError) }
                }
            }
        } onCancel: {
            abandon(id, with: CancellationError())
        }
    }

    /// Fails the waiter `id` with `error` if it is still waiting.
    private func abandon(_ id: Int, with error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            guard let i = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: i)
        }
        waiter?.continuation.resume(throwing: error)
    }

    /// Back to the idle list, or straight to the first waiter; a closed connection frees its place.
    func release(_ connection: PostgresConnection) {
        enum Then {
            case none
            case hand(Waiter, PostgresConnection?)
            case close
        }
        let then = state.withLock { state -> Then in
            if state.closed {
                state.forget(connection)
                return .close
            }
            if connection.isClosed {
                guard !state.waiters.isEmpty else {
                    state.forget(connection)
                    return .none
                }
                // The place passes to the waiter, who opens a new connection in it.
                state.all[ObjectIdentifier(connection)] = nil
                return .hand(state.waiters.removeFirst(), nil)
            }
            guard !state.waiters.isEmpty else {
                state.idle.append(connection)
                return .none
            }
            return .hand(state.waiters.removeFirst(), connection)
        }
        switch then {
        case .none: break
        case .hand(let waiter, let connection): waiter.continuation.resume(returning: connection)
        case .close: _ = connection.close() as EventLoopFuture<Void>
        }
    }

    /// Refuses new leases and closes every connection, idle or leased (at shutdown the HTTP server
    /// has stopped before the pool, so none should be busy).
    func close() async {
        let (open, waiters) = state.withLock { state in
            state.closed = true
            defer {
                state.open = 0
                state.all = [:]
                state.idle = []
                state.waiters = []
            }
            return (Array(state.all.values), state.waiters)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: DatabasePoolShard.closedError) }
        await Self.close(open)
    }

    /// Closes `connections`, waiting for them at most `patience`: shutdown must end even if a
    /// connection's close never completes (one seen on a CI run took 20 s to reach PostgreSQL).
    static func close(_ connections: [PostgresConnection], patience: TimeAmount = .seconds(2)) async {
        guard let loop = connections.first?.eventLoop else { return }
        // Whichever comes first completes `done`; NIO ignores the second completion.
        let done = loop.makePromise(of: Void.self)
        EventLoopFuture.andAllComplete(connections.map { $0.close() as EventLoopFuture<Void> }, on: loop).whenComplete { _ in done.succeed() }
        loop.scheduleTask(in: patience) { done.succeed() }
        try? await done.futureResult.get()
    }
}

/// The rows of a statement, collected while its connection was leased; iterated with
/// `for try await` like PostgresNIO's row sequence, which it replaces.
public struct CollectedRows: AsyncSequence, Sendable {
    public typealias Element = PostgresRow
    public let rows: [PostgresRow]

    public struct AsyncIterator: AsyncIteratorProtocol {
        var rows: IndexingIterator<[PostgresRow]>
        public mutating func next() async throws -> PostgresRow? { rows.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rows: rows.makeIterator()) }

    /// The rows (named like `PostgresRowSequence.collect()`, which this replaces).
    public func collect() async throws -> [PostgresRow] { rows }

    /// Each row decoded as the given column types, iterated like `PostgresRowSequence.decode`.
    public func decode<each Column: PostgresDecodable>(_ types: (repeat each Column).Type) -> DecodedRows<(repeat each Column)> {
        DecodedRows(rows: rows) { try $0.decode((repeat each Column).self) }
    }
}

/// Collected rows decoded one by one as they are iterated (`for try await`, as PostgresNIO's).
public struct DecodedRows<Element>: AsyncSequence {
    let rows: [PostgresRow]
    let decode: (PostgresRow) throws -> Element

    public struct AsyncIterator: AsyncIteratorProtocol {
        var rows: IndexingIterator<[PostgresRow]>
        let decode: (PostgresRow) throws -> Element
        public mutating func next() async throws -> Element? { try rows.next().map(decode) }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rows: rows.makeIterator(), decode: decode) }
}
