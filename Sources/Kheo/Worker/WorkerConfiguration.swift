public import PostgresClient

/// How a worker node runs: which queues, how many jobs at once, lease and timing.
public struct WorkerConfiguration: Sendable {
    /// A queue this node serves and how many of its jobs may run at once here.
    public struct Queue: Sendable, Equatable {
        public var name: String
        public var concurrency: Int
        /// The queue's limits across all nodes (see `QueueLimits`), written to
        /// `kheo.queues` when the node starts; `nil` leaves whatever is there (set by
        /// another node or `kheo queues limit`).
        public var limits: QueueLimits?

        public init(_ name: String, concurrency: Int, limits: QueueLimits? = nil) {
            self.name = name
            self.concurrency = concurrency
            self.limits = limits
        }
    }

    public var queues: [Queue]
    /// How long a claimed job stays leased without a heartbeat. The worker extends it
    /// every third of this; after it lapses any node may rescue the job. Short leases
    /// rescue sooner after a crash; each extension costs one statement per node, and a
    /// live node that cannot reach the database for longer than this (a PostgreSQL
    /// restart, a stalled network) loses its jobs to a rescue and its late writes are
    /// refused. The default, 5 s, has a killed worker's jobs running again elsewhere
    /// within 10 s (lease, a rescue round, the first retry's 2 s backoff).
    public var leaseDuration: Duration
    /// The safety-net poll when no notification arrives (notifications do the real work).
    public var pollInterval: Duration
    /// Where the node `LISTEN`s for new jobs when its database URL goes through a
    /// transaction pooler (`pool_mode=transaction`), which cannot carry `LISTEN`:
    /// PostgreSQL itself, one connection per node. Without it such a node hears
    /// nothing and polls every `pollIntervalWithoutNotifications` instead.
    public var notificationDatabase: PostgresConfiguration?
    /// The poll of a node that cannot listen: a new job waits up to this long (plus a
    /// claim) before a worker takes it. Each poll is one claim statement per node.
    public var pollIntervalWithoutNotifications: Duration
    /// How soon a node claims again from a queue whose limits held jobs back while they
    /// wait for running jobs to finish, on whichever node (a finish on this node claims
    /// at once, and a rate limit's next start is waited for exactly). Each such claim
    /// is one round trip per node.
    public var limitRecheckInterval: Duration
    /// How often this node looks for expired leases to rescue: a fifth of the lease
    /// (between 0.5 s and 15 s) unless set, so a lapsed lease waits little for a round.
    public var rescueInterval: Duration
    public var retryPolicy: RetryPolicy
    /// Connections for handlers' transactions (`JobContext.transaction`).
    public var handlerConnections: Int
    /// While the node is busy, how long a freed slot or a finished job's outcome may
    /// wait for others to share its round trip. A round trip goes at once when half a
    /// queue's slots are free (so an idle node claims the moment a job arrives), and
    /// otherwise at most this long after the previous one. Longer windows mean fewer,
    /// larger statements under load and a little more delay before a busy node takes
    /// its next job.
    public var batchWindow: Duration
    /// Stop once the queues hold nothing available, running or due (for batch runs and tests).
    public var stopWhenEmpty: Bool
    /// Jobs this node inserts on a schedule. Declare the same ones on every node; each
    /// fire is inserted once whatever the number of nodes.
    public var periodicJobs: [PeriodicJob]
    /// Retention of finished jobs; one node at a time prunes. `nil` never prunes.
    public var pruning: PruneConfiguration?
    /// How often to publish the depth of this node's queues as metrics gauges; `nil`
    /// for never (set it when a metrics backend is bootstrapped).
    public var queueGaugeInterval: Duration?

    public init(
        queues: [Queue] = [Queue("default", concurrency: 10)],
        leaseDuration: Duration = .seconds(5),
        pollInterval: Duration = .seconds(1),
        notificationDatabase: PostgresConfiguration? = nil,
        pollIntervalWithoutNotifications: Duration = .milliseconds(200),
        limitRecheckInterval: Duration = .milliseconds(100),
        rescueInterval: Duration? = nil,
        retryPolicy: RetryPolicy = RetryPolicy(),
        handlerConnections: Int? = nil,
        batchWindow: Duration = .milliseconds(5),
        stopWhenEmpty: Bool = false,
        periodicJobs: [PeriodicJob] = [],
        pruning: PruneConfiguration? = PruneConfiguration(),
        queueGaugeInterval: Duration? = nil
    ) {
        self.queues = queues
        self.leaseDuration = leaseDuration
        self.pollInterval = pollInterval
        self.notificationDatabase = notificationDatabase
        self.pollIntervalWithoutNotifications = pollIntervalWithoutNotifications
        self.limitRecheckInterval = limitRecheckInterval
        self.rescueInterval = rescueInterval ?? min(max(leaseDuration / 5, .milliseconds(500)), .seconds(15))
        self.retryPolicy = retryPolicy
        self.handlerConnections = handlerConnections ?? min(max(queues.reduce(0) { $0 + $1.concurrency }, 1), 10)
        self.batchWindow = batchWindow
        self.stopWhenEmpty = stopWhenEmpty
        self.periodicJobs = periodicJobs
        self.pruning = pruning
        self.queueGaugeInterval = queueGaugeInterval
    }

    /// Refuses a configuration that cannot work, naming the fault.
    func validate() throws(WorkerError) {
        guard !queues.isEmpty else { throw WorkerError(.invalidConfiguration("no queue to serve: name at least one")) }
        var seen: Set<String> = []
        for queue in queues {
            guard JobValidation.isName(queue.name, allowColon: false) else {
                throw WorkerError(.invalidConfiguration("invalid queue name \"\(queue.name)\": use 1 to 128 letters, digits, and . _ -"))
            }
            guard seen.insert(queue.name).inserted else {
                throw WorkerError(.invalidConfiguration("queue \(queue.name) is listed twice"))
            }
            guard (1...1000).contains(queue.concurrency) else {
                throw WorkerError(.invalidConfiguration("queue \(queue.name): concurrency \(queue.concurrency) is out of range 1…1000"))
            }
            do {
                try queue.limits?.validate()
            } catch {
                throw WorkerError(.invalidConfiguration("queue \(queue.name): \(error)"))
            }
        }
        guard leaseDuration >= .milliseconds(300) else {
            throw WorkerError(.invalidConfiguration("a lease of \(leaseDuration) is too short to extend in time: use 300 ms or more"))
        }
        if notificationDatabase?.poolMode == .transaction {
            throw WorkerError(.invalidConfiguration(
                "the notification database goes through a transaction pooler, which cannot carry LISTEN: give PostgreSQL's own address"
            ))
        }
        guard limitRecheckInterval >= .milliseconds(1) else {
            throw WorkerError(.invalidConfiguration("a limit recheck interval must be 1 ms or more"))
        }
        guard pollIntervalWithoutNotifications > .zero else {
            throw WorkerError(.invalidConfiguration("a poll interval without notifications must be above zero"))
        }
        guard batchWindow >= .zero, batchWindow <= .seconds(1) else {
            throw WorkerError(.invalidConfiguration("a batch window of \(batchWindow) is out of range 0…1 s"))
        }
        do {
            try Rescuer.Configuration(retryPolicy: retryPolicy).validate()
        } catch {
            throw WorkerError(.invalidConfiguration(error.description))
        }
        guard handlerConnections >= 1 else {
            throw WorkerError(.invalidConfiguration("handler connections must be at least 1"))
        }
        if let queueGaugeInterval, queueGaugeInterval < .milliseconds(100) {
            throw WorkerError(.invalidConfiguration("a queue gauge interval of \(queueGaugeInterval) is too short: use 100 ms or more"))
        }
        var periodicNames: Set<String> = []
        for entry in periodicJobs where !periodicNames.insert(entry.name).inserted {
            throw WorkerError(.invalidConfiguration("periodic job \(entry.name) is declared twice"))
        }
        if let pruning {
            for (state, retention) in pruning.retentions where retention < .zero {
                throw WorkerError(.invalidConfiguration("the retention of \(state.rawValue) jobs is negative"))
            }
            guard (1...100_000).contains(pruning.batchSize) else {
                throw WorkerError(.invalidConfiguration("a prune batch of \(pruning.batchSize) is out of range 1…100000"))
            }
            guard pruning.interval >= .milliseconds(10) else {
                throw WorkerError(.invalidConfiguration("a prune interval of \(pruning.interval) is too short: use 10 ms or more"))
            }
        }
    }
}
