extension WorkerStateMachine {
    /// What the machine needs to know of a node's configuration.
    struct Settings: Sendable {
        var queues: [(name: String, concurrency: Int)]
        var leaseDuration: Duration
        var pollInterval: Duration
        var rescueInterval: Duration
        var batchWindow: Duration
        var limitRecheckInterval: Duration
        var retryPolicy: RetryPolicy
        var stopWhenEmpty: Bool
        /// Written into each error entry, so an operator sees which node failed a job.
        var nodeID: String

        init(_ configuration: WorkerConfiguration, nodeID: String) {
            queues = configuration.queues.map { ($0.name, $0.concurrency) }
            leaseDuration = configuration.leaseDuration
            pollInterval = configuration.pollInterval
            rescueInterval = configuration.rescueInterval
            batchWindow = configuration.batchWindow
            limitRecheckInterval = configuration.limitRecheckInterval
            retryPolicy = configuration.retryPolicy
            stopWhenEmpty = configuration.stopWhenEmpty
            self.nodeID = nodeID
        }
    }

    /// The one thing the driver should do next. Database actions are answered with the
    /// matching event (`claimReturned`, `promoted`, …) or with `databaseFailed`.
    enum Action {
        /// Tell the run's handler to stop: it ran past its timeout. Its failure is
        /// already written; log and count it with `verdict`.
        case expire(Handle, verdict: Verdict, limit: Duration)
        /// Tell the run's handler to stop: the grace period ended. Its job goes back as
        /// available.
        case handBack(Handle)
        /// Open a connection and register the node; answer `connected` or `connectFailed`.
        case connect
        /// The database stayed unreachable past the grace period: give up. Leases will
        /// expire and other nodes rescue the jobs.
        case giveUp
        /// Make due scheduled and retryable jobs available (`Promoter`); answer `promoted`.
        case promoteDue
        /// Ask when the next job is due (`Promoter.nextDue`); answer `learnedNextDue`.
        case refreshNextDue
        /// Write these outcomes and claim for these slots in one round trip; answer `claimReturned`.
        case finishAndClaim(writes: [PendingWrite], claims: [Claim])
        /// Send the node's heartbeat and extend these runs' leases; answer `leasesExtended`.
        case extendLeases([LeaseHolder])
        /// Rescue dead workers' jobs (`Rescuer`); answer `rescued`.
        case rescue
        /// Ask whether the queues hold anything; answer `drainChecked`.
        case checkDrained
        /// Nothing to do before `duration` passes, unless mail comes; a busy node is
        /// woken only once `finishedRuns` runs have finished.
        case sleep(Duration, finishedRuns: Int)
        /// Unregister and end: stopped, or (`drained`) the queues are empty.
        case exit(drained: Bool)
    }

    /// Jobs to claim from one queue.
    struct Claim: Equatable, Sendable {
        let queue: String
        let slots: Int
        let after: ClaimCursor
    }

    /// A state change waiting for the next round trip.
    struct PendingWrite: Equatable, Sendable {
        let id: Int64
        let attempt: Int32
        let state: JobState
        let delayMicroseconds: Int64
        let errorJSON: String
    }

    /// A run whose lease the node asks to extend.
    struct LeaseHolder: Equatable, Sendable {
        let id: Int64
        let attempt: Int32
    }

    /// One job the claim returned, as far as the machine needs it.
    struct ClaimedJob {
        let id: Int64
        let queue: String
        let attempt: Int
        let maxAttempts: Int
        let position: ClaimCursor
        let handler: HandlerFacts
    }

    /// Whether this node has a handler for a claimed job's kind.
    enum HandlerFacts {
        case known(timeout: Duration, retryDelay: @Sendable (Int) -> Duration?, handle: Handle)
        /// The job is discarded with this message.
        case unknown(message: String)
    }

    /// The answer to `claimReturned`.
    struct ClaimReport {
        /// The handles of the claimed jobs that got a slot and should start now.
        var started: [Handle] = []
        /// Writes that the server refused: this node no longer held their leases.
        var fenced: [PendingWrite] = []
    }

    /// The answer to `leasesExtended`.
    struct LeaseReport {
        /// Runs an operator cancelled (the notification may have been missed): tell
        /// their handlers to stop.
        var cancelled: [Handle] = []
        /// Runs whose lease is gone: tell their handlers to stop; their outcome will not be written.
        var lost: [Handle] = []
    }

    /// What became of a finished run, for the driver to log and count. The write it
    /// implies is already pending.
    enum Verdict: Equatable, Sendable {
        case completed
        /// The handler committed the completion itself; nothing to write.
        case completedInTransaction
        case retry(after: Duration, message: String)
        /// The last attempt failed.
        case discardedAfterLastAttempt(message: String)
        case snoozed(Duration)
        case cancelled(reason: String)
        case discarded(reason: String)

        /// Verdicts logged only at debug level; skipping their logger saves work per job.
        var isQuiet: Bool {
            switch self {
            case .completed, .completedInTransaction, .snoozed: true
            case .retry, .discardedAfterLastAttempt, .cancelled, .discarded: false
            }
        }
    }

    /// What the driver does after a statement failed.
    enum FailureResponse: Equatable {
        /// The connection broke: reconnect after the backoff and send the pending writes
        /// again (they are fenced, so sending twice is harmless).
        case reconnect(after: Duration)
        /// A statement failed on a live connection: its writes were dropped (their jobs
        /// are rescued when their leases expire) and the connection is replaced.
        case replaceConnection(droppedWrites: Int)
    }
}
