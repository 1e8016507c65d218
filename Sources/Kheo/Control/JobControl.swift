public import PostgresClient

/// What operators do to jobs and queues: cancel, retry now, pause, resume. Each call
/// is one statement on the executor you pass, and reports per job what it did: a job
/// in a state where the action makes no sense is left as it is, and says so.
public struct JobControl: Sendable {
    public init() {}

    /// Cancels jobs: waiting ones at once; running ones are marked, and their worker
    /// tells the handler to stop (`JobContext.stopReason == .cancelled`).
    public func cancel(
        _ ids: [Int64], reason: String = "cancelled by an operator", on executor: some PostgresExecutor
    ) throws -> [JobControlResult] {
        try results(of: executor.query("SELECT id, previous_state::text AS previous_state, outcome FROM kheo.cancel_jobs($1, $2)", ids, reason))
    }

    /// Makes discarded, cancelled, retryable or scheduled jobs available now; a job that
    /// had used all its attempts gets one more.
    public func retry(_ ids: [Int64], on executor: some PostgresExecutor) throws -> [JobControlResult] {
        try results(of: executor.query("SELECT id, previous_state::text AS previous_state, outcome FROM kheo.retry_jobs($1)", ids))
    }

    /// Pauses a queue: no node claims from it until it is resumed; running jobs finish.
    public func pause(queue: String, on executor: some PostgresExecutor) throws {
        try JobValidation.checkQueue(queue)
        guard try executor.query("SELECT kheo.pause_queue($1) AS known", queue).single().decode("known", as: Bool.self) else {
            throw JobControlError.unknownQueue(queue)
        }
    }

    /// Resumes a paused queue and wakes its workers.
    public func resume(queue: String, on executor: some PostgresExecutor) throws {
        try JobValidation.checkQueue(queue)
        guard try executor.query("SELECT kheo.resume_queue($1) AS known", queue).single().decode("known", as: Bool.self) else {
            throw JobControlError.unknownQueue(queue)
        }
    }

    private func results(of rows: PostgresResult) throws -> [JobControlResult] {
        try rows.map { row in
            JobControlResult(
                id: try row.decode("id"),
                previousState: try row.decode("previous_state", as: String?.self).flatMap(JobState.init(rawValue:)),
                outcome: JobControlResult.Outcome(rawValue: try row.decode("outcome")) ?? .changedMeanwhile
            )
        }
    }
}

/// What a cancel or retry did to one job.
public struct JobControlResult: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        case cancelled
        case cancelRequested = "cancel_requested"
        case retried
        case notFound = "not_found"
        case alreadyFinished = "already_finished"
        case alreadyAvailable = "already_available"
        case running
        case completed
        case duplicatePending = "duplicate_pending"
        case changedMeanwhile = "changed_meanwhile"

        /// True when the job was changed as asked.
        public var isChange: Bool { self == .cancelled || self == .cancelRequested || self == .retried }
    }

    public let id: Int64
    /// `nil` when no job has this id.
    public let previousState: JobState?
    public let outcome: Outcome

    public init(id: Int64, previousState: JobState?, outcome: Outcome) {
        self.id = id
        self.previousState = previousState
        self.outcome = outcome
    }

    /// One line for a person: what happened, or why nothing did.
    public var message: String {
        let was = previousState.map { " (it was \($0.rawValue))" } ?? ""
        switch outcome {
        case .cancelled: return "job \(id) cancelled\(was)"
        case .cancelRequested: return "job \(id) is running: its worker was told to stop it, and it ends cancelled unless it completes first"
        case .retried: return "job \(id) will run again now\(was)"
        case .notFound: return "job \(id) does not exist (it may have been pruned)"
        case .alreadyFinished: return "job \(id) is already \(previousState?.rawValue ?? "finished"); nothing to cancel"
        case .alreadyAvailable: return "job \(id) is already available; nothing to retry"
        case .running: return "job \(id) is running; it cannot be retried until it ends"
        case .completed: return "job \(id) completed; a completed job is not retried (enqueue a new one)"
        case .duplicatePending: return "job \(id) is unique and a duplicate is already waiting to run; left \(previousState?.rawValue ?? "as it was")"
        case .changedMeanwhile: return "job \(id) changed state meanwhile; look at it again"
        }
    }
}

/// Why a queue action was refused.
public enum JobControlError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownQueue(String)

    public var description: String {
        switch self {
        case .unknownQueue(let name):
            "no queue named \"\(name)\": no worker serves it and no job names it (see kheo queues list)"
        }
    }
}
