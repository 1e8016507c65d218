import Dispatch
import Foundation
import Logging
import PostgresClient

/// The control loop of one worker node. It alone talks to the database for the node
/// (one connection, one thread), so no lock guards its state: handlers and the
/// listener reach it only through the `Mailbox`.
///
/// Each turn: take the mail, time out overdue runs, then in one round trip write the
/// outcomes of finished runs and claim jobs for the free slots; extend leases, promote
/// due jobs and rescue expired ones when their time comes; then sleep until the next
/// thing can happen.
final class WorkerLoop {
    /// One slot per unit of concurrency: a claim asks for as many jobs as there are
    /// free slots, so no more jobs run at once than the queue allows.
    struct Slots {
        let concurrency: Int
        var free: [Int]
        /// There may be jobs to claim: a notification came, a poll is due, or the last
        /// claim filled every slot it asked for.
        var wantsClaim = true

        var canClaim: Bool { wantsClaim && !free.isEmpty }
        /// Enough free slots to claim without waiting for the batch window.
        var claimNow: Bool { wantsClaim && free.count >= batchThreshold }
        var batchThreshold: Int { max(1, concurrency / 2) }
        /// Where the next claim reads the claim index from (see `JobSQL.finishAndClaim`).
        var cursor = ClaimCursor.head
        var cursorSince: ContinuousClock.Instant
    }

    struct RunningJob {
        let info: JobInfo
        let context: JobContext
        let slot: Int
        let started: ContinuousClock.Instant
        let deadline: ContinuousClock.Instant
        let retryDelay: @Sendable (Int) -> Duration?
        let metrics: KindMetrics
    }

    /// Jobs to claim from one queue.
    struct Claim {
        let queue: String
        let slots: Int
        let after: ClaimCursor
    }

    /// A state change waiting for the next round trip.
    struct PendingWrite {
        let id: Int64
        let attempt: Int32
        let state: JobState
        let delayMicroseconds: Int64
        let errorJSON: String
    }

    let nodeID: UUID
    let nodeIDString: String
    let configuration: WorkerConfiguration
    let registry: JobRegistry
    let mailbox: Mailbox
    let database: PostgresConfiguration
    let handlerPool: PostgresConnectionPool
    let runners = JobRunners(label: "kheo.worker.runner")
    let logger: Logger
    let clock = ContinuousClock()
    /// Gives dead workers' jobs another attempt, with the node's retry policy.
    let rescuer: Rescuer

    var connection: PostgresConnection?
    var slots: [String: Slots] = [:]
    let queueNames: [String]
    var running: [Int64: RunningJob] = [:]
    var pending: [PendingWrite] = []
    var metrics = KindMetrics.Cache()

    var stopDeadline: ContinuousClock.Instant?
    var nextPoll: ContinuousClock.Instant
    var nextLeaseExtension: ContinuousClock.Instant
    var nextRescue: ContinuousClock.Instant
    var nextDue: ContinuousClock.Instant?
    var dueRefreshAt: ContinuousClock.Instant?
    var reconnectAt: ContinuousClock.Instant?
    var reconnectBackoff = Duration.milliseconds(100)
    var nextEmptinessCheck: ContinuousClock.Instant
    var exitRequested = false
    /// When the last finish-and-claim round trip went (see `batchWindow`).
    var lastRoundTrip: ContinuousClock.Instant
    /// Outcomes that are worth a round trip of their own without waiting.
    let writeBatchThreshold: Int

    init(
        nodeID: UUID,
        configuration: WorkerConfiguration,
        registry: JobRegistry,
        mailbox: Mailbox,
        database: PostgresConfiguration,
        handlerPool: PostgresConnectionPool,
        logger: Logger
    ) {
        self.nodeID = nodeID
        self.nodeIDString = nodeID.uuidString.lowercased()
        self.configuration = configuration
        self.registry = registry
        self.mailbox = mailbox
        self.database = database
        self.handlerPool = handlerPool
        self.logger = logger
        self.rescuer = Rescuer(configuration: .init(retryPolicy: configuration.retryPolicy))
        self.queueNames = configuration.queues.map(\.name)
        for queue in configuration.queues {
            slots[queue.name] = Slots(
                concurrency: queue.concurrency,
                free: Array((0..<queue.concurrency).reversed()),
                cursorSince: clock.now
            )
        }
        let now = clock.now
        nextPoll = now + configuration.pollInterval
        nextLeaseExtension = now + configuration.leaseDuration / 3
        nextRescue = now
        nextEmptinessCheck = now
        dueRefreshAt = now
        lastRoundTrip = now - configuration.batchWindow
        writeBatchThreshold = max(1, configuration.queues.reduce(0) { $0 + $1.concurrency } / 2)
    }

    /// Connects and registers the node; the first failure is the caller's to report.
    /// The connection gets `WorkerSession.settings`: outcomes and claims commit
    /// without waiting for the WAL flush, and statements are planned once.
    func connect() throws {
        let connection = try PostgresConnection.connect(to: database, logger: logger)
        try connection.execute(script: WorkerSession.script)
        try register(on: connection)
        self.connection = connection
    }

    /// Runs until stopped (or, with `stopWhenEmpty`, until the queues are empty).
    func run() {
        logger.info("worker started", metadata: [
            "queues": "\(configuration.queues.map { "\($0.name)=\($0.concurrency)" }.joined(separator: ","))",
            "lease": "\(configuration.leaseDuration)",
        ])
        while !exitRequested {
            absorb(mailbox.take())
            let now = clock.now
            expireTimeouts(now)
            if let stopDeadline, now >= stopDeadline { handBackRunning() }
            if ensureConnected(now) {
                do {
                    try turn(now)
                } catch {
                    handleDatabaseError(error)
                }
            } else if let stopDeadline, now >= stopDeadline + .seconds(5) {
                logger.error("the database stayed unreachable past the grace period; exiting, leases will expire and other nodes rescue the jobs")
                break
            }
            if exitRequested { break }
            mailbox.wait(timeout: sleepTime(clock.now), finishedRuns: finishedRunsWorthWaking())
        }
        unregister()
        logger.info("worker stopped")
    }

    /// One turn with a live connection.
    private func turn(_ now: ContinuousClock.Instant) throws {
        if let due = nextDue, due <= now { try promoteDueJobs() }
        if now >= nextPoll {
            nextPoll = now + configuration.pollInterval
            wantEverything()
            dueRefreshAt = now
        }
        if let refresh = dueRefreshAt, refresh <= now { try refreshNextDue() }
        if roundTripDue(now) {
            lastRoundTrip = now
            try finishAndClaim(stopDeadline == nil ? wantedClaims(now) : [])
        }
        if clock.now >= nextLeaseExtension { try extendLeases() }
        if clock.now >= nextRescue { try rescueExpiredJobs() }
        if stopDeadline != nil, running.isEmpty, pending.isEmpty {
            exitRequested = true
        } else if configuration.stopWhenEmpty, stopDeadline == nil, try isDrained() {
            logger.info("queues are empty; stopping")
            exitRequested = true
        }
    }

    /// Whether to write outcomes and claim now, or let more gather first. Only a busy
    /// node waits: one running fewer jobs than `writeBatchThreshold` writes each
    /// outcome at once, so a lone completion never rides on (and slows) the next
    /// claim. Stopping nodes write at once too: their outcomes are all that is left.
    private func roundTripDue(_ now: ContinuousClock.Instant) -> Bool {
        let claiming = stopDeadline == nil
        let windowPassed = now >= lastRoundTrip + configuration.batchWindow || !claiming
        if !pending.isEmpty, windowPassed || pending.count >= writeBatchThreshold || running.count < writeBatchThreshold {
            return true
        }
        guard claiming else { return false }
        return slots.values.contains { $0.claimNow || ($0.canClaim && windowPassed) }
    }

    /// How many more finished runs would make a round trip due before the window ends.
    private func finishedRunsWorthWaking() -> Int {
        var wanted = min(writeBatchThreshold - pending.count, running.count - writeBatchThreshold + 1)
        if stopDeadline == nil {
            for queue in slots.values where queue.wantsClaim {
                wanted = min(wanted, queue.batchThreshold - queue.free.count)
            }
        }
        return max(1, wanted)
    }

    /// The queues to claim from, each with its number of free slots and its cursor.
    /// A cursor goes back to the head when it is older than `ClaimCursor.maximumAge`.
    private func wantedClaims(_ now: ContinuousClock.Instant) -> [Claim] {
        var claims: [Claim] = []
        for name in queueNames {
            guard var queue = slots[name], queue.canClaim else { continue }
            let age = queue.cursorSince.duration(to: now)
            if !queue.cursor.isHead, age >= ClaimCursor.maximumAge { queue.cursor = .head }
            slots[name] = queue
            claims.append(Claim(queue: name, slots: queue.free.count, after: queue.cursor))
        }
        return claims
    }

    /// Every queue may have jobs, and they may sort anywhere: claim from the head.
    func wantEverything() {
        for name in queueNames {
            slots[name]?.wantsClaim = true
        }
    }

    /// True when nothing is left to do here or anywhere in these queues.
    private func isDrained() throws -> Bool {
        guard mayBeDrained else { return false }
        let now = clock.now
        guard now >= nextEmptinessCheck else { return false }
        nextEmptinessCheck = now + .milliseconds(100)
        let row = try connection!.query(JobSQL.hasPendingWork, queueNames).single()
        return try !row.decode("pending", as: Bool.self)
    }

    /// Nothing runs, waits to be written or to be claimed here: only the database can
    /// tell whether the queues are empty.
    private var mayBeDrained: Bool {
        running.isEmpty && pending.isEmpty && !queueNames.contains(where: { slots[$0]?.wantsClaim == true })
    }

    /// How long to sleep: until the earliest thing that needs a turn.
    private func sleepTime(_ now: ContinuousClock.Instant) -> Duration {
        var wake = nextPoll
        if connection != nil {
            if roundTripDue(now) { return .zero }
            let waiting = !pending.isEmpty || (stopDeadline == nil && slots.values.contains(where: \.canClaim))
            if waiting { wake = min(wake, lastRoundTrip + configuration.batchWindow) }
        }
        if let reconnectAt, connection == nil { wake = min(wake, reconnectAt) }
        if let nextDue { wake = min(wake, nextDue) }
        if let dueRefreshAt { wake = min(wake, dueRefreshAt) }
        if !running.isEmpty { wake = min(wake, nextLeaseExtension) }
        wake = min(wake, nextRescue)
        if let stopDeadline { wake = min(wake, stopDeadline) }
        // Only when the check could pass: a busy node that woke for it would spin.
        if configuration.stopWhenEmpty, mayBeDrained { wake = min(wake, nextEmptinessCheck) }
        for job in running.values { wake = min(wake, job.deadline) }
        return max(.zero, now.duration(to: wake))
    }

    /// Takes in what other threads posted.
    private func absorb(_ mail: Mailbox.Contents) {
        if case .graceful(let grace)? = mail.stop, stopDeadline == nil {
            stopDeadline = clock.now + grace
            logger.info("stopping: no new claims; running jobs have the grace period to finish", metadata: [
                "grace": "\(grace)", "running": "\(running.count)",
            ])
        }
        if mail.wakeAll { wantEverything() }
        if !mail.wokenQueues.isEmpty {
            for name in mail.wokenQueues {
                slots[name]?.wantsClaim = true
            }
            // A notification may announce a job scheduled for later: learn when it is due,
            // at most every 50 ms however fast notifications come.
            if dueRefreshAt == nil { dueRefreshAt = clock.now + .milliseconds(50) }
        }
        for id in mail.cancelRequested { requestCancel(of: id) }
        for run in mail.finished {
            guard let job = running[run.jobID], job.info.attempt == run.attempt else {
                logger.debug("result of an abandoned run ignored", metadata: ["job_id": "\(run.jobID)", "attempt": "\(run.attempt)"])
                continue
            }
            running[run.jobID] = nil
            slots[job.info.queue]?.free.append(job.slot)
            record(run.outcome, of: job, duration: run.duration)
        }
    }

    /// Runs past their kind's timeout are told to stop and recorded as failed; their
    /// slot gets a fresh queue because the old one is still busy with the runaway handler.
    private func expireTimeouts(_ now: ContinuousClock.Instant) {
        for (id, job) in running where job.deadline <= now {
            job.context.requestStop(.timeout)
            abandon(id)
            let limit = job.started.duration(to: job.deadline)
            record(.failed(message: "the attempt ran past its timeout of \(limit)", type: "timeout"), of: job, duration: limit)
        }
    }

    /// The grace period is over: tell running handlers to stop and give their jobs back.
    private func handBackRunning() {
        guard !running.isEmpty else { return }
        for (id, job) in running {
            job.context.requestStop(.shutdown)
            abandon(id)
            pending.append(PendingWrite(id: id, attempt: Int32(job.info.attempt), state: .available, delayMicroseconds: 0, errorJSON: ""))
            job.context.logger.notice("job handed back as available: the grace period ended before it finished")
        }
    }

    /// Tells a running job's handler that an operator cancelled it. Its outcome is
    /// then written as cancelled unless it completes (see `record`).
    func requestCancel(of id: Int64) {
        guard let job = running[id], job.context.stopReason == nil else { return }
        job.context.requestStop(.cancelled)
        job.context.logger.notice("cancel requested by an operator; the handler is told to stop")
    }

    /// Forgets a run whose handler may still be going and frees its slot; the next job
    /// gets a runner of its own while that handler keeps the old one busy.
    func abandon(_ id: Int64) {
        guard let job = running.removeValue(forKey: id) else { return }
        slots[job.info.queue]?.free.append(job.slot)
    }

    /// Reconnects after a failure, with backoff. Returns true when connected.
    private func ensureConnected(_ now: ContinuousClock.Instant) -> Bool {
        if let connection, connection.isOpen { return true }
        if let reconnectAt, now < reconnectAt { return false }
        do {
            try connect()
            logger.notice("reconnected to the database")
            reconnectAt = nil
            reconnectBackoff = .milliseconds(100)
            wantEverything()
            dueRefreshAt = clock.now
            return true
        } catch {
            connection = nil
            reconnectAt = now + reconnectBackoff
            logger.warning("database unreachable; retrying", metadata: ["error": "\(error)", "retry_in": "\(reconnectBackoff)"])
            reconnectBackoff = min(reconnectBackoff * 2, .seconds(5))
            return false
        }
    }

    /// A broken connection is replaced on the next turn and the pending writes are sent
    /// again (they are fenced, so sending twice is harmless). Any other error is a fault
    /// in a statement: the writes are dropped and their jobs' leases let them be rescued.
    private func handleDatabaseError(_ error: any Error) {
        if let connection, connection.isOpen {
            logger.error("a worker statement failed; its writes are dropped and those jobs will be rescued when their leases expire", metadata: [
                "error": "\(error)", "writes": "\(pending.count)",
            ])
            pending.removeAll()
            reconnectAt = clock.now + .seconds(1)
            self.connection = nil
        } else {
            logger.warning("lost the database connection; reconnecting", metadata: ["error": "\(error)"])
            connection = nil
            reconnectAt = clock.now + reconnectBackoff
        }
    }
}
