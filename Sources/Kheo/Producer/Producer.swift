import Foundation
public import PostgresClient

/// Writes jobs into `kheo.jobs`.
///
/// An enqueue is a plain INSERT on the executor you pass: give it the connection of
/// your own open transaction and the job commits or rolls back with your rows; give it
/// a pool and it commits at once. Inserted jobs wake idle workers through `NOTIFY`,
/// once per statement and queue (see the `jobs_notify_inserted` trigger).
///
/// ```swift
/// let producer = Producer()
/// try pool.transaction { connection in
///     try connection.query("INSERT INTO deadlines …")
///     try producer.enqueue(SendReminder(deadlineID: id, daysAhead: 7), on: connection)
/// }
/// ```
public struct Producer: Sendable {
    /// The largest args, in bytes of JSON, a job may carry.
    public var maxArgsBytes: Int

    public static let defaultMaxArgsBytes = 1 << 20

    public init(maxArgsBytes: Int = Producer.defaultMaxArgsBytes) {
        self.maxArgsBytes = maxArgsBytes
    }

    /// Enqueues one typed job and returns its id.
    @discardableResult
    public func enqueue<Args: JobArgs>(
        _ args: Args,
        options: EnqueueOptions = EnqueueOptions(),
        on executor: some PostgresExecutor
    ) throws -> Int64 {
        try enqueue(JobRequest(args, options: options), on: executor)
    }

    /// Enqueues one job and returns its id: for a unique job that already exists, the
    /// existing job's id (use `insert` to learn which).
    @discardableResult
    public func enqueue(_ request: JobRequest, on executor: some PostgresExecutor) throws -> Int64 {
        try insert(request, on: executor).id
    }

    /// Enqueues one job and says whether it was inserted or, being unique, matched an
    /// existing job.
    public func insert(_ request: JobRequest, on executor: some PostgresExecutor) throws -> EnqueuedJob {
        try JobValidation.check(request, argsLimit: maxArgsBytes)
        let options = request.options
        let (at, delay) = Self.schedule(options.schedule)
        guard let unique = options.unique else {
            let row = try executor.query(
                JobSQL.insertOne,
                options.queue, request.kind, request.argsJSON, Int32(options.priority),
                at, delay, Int32(options.maxAttempts), options.tags, request.partitionKey
            ).single()
            JobMetrics.countEnqueued(queue: options.queue, kind: request.kind)
            return EnqueuedJob(id: try row.decode("id"), isDuplicate: false)
        }
        let row = try executor.query(
            JobSQL.insertUnique,
            options.queue, request.kind, request.argsJSON, Int32(options.priority),
            at, delay, Int32(options.maxAttempts), options.tags,
            unique.byArgs, unique.byQueue, unique.periodSeconds, unique.extra, unique.states.map(\.rawValue),
            request.partitionKey
        ).single()
        let job = EnqueuedJob(id: try row.decode("id"), isDuplicate: try row.decode("duplicate"))
        if !job.isDuplicate { JobMetrics.countEnqueued(queue: options.queue, kind: request.kind) }
        return job
    }

    /// Enqueues many typed jobs with the same options in one round trip.
    @discardableResult
    public func enqueueMany<Args: JobArgs>(
        _ args: [Args],
        options: EnqueueOptions = EnqueueOptions(),
        on executor: some PostgresExecutor
    ) throws -> [Int64] {
        var requests: [JobRequest] = []
        requests.reserveCapacity(args.count)
        for value in args { requests.append(try JobRequest(value, options: options)) }
        return try enqueueMany(requests, on: executor)
    }

    /// Enqueues many jobs in one statement and returns their ids in the order given.
    ///
    /// Every request is checked first: one bad job refuses the whole batch and
    /// nothing is written. The statement is atomic on its own, and part of the
    /// caller's transaction when `executor` is a connection inside one.
    ///
    /// Unique jobs in a batch are inserted one statement each (two of them may share a
    /// key, which one statement cannot resolve), in one transaction with the rest: the
    /// caller's, or one of their own when `executor` is a pool.
    @discardableResult
    public func enqueueMany(_ requests: [JobRequest], on executor: some PostgresExecutor) throws -> [Int64] {
        guard let first = requests.first else { return [] }
        if requests.contains(where: { $0.options.unique != nil }) {
            for request in requests { try JobValidation.check(request, argsLimit: maxArgsBytes) }
            if let pool = executor as? PostgresConnectionPool {
                return try pool.transaction { connection in try requests.map { try enqueue($0, on: connection) } }
            }
            return try requests.map { try enqueue($0, on: executor) }
        }
        let shared = requests.allSatisfy { $0.kind == first.kind && $0.options == first.options }
        let result = try shared ? insertShared(requests, on: executor) : insertMixed(requests, on: executor)
        var ids: [Int64] = []
        ids.reserveCapacity(result.count)
        for row in result { ids.append(try row.decode(0)) }
        // Identity values are drawn in the order unnest yields rows, which is input order.
        ids.sort()
        if shared {
            JobMetrics.countEnqueued(queue: first.options.queue, kind: first.kind, by: requests.count)
        } else {
            JobMetrics.countEnqueued(requests)
        }
        return ids
    }

    /// One kind and one set of options: the options are checked once and sent once.
    private func insertShared(_ requests: [JobRequest], on executor: some PostgresExecutor) throws -> PostgresResult {
        let first = requests[0]
        try JobValidation.check(first, argsLimit: maxArgsBytes)
        var args: [String] = []
        var keys: [String?] = []
        args.reserveCapacity(requests.count)
        for request in requests {
            try JobValidation.checkArgs(of: request, limit: maxArgsBytes)
            args.append(request.argsJSON)
            if let key = request.partitionKey { try JobValidation.checkPartitionKey(key) }
        }
        // Keys travel only when some job has one (a report per unit, keyed by its unit).
        if requests.contains(where: { $0.partitionKey != nil }) { keys = requests.map(\.partitionKey) }
        let options = first.options
        let (at, delay) = Self.schedule(options.schedule)
        return try executor.query(
            JobSQL.insertManyShared,
            options.queue, first.kind, args, Int32(options.priority), at, delay, Int32(options.maxAttempts), options.tags, keys
        )
    }

    /// Any mix of kinds and options: one array per column.
    private func insertMixed(_ requests: [JobRequest], on executor: some PostgresExecutor) throws -> PostgresResult {
        let count = requests.count
        var queues: [String] = [], kinds: [String] = [], args: [String] = [], tags: [String] = []
        var priorities: [Int32] = [], attempts: [Int32] = [], atMicros: [Int64?] = [], delays: [Int64] = []
        var keys: [String?] = []
        keys.reserveCapacity(count)
        queues.reserveCapacity(count); kinds.reserveCapacity(count); args.reserveCapacity(count); tags.reserveCapacity(count)
        priorities.reserveCapacity(count); attempts.reserveCapacity(count); atMicros.reserveCapacity(count); delays.reserveCapacity(count)
        for request in requests {
            try JobValidation.check(request, argsLimit: maxArgsBytes)
            let options = request.options
            let (at, delay) = Self.schedule(options.schedule)
            queues.append(options.queue)
            kinds.append(request.kind)
            args.append(request.argsJSON)
            priorities.append(Int32(options.priority))
            attempts.append(Int32(options.maxAttempts))
            atMicros.append(at.map { Int64(($0.timeIntervalSince1970 * 1_000_000).rounded()) })
            delays.append(delay)
            tags.append(try options.tags.postgresText() ?? "{}")
            keys.append(request.partitionKey)
        }
        return try executor.query(JobSQL.insertMany, queues, kinds, args, priorities, attempts, atMicros, delays, tags, keys)
    }

    /// An absolute time, or a delay in microseconds counted from the server's clock.
    private static func schedule(_ schedule: EnqueueOptions.Schedule) -> (Date?, Int64) {
        switch schedule {
        case .now: (nil, 0)
        case .at(let date): (date, 0)
        case .after(let delay): (nil, delay.inMicroseconds)
        }
    }
}

extension Producer {
    /// Checks a job against the rules `enqueue` applies, without writing anything.
    public func validate(_ request: JobRequest) throws(EnqueueError) {
        try JobValidation.check(request, argsLimit: maxArgsBytes)
    }
}
