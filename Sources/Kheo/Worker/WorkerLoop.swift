import Dispatch
import Foundation
import Logging
import PostgresClient

/// The I/O shell around `WorkerStateMachine`: it owns the node's one connection (one
/// thread, so no lock guards it), reads the `Mailbox` between turns, and does what the
/// machine asks — statements, handler stops, logs and metrics — feeding each answer
/// back as an event. Every decision (what to claim, when to write, which run lost its
/// lease, when to sleep) is the machine's; this file only carries them out.
final class WorkerLoop {
    /// What the machine carries for each run: the handler's context and its metrics.
    struct ActiveRun {
        let context: JobContext
        let metrics: KindMetrics
        var info: JobInfo { context.job }
    }

    typealias Machine = WorkerStateMachine<ActiveRun>

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
    /// Which expired leases the next rescue looks at.
    var rescueWindow = RescueWindow()
    /// This node's queues that have limits or are fair (`QueueLimits`), as of the last
    /// heartbeat: their claims go through `JobSQL.finishAndClaimLimited`.
    var limitedQueues: Set<String> = []
    /// Makes jobs available when their time comes; the machine says when.
    let promoter = Promoter()

    var machine: Machine
    var connection: PostgresConnection?
    var metrics = KindMetrics.Cache()

    init(
        nodeID: UUID,
        configuration: WorkerConfiguration,
        registry: JobRegistry,
        mailbox: Mailbox,
        database: PostgresConfiguration,
        handlerPool: PostgresConnectionPool,
        logger: Logger
    ) {
        self.nodeIDString = nodeID.uuidString.lowercased()
        self.configuration = configuration
        self.registry = registry
        self.mailbox = mailbox
        self.database = database
        self.handlerPool = handlerPool
        self.logger = logger
        self.rescuer = Rescuer(configuration: .init(retryPolicy: configuration.retryPolicy))
        self.machine = Machine(settings: .init(configuration, nodeID: nodeIDString), now: clock.now)
    }

    /// Connects and registers the node; the first failure is the caller's to report.
    /// The connection runs with `WorkerSession.settings` (for the session, or for
    /// each transaction behind a transaction pooler).
    func connect() throws {
        let connection = try PostgresConnection.connect(to: database, logger: logger)
        try connection.use(settings: WorkerSession.settings)
        try register(on: connection)
        self.connection = connection
        if machine.connected(now: clock.now) { logger.notice("reconnected to the database") }
    }

    /// Runs until stopped (or, with `stopWhenEmpty`, until the queues are empty).
    func run() {
        logger.info("worker started", metadata: [
            "queues": "\(configuration.queues.map { "\($0.name)=\($0.concurrency)" }.joined(separator: ","))",
            "lease": "\(configuration.leaseDuration)",
        ])
        running: while true {
            absorb(mailbox.take())
            machine.beginTurn()
            while true {
                switch machine.nextAction(now: clock.now) {
                case .sleep(let duration, let finishedRuns):
                    mailbox.wait(timeout: duration, finishedRuns: finishedRuns)
                    continue running
                case .exit(let drained):
                    if drained { logger.info("queues are empty; stopping") }
                    break running
                case .giveUp:
                    logger.error("the database stayed unreachable past the grace period; exiting, leases will expire and other nodes rescue the jobs")
                    break running
                case .expire(let run, let verdict, let limit):
                    run.context.requestStop(.timeout)
                    report(verdict, of: run, duration: limit)
                case .handBack(let run):
                    run.context.requestStop(.shutdown)
                    run.context.logger.notice("job handed back as available: the grace period ended before it finished")
                case .connect:
                    do {
                        try connect()
                    } catch {
                        connection = nil
                        let wait = machine.connectFailed(now: clock.now)
                        logger.warning("database unreachable; retrying", metadata: ["error": "\(error)", "retry_in": "\(wait)"])
                    }
                case .promoteDue:
                    perform { try promoteDueJobs() }
                case .refreshNextDue:
                    perform { try refreshNextDue() }
                case .finishAndClaim(let writes, let claims):
                    perform { try finishAndClaim(writes, claims) }
                case .extendLeases(let leases):
                    perform { try extendLeases(leases) }
                case .rescue:
                    perform { try rescueExpiredJobs() }
                case .checkDrained:
                    perform { try checkDrained() }
                }
            }
        }
        unregister()
        logger.info("worker stopped")
    }

    /// Takes in what other threads posted.
    private func absorb(_ mail: Mailbox.Contents) {
        let now = clock.now
        if case .graceful(let grace)? = mail.stop, machine.stopRequested(grace: grace, now: now) {
            logger.info("stopping: no new claims; running jobs have the grace period to finish", metadata: [
                "grace": "\(grace)", "running": "\(machine.running.count)",
            ])
        }
        if mail.wakeAll { machine.everyQueueWoken() }
        machine.queuesWoken(mail.wokenQueues, now: now)
        for id in mail.cancelRequested {
            if let run = machine.cancelRequested(id) { stopCancelled(run) }
        }
        for finished in mail.finished {
            guard let (run, verdict) = machine.runFinished(id: finished.jobID, attempt: finished.attempt, outcome: finished.outcome, now: now) else {
                logger.debug("result of an abandoned run ignored", metadata: ["job_id": "\(finished.jobID)", "attempt": "\(finished.attempt)"])
                continue
            }
            report(verdict, of: run, duration: finished.duration)
        }
    }

    /// Tells a running job's handler that an operator cancelled it.
    func stopCancelled(_ run: ActiveRun) {
        run.context.requestStop(.cancelled)
        run.context.logger.notice("cancel requested by an operator; the handler is told to stop")
    }

    /// Runs one database action; a failure goes to the machine, which decides what
    /// becomes of the pending writes and when to reconnect.
    private func perform(_ action: () throws -> Void) {
        do {
            try action()
        } catch {
            let open = connection?.isOpen ?? false
            connection = nil
            switch machine.databaseFailed(connectionOpen: open, now: clock.now) {
            case .replaceConnection(let dropped):
                logger.error("a worker statement failed; its writes are dropped and those jobs will be rescued when their leases expire", metadata: [
                    "error": "\(error)", "writes": "\(dropped)",
                ])
            case .reconnect:
                logger.warning("lost the database connection; reconnecting", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The connection the machine believes is open.
    var live: PostgresConnection {
        guard let connection else { preconditionFailure("the worker state machine asked for a statement without a connection") }
        return connection
    }
}
