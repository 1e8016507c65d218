public import Foundation
public import Logging
public import PostgresClient
import Synchronization

/// A worker process's engine: claims jobs from its queues and runs their handlers.
///
/// One control thread owns one connection and does all of the node's queue work
/// (claim, complete, extend leases, promote, rescue), deciding with a
/// `WorkerStateMachine`; a listener thread waits for `NOTIFY`; handlers run on Dispatch
/// runners (`JobRunners`). One maintenance thread (`Maintainer`) inserts periodic jobs,
/// publishes queue gauges and, on the leading node, prunes finished jobs and forgets
/// dead nodes. Handlers' transactions and maintenance use a small pool of their own.
///
/// ```swift
/// let node = try WorkerNode(database: configuration, registry: registry,
///                           configuration: WorkerConfiguration(queues: [.init("default", concurrency: 20)]))
/// try node.start()
/// node.stop(grace: .seconds(30))   // e.g. from a SIGTERM handler
/// node.wait()
/// ```
public final class WorkerNode: Sendable {
    /// This node's id: the lease owner of the jobs it runs.
    public let id: UUID
    public let configuration: WorkerConfiguration
    private let database: PostgresConfiguration
    private let registry: JobRegistry
    private let logger: Logger
    private let mailbox = Mailbox()
    private let handlerPool: PostgresConnectionPool
    /// None behind a transaction pooler with no `notificationDatabase`: the node polls.
    private let listener: NotificationListener?
    private let started = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)

    public init(
        database: PostgresConfiguration,
        registry: JobRegistry,
        configuration: WorkerConfiguration,
        logger: Logger = Logger(label: "kheo.worker")
    ) throws {
        try configuration.validate()
        self.id = UUID()
        self.database = database
        self.registry = registry
        let listenTo = database.poolMode == .session ? database : configuration.notificationDatabase
        var configuration = configuration
        if listenTo == nil {
            configuration.pollInterval = min(configuration.pollInterval, configuration.pollIntervalWithoutNotifications)
        }
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "node"] = "\(id.uuidString.lowercased().prefix(8))"
        self.logger = logger
        self.handlerPool = try PostgresConnectionPool(
            database, configuration: .init(maximumConnections: configuration.handlerConnections), logger: logger
        )
        let (mailbox, queues) = (self.mailbox, Set(configuration.queues.map(\.name)))
        self.listener = listenTo.map { NotificationListener(database: $0, mailbox: mailbox, queues: queues, logger: logger) }
        if listenTo == nil {
            logger.notice("no notifications through a transaction pooler: polling for new jobs", metadata: [
                "poll_interval": "\(configuration.pollInterval)",
                "hint": "give the node PostgreSQL's own address to listen on (kheo work --listen-url) for pickup in milliseconds",
            ])
        }
    }

    /// Connects, registers the node, starts listening for new jobs and starts claiming;
    /// when it returns, a job enqueued from then on wakes the node. Throws if the
    /// database cannot be reached now; once started, the node rides out outages by
    /// reconnecting.
    public func start() throws {
        guard started.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else {
            throw WorkerError(.alreadyStarted)
        }
        let startup = Mutex<Result<Void, any Error>?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let (id, configuration, registry, mailbox, database, handlerPool, logger) =
            (self.id, self.configuration, self.registry, self.mailbox, self.database, self.handlerPool, self.logger)
        let stopped = self.stopped
        let listener = self.listener
        DispatchQueue(label: "kheo.worker.control").async {
            let loop = WorkerLoop(
                nodeID: id, configuration: configuration, registry: registry, mailbox: mailbox,
                database: database, handlerPool: handlerPool, logger: logger
            )
            do {
                try loop.connect()
            } catch {
                startup.withLock { $0 = .failure(error) }
                ready.signal()
                stopped.signal()
                return
            }
            // Listening before `start` returns, so a job enqueued next wakes the node.
            listener?.start()
            startup.withLock { $0 = .success(()) }
            ready.signal()
            let maintenance = Self.startMaintenance(id: id, configuration: configuration, pool: handlerPool, logger: logger)
            loop.run()
            maintenance.stop()
            listener?.stop()
            handlerPool.close()
            stopped.signal()
        }
        ready.wait()
        if case .failure(let error)? = startup.withLock({ $0 }) { throw error }
    }

    /// Starts the node's maintenance on a thread of its own: periodic jobs and queue
    /// gauges on every node; pruning, the history's partitions and archiving, and
    /// forgetting dead nodes on the leader.
    private static func startMaintenance(
        id: UUID, configuration: WorkerConfiguration, pool: PostgresConnectionPool, logger: Logger
    ) -> ChoreThread {
        var services: [any MaintenanceService] = []
        if !configuration.periodicJobs.isEmpty {
            services.append(PeriodicEnqueuer(entries: configuration.periodicJobs, pool: pool, logger: logger))
        }
        if let interval = configuration.queueGaugeInterval {
            services.append(QueueGauges(queues: Set(configuration.queues.map(\.name)), interval: interval))
        }
        var longest = NodeReaper.Configuration().interval
        if let pruning = configuration.pruning, !pruning.retentions.isEmpty {
            services.append(Pruner(configuration: pruning))
            longest = max(longest, pruning.interval)
        }
        services.append(HistoryPartitions(configuration: .init(retention: configuration.pruning ?? PruneConfiguration())))
        services.append(HistoryArchiver())
        services.append(JobCountsFolder())
        services.append(NodeReaper())
        let maintainer = Maintainer(
            services: services, nodeID: id.uuidString.lowercased(), pool: pool, logger: logger, term: max(longest * 3, .seconds(30))
        )
        let thread = ChoreThread(label: "kheo.worker.maintenance")
        thread.start { maintainer.run(on: thread) }
        return thread
    }

    /// Stops claiming; running jobs get `grace` to finish, then are handed back as
    /// available. Returns at once; `wait()` returns when the node has stopped.
    public func stop(grace: Duration) {
        mailbox.post { $0.stop = .graceful(grace) }
    }

    /// Blocks until the node has stopped (after `stop`, or when the queues are empty
    /// with `stopWhenEmpty`).
    public func wait() {
        stopped.wait()
        stopped.signal()
    }
}
