public import Logging
public import PostgresClient
import Synchronization

/// What a running handler knows and can do besides its args: which job it runs,
/// whether it should stop, a logger with the job's metadata, and a transaction that
/// completes the job atomically with the handler's own writes.
public final class JobContext: Sendable {
    /// Why a running job is asked to stop.
    public enum StopReason: String, Sendable {
        /// The attempt ran past its kind's timeout; it is recorded as failed.
        case timeout
        /// The worker is shutting down and the grace period ran out; the job is handed back.
        case shutdown
        /// The worker lost the job's lease (it was frozen or cut off); another worker may run it.
        case leaseLost
        /// An operator cancelled the job (`kheo jobs cancel`); unless the handler
        /// completes it anyway, it ends cancelled.
        case cancelled
    }

    public let job: JobInfo
    /// Logs with `job_id`, `job_kind`, `queue` and `attempt` attached. Built on use:
    /// most jobs never log, and the metadata costs allocations on every job.
    public var logger: Logger { WorkerLoop.jobLogger(baseLogger, job) }
    private let baseLogger: Logger
    let nodeID: String
    private let pool: PostgresConnectionPool
    private let state = Mutex<(stop: StopReason?, completing: Bool, completed: Bool)>((nil, false, false))

    init(job: JobInfo, nodeID: String, pool: PostgresConnectionPool, logger: Logger) {
        self.job = job
        self.nodeID = nodeID
        self.pool = pool
        self.baseLogger = logger
    }

    /// Set once the job should stop; long handlers should check it between steps.
    public var stopReason: StopReason? { state.withLock { $0.stop } }

    public var isStopRequested: Bool { stopReason != nil }

    /// Throws `JobStopped` if the job should stop, so a loop can end with one line.
    public func checkStop() throws(JobStopped) {
        if let reason = stopReason { throw JobStopped(reason: reason) }
    }

    /// Runs `body` in a transaction that also marks this job completed, so the
    /// handler's writes and the completion commit together or not at all.
    ///
    /// If the worker lost the job's lease meanwhile (another worker rescued it), the
    /// completion matches no row; everything is rolled back and `JobStopped(.leaseLost)`
    /// is thrown, so the effect is never applied twice.
    @discardableResult
    public func transaction<Result>(_ body: (PostgresConnection) throws -> Result) throws -> Result {
        let result = try pool.transaction { connection in
            let result = try body(connection)
            let updated = try connection.query(JobSQL.completeOne, job.id, Int32(job.attempt), nodeID).single()
                .decode("completed", as: Int64.self)
            guard updated == 1 else { throw JobStopped(reason: .leaseLost) }
            // From here the job leaves `kheo.jobs` when this commits: a lease extension
            // that no longer finds it must not take it for lost.
            state.withLock { $0.completing = true }
            return result
        }
        state.withLock { $0.completed = true }
        return result
    }

    /// Runs `body` on a connection of the handlers' pool, outside any transaction of
    /// the job's: for reads, and for writes that must stay even if the attempt fails
    /// (a record of a failed delivery). It does not complete the job.
    public func withConnection<Result>(_ body: (PostgresConnection) throws -> Result) throws -> Result {
        try pool.withConnection(body)
    }

    /// True once `transaction` committed the job's completion.
    var completedInTransaction: Bool { state.withLock { $0.completed } }

    /// True once `transaction` has marked the job completed, committed or about to.
    var completingInTransaction: Bool { state.withLock { $0.completing || $0.completed } }

    func requestStop(_ reason: StopReason) {
        state.withLock { if $0.stop == nil { $0.stop = reason } }
    }
}

/// Thrown by `JobContext.checkStop()` and by a completing transaction whose lease is gone.
public struct JobStopped: Error, Sendable, CustomStringConvertible {
    public let reason: JobContext.StopReason

    public var description: String {
        switch reason {
        case .timeout: "the job ran past its timeout"
        case .shutdown: "the worker is shutting down"
        case .leaseLost: "the worker lost the job's lease; another worker may have run it"
        case .cancelled: "an operator cancelled the job"
        }
    }
}
