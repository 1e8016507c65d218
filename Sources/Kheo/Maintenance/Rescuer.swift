public import Foundation
public import Logging
public import PostgresClient

/// Gives the jobs of dead workers another attempt: a running job whose lease expired
/// (its worker was killed, froze or lost the database) waits out the retry policy's
/// backoff as a failed attempt would, then runs again on any node. A job whose
/// attempts are used up is discarded, and one an operator asked to cancel is
/// cancelled; each gets a `lease_expired` entry in its errors saying whose lease
/// expired when.
///
/// The backoff is what stops a job that kills its worker (out of memory, a crash in a
/// C library) from taking down node after node in a tight loop: each attempt waits
/// longer than the last, and the job ends discarded with the reason after
/// `max_attempts`, as River and Oban treat a rescued job.
public struct Rescuer: MaintenanceService {
    public struct Configuration: Sendable, Equatable {
        /// Jobs rescued per statement; the rest wait for the next round.
        public var batchSize: Int
        /// How often to look, when run as a maintenance service (a worker looks every
        /// `WorkerConfiguration.rescueInterval` itself).
        public var interval: Duration
        /// The wait before a rescued job's next attempt, by the attempt that died. The
        /// rescuing node may not know the job's kind, so a kind's own retry delay does
        /// not apply here.
        public var retryPolicy: RetryPolicy

        public init(batchSize: Int = 1000, retryPolicy: RetryPolicy = RetryPolicy(), interval: Duration = .seconds(15)) {
            self.batchSize = batchSize
            self.interval = interval
            self.retryPolicy = retryPolicy
        }

        /// Refuses a configuration that cannot work, saying what to change.
        public func validate() throws(RescuerConfigurationError) {
            guard batchSize >= 1 else { throw .invalid("batchSize must be 1 or more, not \(batchSize)") }
            guard interval > .zero else { throw .invalid("the interval must be above zero, not \(interval)") }
            guard retryPolicy.base >= .zero, retryPolicy.maximum >= retryPolicy.base else {
                throw .invalid("the retry policy's base must be at least zero and at most its maximum")
            }
            guard retryPolicy.factor >= 1 else { throw .invalid("the retry policy's factor must be 1 or more, not \(retryPolicy.factor)") }
            guard (0..<1).contains(retryPolicy.jitter) else {
                throw .invalid("the retry policy's jitter must be at least 0 and below 1, not \(retryPolicy.jitter)")
            }
        }
    }

    /// What one round did, by the state each rescued job was left in.
    public struct Result: Sendable, Equatable {
        public var retrying = 0
        public var discarded = 0
        public var cancelled = 0
        public var total: Int { retrying + discarded + cancelled }
        /// The batch was full: more expired jobs may be waiting.
        public var batchFull = false
        /// Expired leases were left because another session held their rows: a worker
        /// finishing the job, or a transaction of a host cut off mid-commit, which
        /// rolls back later and leaves the job to rescue (see `RescueWindow`).
        public var leftLocked = false

        /// For the log line that reports a round.
        public var metadata: Logger.Metadata {
            ["retrying": "\(retrying)", "discarded": "\(discarded)", "cancelled": "\(cancelled)"]
        }

        public init(retrying: Int = 0, discarded: Int = 0, cancelled: Int = 0, batchFull: Bool = false) {
            self.retrying = retrying
            self.discarded = discarded
            self.cancelled = cancelled
            self.batchFull = batchFull
        }
    }

    public let configuration: Configuration

    /// `configuration` must have passed `validate()`.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public var name: String { "rescuer" }
    /// What a round that rescued something logs.
    public static let message: Logger.Message = "rescued jobs whose worker's lease expired"
    /// Any node may rescue: rows another node is rescuing are skipped.
    public var leaderOnly: Bool { false }

    public func round(now: Date, pool: PostgresConnectionPool) throws -> MaintenanceRound {
        let result = try pool.withConnection { connection in try runOnce(on: connection) }
        let next = result.batchFull ? now : now.addingTimeInterval(configuration.interval.inSeconds)
        guard result.total > 0 else { return MaintenanceRound(nextRun: next) }
        return MaintenanceRound(nextRun: next, message: Self.message, metadata: result.metadata)
    }

    /// Rescues up to `batchSize` expired jobs, oldest lease first, in one statement.
    /// Rows another node is rescuing at the same moment are skipped, not waited for.
    public func runOnce(on connection: PostgresConnection) throws -> Result {
        try runOnce(on: connection, since: nil).result
    }

    /// The same, looking only at leases that expired from `since` on (see
    /// `RescueWindow`), or at every expired lease without it; with the server's time
    /// of the look.
    func runOnce(on connection: PostgresConnection, since: Date?) throws -> (result: Result, checkedAt: Date) {
        let policy = configuration.retryPolicy
        let row = try connection.query(
            Self.rescue, Int32(configuration.batchSize), policy.base.inSeconds, policy.factor, policy.maximum.inSeconds, policy.jitter,
            since ?? Date.distantPast
        ).single()
        var result = Result()
        result.retrying = Int(try row.decode("retrying", as: Int64.self))
        result.discarded = Int(try row.decode("discarded", as: Int64.self))
        result.cancelled = Int(try row.decode("cancelled", as: Int64.self))
        result.batchFull = result.total >= configuration.batchSize
        // Past a full batch more were left anyway; below one, the rest were locked.
        let expired = Int(try row.decode("expired", as: Int64.self))
        result.leftLocked = !result.batchFull && expired > result.total
        return (result, try row.decode("checked_at"))
    }

    /// `$1` the batch, then the policy: `$2` base seconds, `$3` factor, `$4` maximum
    /// seconds, `$5` jitter; `$6` the earliest expiry to look at. The wait after attempt n is min(base × factor^(n−1),
    /// maximum) ± jitter, as `RetryPolicy.delay(afterAttempt:)` computes it; the
    /// exponent is capped so a job with thousands of attempts cannot overflow it.
    ///
    /// A rescued job that ends (cancelled while it ran, or out of attempts) moves to
    /// `kheo.job_history` in this same statement, like every finish (`JobHistorySQL`).
    ///
    /// The rows are updated and moved through `j.id = ANY (ARRAY(…))` as well as the
    /// join: on statistics that called the table nearly empty, the generic plan of the
    /// bare join read the whole primary key for each of the two (a nested loop with the
    /// scan outside): 1.3 million buffers and 0.6 s a round beside 850,000 dead rows,
    /// once a second on every worker, with nothing to rescue. With `ANY` no plan reads
    /// more rows than the round found expired.
    package static let rescue = PreparedStatement(
        name: "kheo.jobs.rescue",
        sql: """
            WITH expired AS (
                SELECT id, CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
                                WHEN attempt >= max_attempts THEN 'discarded'
                                ELSE 'retryable' END::kheo.job_state AS next_state
                FROM kheo.jobs
                WHERE state = 'running' AND lease_expires_at < now() AND lease_expires_at >= $6::timestamptz
                ORDER BY lease_expires_at
                LIMIT $1
                FOR UPDATE SKIP LOCKED
            ), kept AS (
                UPDATE kheo.jobs AS j SET
                    state = e.next_state,
                    scheduled_at = CASE WHEN e.next_state = 'retryable'
                        THEN now() + make_interval(secs => least($2::float8 * power($3::float8, least(j.attempt - 1, 60)), $4::float8)
                                                           * (1 + $5::float8 * (2 * random() - 1)))
                        ELSE j.scheduled_at END,
                    finalized_at = CASE WHEN e.next_state <> 'retryable' THEN now() END,
                    errors = \(leaseExpiredErrors("j")),
                    lease_owner = NULL,
                    lease_expires_at = NULL
                FROM expired AS e
                WHERE j.id = ANY (ARRAY(SELECT id FROM expired)) AND j.id = e.id
                  AND (e.next_state = 'retryable' OR \(JobHistorySQL.staysForUniqueness("j", finishingIn: "e.next_state")))
                RETURNING j.state
            ), moved AS (
                DELETE FROM kheo.jobs AS j
                USING expired AS e
                WHERE j.id = ANY (ARRAY(SELECT id FROM expired)) AND j.id = e.id
                  AND e.next_state <> 'retryable' AND NOT \(JobHistorySQL.staysForUniqueness("j", finishingIn: "e.next_state"))
                RETURNING j.*, e.next_state
            ), archived AS (
                \(JobHistorySQL.archive(from: "moved", overriding: [
                    "state": "moved.next_state", "finalized_at": "now()", "errors": leaseExpiredErrors("moved"),
                ]))
            ), rescued AS (
                SELECT state FROM kept UNION ALL SELECT next_state FROM moved
            )
            SELECT count(*) FILTER (WHERE state = 'retryable') AS retrying,
                   count(*) FILTER (WHERE state = 'discarded') AS discarded,
                   count(*) FILTER (WHERE state = 'cancelled') AS cancelled,
                   now() AS checked_at,
                   -- Every expired lease in the window, locked or not: more than were
                   -- rescued means some were skipped.
                   (SELECT count(*) FROM kheo.jobs
                    WHERE state = 'running' AND lease_expires_at < now() AND lease_expires_at >= $6::timestamptz) AS expired
            FROM rescued
            """
    )

    /// The job's errors (`job` an alias of a `kheo.jobs` row) with the lease's expiry
    /// appended, saying why the job ends when that was its last attempt.
    private static func leaseExpiredErrors(_ job: String) -> String {
        """
        \(job).errors || jsonb_build_array(jsonb_build_object(
                'attempt', \(job).attempt,
                'at', now(),
                'type', 'lease_expired',
                'error', format('the lease of worker %s expired at %s; it was killed, froze or lost the database%s',
                                \(job).lease_owner, \(job).lease_expires_at,
                                CASE WHEN \(job).cancel_requested_at IS NULL AND \(job).attempt >= \(job).max_attempts
                                     THEN format('; that was the last of its %s attempts, so it is discarded', \(job).max_attempts)
                                     ELSE '' END)))
        """
    }
}

/// A `Rescuer.Configuration` that cannot work, with what to change.
public enum RescuerConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid rescuer configuration: \(reason)"
        }
    }
}
