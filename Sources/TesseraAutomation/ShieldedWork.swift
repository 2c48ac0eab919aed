import Synchronization

/// Runs database work where the caller's cancellation cannot reach it, and bounds how long a
/// cancelled caller waits for it.
///
/// Why: shutdown cancels the automation worker. Cancelling a task in the middle of PostgresNIO's
/// async query and transaction calls cuts the extended-query protocol off halfway, and a test run
/// once hung forever at shutdown with every connection idle in PostgreSQL and the worker never
/// returning. Shielded, a batch's transaction ends as it would have (committed, or rolled back by
/// its own failure); and should it still not end, the cancelled caller leaves it after `patience`
/// (the pool closes its connection at shutdown) instead of keeping the process from stopping.
enum ShieldedWork {
    /// What a cancelled caller gets when the work outlived its patience.
    struct Abandoned: Error {}

    /// The work's result; throws `Abandoned` when the caller was cancelled and the work did not
    /// end within `patience` of that.
    static func run<T: Sendable>(
        on executor: any TaskExecutor, patience: Duration, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let task = Task(executorPreference: executor) { try await work() }
        // Resumed once: by the work's end, or by the patience timer after a cancellation.
        let gate = Gate<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                gate.arm(continuation)
                Task {
                    let result = await task.result
                    gate.resume(with: result)
                }
            }
        } onCancel: {
            Task {
                try? await Task.sleep(for: patience)
                gate.resume(with: .failure(Abandoned()))
            }
        }
    }

    /// One continuation, resumed at most once whoever comes first (the result may arrive before
    /// the continuation is armed).
    final class Gate<T: Sendable>: Sendable {
        private enum State {
            case waiting(CheckedContinuation<T, any Error>?)
            case early(Result<T, any Error>)
            case done
        }

        private let state = Mutex(State.waiting(nil))

        func arm(_ continuation: CheckedContinuation<T, any Error>) {
            let early = state.withLock { state -> Result<T, any Error>? in
                if case .early(let result) = state {
                    state = .done
                    return result
                }
                state = .waiting(continuation)
                return nil
            }
            if let early { continuation.resume(with: early) }
        }

        func resume(with result: Result<T, any Error>) {
            let continuation = state.withLock { state -> CheckedContinuation<T, any Error>? in
                switch state {
                case .waiting(let continuation?):
                    state = .done
                    return continuation
                case .waiting(nil):
                    state = .early(result)
                    return nil
                case .early, .done:
                    return nil
                }
            }
            continuation?.resume(with: result)
        }
    }
}
