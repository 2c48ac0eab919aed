import Foundation
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization
import TesseraCore
import TesseraTestSupport
import Testing

@testable import TesseraStore

/// How many callers hold a connection (shared by the tasks of one test).
final class HeldCount: Sendable {
    let value = Atomic<Int>(0)
}

/// The per-loop pool (issue 12): connections on the caller's loop, bounded, replaced when broken,
/// waiters served in turn or cancelled, and closed at shutdown.
@Suite("Database pool")
struct DatabasePoolTests {
    let group = MultiThreadedEventLoopGroup.singleton

    /// `body` with a running pool of at most `connections` on the test database, on `group`'s loops.
    func withPool<T: Sendable>(
        connections: Int, endpoint: DatabaseEndpoint? = nil, leaseTimeout: Duration = .seconds(10),
        _ body: @Sendable (DatabasePool) async throws -> T
    ) async throws -> T {
        var target = endpoint
        if target == nil { target = try await TestDatabase.shared.endpoint() }
        let pool = DatabasePool(
            endpoint: target!, maximumConnections: connections, leaseTimeout: leaseTimeout, group: group, logger: TestDatabase.logger)
        return try await withThrowingTaskGroup(of: Void.self) { running in
            running.addTask { try await pool.run() }
            defer { running.cancelAll() }
            return try await body(pool)
        }
    }

    /// `count` tasks each holding a connection until `release` finishes; returns once all hold one.
    func hold(
        _ count: Int, of pool: DatabasePool
    ) async throws -> (
        release: AsyncStream<Void>.Continuation, holders: [Task<Void, any Error>]
    ) {
        let release = AsyncStream.makeStream(of: Void.self)
        let held = HeldCount()
        let holders = (0..<count).map { _ in
            Task {
                try await pool.withConnection { _ in
                    held.value.add(1, ordering: .relaxed)
                    for await _ in release.stream { break }
                }
            }
        }
        while held.value.load(ordering: .relaxed) < count { try await Task.sleep(for: .milliseconds(5)) }
        return (release.continuation, holders)
    }

    func backendPID(_ pool: DatabasePool) async throws -> Int32 {
        try await pool.query("SELECT pg_backend_pid()").rows.first!.decode(Int32.self)
    }

    @Test("a statement run on an event loop gets a connection of that loop")
    func pinned() async throws {
        try await withPool(connections: 4) { pool in
            for loop in group.makeIterator() {
                let connectionLoop = try await Task(executorPreference: EventLoopTaskExecutor(loop)) {
                    try await pool.withConnection { $0.eventLoop }
                }.value
                #expect(connectionLoop === loop)
            }
            // The pool's own executors spread background tasks over the loops, one each in turn.
            let loops = try await withThrowingTaskGroup(of: ObjectIdentifier.self) { tasks in
                for n in 0..<4 {
                    tasks.addTask(executorPreference: pool.executor(n)) { try await pool.withConnection { ObjectIdentifier($0.eventLoop) } }
                }
                return try await tasks.reduce(into: Set<ObjectIdentifier>()) { $0.insert($1) }
            }
            #expect(loops.count == Array(group.makeIterator()).count)
        }
    }

    @Test("forty callers share two connections: each waits its turn and none fails")
    func bounded() async throws {
        try await withPool(connections: 2) { pool in
            let pids = try await withThrowingTaskGroup(of: Int32.self) { callers in
                for _ in 0..<40 {
                    callers.addTask {
                        try await pool.withConnection { connection in
                            let rows = try await connection.query("SELECT pg_backend_pid(), pg_sleep(0.005)", logger: TestDatabase.logger).collect()
                            return try rows[0].decode((Int32, String).self).0
                        }
                    }
                }
                return try await callers.reduce(into: Set<Int32>()) { $0.insert($1) }
            }
            #expect(pids.count <= 2)
            #expect(!pids.isEmpty)
        }
    }

    @Test("a connection that PostgreSQL ended while it was idle is replaced, and no caller sees it")
    func replacesBroken() async throws {
        try await withPool(connections: 2) { pool in
            let first = try await backendPID(pool)
            try await TestDatabase.withClient { other in
                try await other.query("SELECT pg_terminate_backend(\(first))")
            }
            // The end reaches the client asynchronously: wait until the idle connection is seen closed.
            var next = first
            for _ in 0..<50 where next == first {
                try await Task.sleep(for: .milliseconds(20))
                next = (try? await backendPID(pool)) ?? first
            }
            #expect(next != first)
            #expect(try await pool.query("SELECT 1::int4").rows.first?.decode(Int32.self) == 1)
        }
    }

    @Test("a caller waiting for a connection can be cancelled, and the pool still serves the others")
    func cancelledWaiter() async throws {
        try await withPool(connections: 2) { pool in
            let (release, holders) = try await hold(2, of: pool)
            let waiter = Task { try await pool.withConnection { _ in 1 } }
            try await Task.sleep(for: .milliseconds(50))
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            release.finish()
            for holder in holders { try await holder.value }
            #expect(try await pool.query("SELECT 2::int4").rows.first?.decode(Int32.self) == 2)
        }
    }

    @Test("a caller finding every connection held past the lease timeout gets a 503, and the pool serves once they are let go")
    func leaseTimeout() async throws {
        try await withPool(connections: 2, leaseTimeout: .milliseconds(300)) { pool in
            let (release, holders) = try await hold(2, of: pool)
            let started = ContinuousClock.now
            do {
                _ = try await pool.query("SELECT 1")
                Issue.record("a lease succeeded while every connection was held")
            } catch let error as TesseraError {
                #expect(error.status == 503 && error.code == "unavailable", "\(error)")
            }
            // It waited for the timeout, not less (a connection might have come free) and not forever.
            #expect(ContinuousClock.now - started >= .milliseconds(300))
            release.finish()
            for holder in holders { try await holder.value }
            #expect(try await pool.query("SELECT 3::int4").rows.first?.decode(Int32.self) == 3)
        }
    }

    @Test("a database that cannot be reached fails every lease with the connection's error instead of hanging")
    func unreachable() async throws {
        let real = try await TestDatabase.shared.endpoint()
        var wrong = real
        wrong.port = 1  // nothing listens on port 1 of the loopback
        try await withPool(connections: 2, endpoint: wrong) { pool in
            for _ in 0..<3 {
                await #expect(throws: (any Error).self) { try await pool.query("SELECT 1") }
            }
        }
    }

    @Test("after shutdown a lease is refused as unavailable")
    func shutdown() async throws {
        let endpoint = try await TestDatabase.shared.endpoint()
        let pool = DatabasePool(endpoint: endpoint, maximumConnections: 4, group: group, logger: TestDatabase.logger)
        let run = Task { try await pool.run() }
        #expect(try await backendPID(pool) > 0)
        run.cancel()
        try await run.value
        do {
            _ = try await pool.query("SELECT 1")
            Issue.record("a lease after shutdown succeeded")
        } catch let error as TesseraError {
            #expect(error.status == 503)
        }
        // Not asserted here: that PostgreSQL sees the backend go. Locally it goes at once; on the
        // clean-clone CI run it stayed idle for 20 s (issue 12's note), still to be explained.
    }
}
