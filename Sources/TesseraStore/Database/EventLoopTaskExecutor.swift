public import NIOCore

/// Runs a task's jobs on one event loop: a task started with this preference stays on that loop,
/// and so takes `DatabasePool` connections of that loop, as an HTTP handler does on its channel's.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let loop: any EventLoop

    public init(_ loop: any EventLoop) { self.loop = loop }

    public func enqueue(_ job: consuming ExecutorJob) { loop.executor.enqueue(job) }
}
