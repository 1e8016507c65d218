package import Foundation
import KheoCLIKit
import LocalPostgres
import Kheo
package import Logging
package import PostgresClient
import Synchronization

/// The measurements of `kheo bench`, each beside its pgbench ceiling or its baseline.
package struct Bench {
    let configuration: PostgresConfiguration
    let sizes: BenchSizes
    let parts: Set<BenchPart>
    let logger: Logger
    let progress: (String) -> Void
    let connection: PostgresConnection
    let pgbench: Pgbench

    static let queuePrefix = "kheo-bench-"

    package init(
        configuration: PostgresConfiguration, sizes: BenchSizes, parts: Set<BenchPart>, logger: Logger,
        progress: @escaping (String) -> Void
    ) throws {
        self.configuration = configuration
        self.sizes = sizes
        self.parts = parts
        self.logger = logger
        self.progress = progress
        self.connection = try PostgresConnection.connect(to: configuration, logger: logger)
        self.pgbench = try Pgbench.locate(url: configuration.url)
    }

    package func run(databaseSummary: String) throws -> BenchReport {
        try cleanUp()
        defer { try? cleanUp() }
        var report = BenchReport(database: databaseSummary)
        if parts.contains(.single) { report.singleEnqueue = try singleEnqueue() }
        if parts.contains(.bulk) { report.bulkEnqueue = try bulkEnqueue() }
        // Latency before the drain: after a million-job drain the server spends a while
        // vacuuming and checkpointing, and latency is measured with idle workers on an
        // idle database.
        if parts.contains(.latency) {
            try connection.execute(script: "CHECKPOINT")
            report.pickupLatency = try pickupLatency()
            report.pickupBehindPgBouncer = try pickupLatencyBehindPgBouncer()
        }
        if parts.contains(.drain) { (report.drain, report.drainSeconds, report.workerMemory) = try drain() }
        if parts.contains(.history) { report.claimHistory = try claimWithHistory() }
        if parts.contains(.reader) { report.readerDrain = try drainWithReader() }
        if parts.contains(.burst) {
            report.burst = try burst()
        } else if parts.contains(.backlog) {
            report.burst = try backlog()
        }
        if parts.contains(.backlog) { report.backlogUnderLoad = try backlogUnderLoad() }
        if parts.contains(.console) { report.console = try consolePages() }
        if parts.contains(.hosts) { report.hosts = try drainAcrossHosts() }
        return report
    }

    /// Deletes the bench's jobs and vacuums, so runs do not slow each other down.
    func cleanUp() throws {
        try connection.query("DELETE FROM kheo.jobs WHERE queue LIKE $1", Self.queuePrefix + "%")
        try connection.query("DELETE FROM kheo.job_history WHERE queue LIKE $1", Self.queuePrefix + "%")
        try connection.execute(script: "VACUUM ANALYZE kheo.jobs")
    }

    // MARK: (a) single enqueue, one client, each its own transaction

    private func singleEnqueue() throws -> BenchReport.Throughput {
        let queue = Self.queuePrefix + "single"
        progress("single enqueue: \(sizes.singleSeconds) s each of pgbench and Producer.enqueue, in turn")
        let script = Pgbench.oneLine(Pgbench.substitute(JobSQL.insertOne.sql, [
            1: "'\(queue)'", 2: "'kheo.noop'", 3: "'{}'", 4: "0", 5: "NULL", 6: "0", 7: "20", 8: "'{}'", 9: "NULL",
        ])) + ";\n"
        let producer = Producer()
        let request = try JobRequest(BuiltinJobs.Noop(), options: EnqueueOptions(queue: queue))
        // One-second rounds alternate pgbench and the producer (see bulkEnqueue).
        let clock = ContinuousClock()
        var ceilingJobs = 0.0, count = 0, producerSeconds = 0.0
        for _ in 0..<sizes.singleSeconds {
            ceilingJobs += try pgbench.run(script: script, clients: 1, seconds: 1)
            let start = clock.now
            let end = start + .seconds(1)
            while clock.now < end {
                try producer.enqueue(request, on: connection)
                count += 1
            }
            producerSeconds += start.duration(to: clock.now).inSeconds
        }
        let ceiling = ceilingJobs / Double(sizes.singleSeconds)
        let rate = Double(count) / producerSeconds
        try cleanUp()
        return BenchReport.Throughput(jobs: count, jobsPerSecond: rate, ceilingPerSecond: ceiling, target: 0.8)
    }

    // MARK: (b) bulk enqueue in batches of 1,000

    private func bulkEnqueue() throws -> BenchReport.Throughput {
        let queue = Self.queuePrefix + "bulk"
        let size = sizes.bulkBatchSize
        let total = size * sizes.bulkBatches
        progress("bulk enqueue: \(total) jobs in batches of \(size), pgbench and Producer.enqueueMany in turn")
        // The batch has one kind and one set of options, so the producer sends the
        // shared-options statement; pgbench runs that same statement.
        let script = Pgbench.oneLine(Pgbench.substitute(JobSQL.insertManyShared.sql, [
            1: "'\(queue)'", 2: "'kheo.noop'", 3: "array_fill('{}'::text, ARRAY[\(size)])", 4: "0",
            5: "NULL", 6: "0", 7: "20", 8: "'{}'", 9: "'{}'",
        ])) + ";\n"
        let producer = Producer()
        let batch = Array(repeating: try JobRequest(BuiltinJobs.Noop(), options: EnqueueOptions(queue: queue)), count: size)
        // Rounds alternate pgbench and the producer, so a checkpoint or a noisy
        // neighbour lands on both sides instead of on whichever ran second.
        let rounds = sizes.bulkBatches >= 20 ? 4 : 2
        let perRound = sizes.bulkBatches / rounds
        var ceilingSeconds = 0.0, producerSeconds = 0.0
        let clock = ContinuousClock()
        for _ in 0..<rounds {
            ceilingSeconds += Double(perRound) / (try pgbench.run(script: script, clients: 1, transactionsPerClient: perRound))
            let start = clock.now
            for _ in 0..<perRound { try producer.enqueueMany(batch, on: connection) }
            producerSeconds += start.duration(to: clock.now).inSeconds
        }
        let measured = rounds * perRound * size
        let ceiling = Double(measured) / ceilingSeconds
        let rate = Double(measured) / producerSeconds
        try cleanUp()
        return BenchReport.Throughput(jobs: measured, jobsPerSecond: rate, ceilingPerSecond: ceiling, target: 0.7)
    }

    // MARK: (c) drain by 2 worker processes, and (e) their memory

    private func drain() throws -> (BenchReport.Throughput, Double, BenchReport.Memory) {
        let ceilingQueue = Self.queuePrefix + "ceiling"
        progress("drain ceiling: \(sizes.drainBacklog) jobs claimed 100 at a time and completed by pgbench, 2 clients")
        try fillBacklog(queue: ceilingQueue, count: sizes.drainBacklog)
        try connection.execute(script: "VACUUM ANALYZE kheo.jobs")
        let script = Self.claimAndCompleteScript(queue: ceilingQueue)
        let transactions = sizes.drainBacklog / 100 / 2
        // The ceiling's sessions have the settings of a worker's (see WorkerSession).
        let ceiling = try pgbench.run(
            script: script, clients: 2, transactionsPerClient: transactions,
            settings: WorkerSession.settings, variables: Self.claimAndCompleteVariables
        ) * 100
        try cleanUp()

        let queue = Self.queuePrefix + "drain"
        progress("drain: filling a backlog of \(sizes.drainBacklog) no-op jobs")
        try fillBacklog(queue: queue, count: sizes.drainBacklog)
        try connection.execute(script: "VACUUM ANALYZE kheo.jobs")
        progress("drain: 2 worker processes × 100 slots, sampling their memory")
        let workers = try (0..<2).map { _ in try WorkerProcess.start(queue: queue, url: configuration.url) }
        var samples: [Double] = []
        while workers.contains(where: \.isRunning) {
            for worker in workers { if let rss = worker.residentMegabytes() { samples.append(rss) } }
            Thread.sleep(forTimeInterval: 0.2)
        }
        for worker in workers { try worker.finish() }
        let (completed, seconds) = try drained(queue: queue, expected: sizes.drainBacklog)
        try cleanUp()
        let quarter = max(1, samples.count / 4)
        let memory = BenchReport.Memory(
            backlog: sizes.drainBacklog,
            peakRSSMegabytes: samples.max() ?? 0,
            earlyRSSMegabytes: Self.median(Array(samples.dropFirst(quarter).prefix(quarter))),
            lateRSSMegabytes: Self.median(Array(samples.suffix(quarter)))
        )
        let throughput = BenchReport.Throughput(
            jobs: completed, jobsPerSecond: Double(completed) / seconds, ceilingPerSecond: ceiling, target: 0.7
        )
        return (throughput, seconds, memory)
    }

    /// How many of `queue`'s jobs completed, and the seconds from the first claim to
    /// the last completion; throws unless all `expected` completed.
    func drained(queue: String, expected: Int) throws -> (completed: Int, seconds: Double) {
        let row = try connection.query("""
            SELECT count(*) FILTER (WHERE state = 'completed') AS completed,
                   extract(epoch FROM max(finalized_at) - min(attempted_at))::float8 AS seconds
            FROM kheo.all_jobs WHERE queue = $1
            """, queue).single()
        let completed = Int(try row.decode("completed", as: Int64.self))
        guard completed == expected, let seconds = try row.decode("seconds", as: Double?.self) else {
            throw BenchError("the drain completed \(completed) of \(expected) jobs")
        }
        return (completed, seconds)
    }

    /// pgbench's loop of a worker's round trip on `queue`: one statement completes the
    /// jobs the client claimed last time and claims the next 100, as
    /// `WorkerLoop.finishAndClaim` does. Each client keeps the claimed ids and its claim
    /// cursor in variables: the last job of a full claim, or the head (priority -1)
    /// after a short one. Outcomes go in as arrays, as the worker binds them (built
    /// in the statement, they were rebuilt for each row the join compared: 10,000 times
    /// a round trip, which halved the rate). Start it with `claimAndCompleteVariables`.
    /// The jobs of each client's last claim stay running; the rate counts 100 jobs a
    /// transaction.
    static func claimAndCompleteScript(queue: String) -> String {
        let statement = Pgbench.substitute(JobSQL.finishAndClaimCTEs, [
            1: ":ids", 2: ":attempts", 3: ":states", 4: ":delays", 5: ":errors",
            6: "md5(:client_id::text)::uuid", 7: "'{\(queue)}'", 8: "'{100}'", 9: "30000",
            10: "ARRAY[:cp::int]", 11: "ARRAY[:cu::bigint]", 12: "ARRAY[:ci::bigint]",
        ]) + """
             SELECT coalesce(array_agg(id), '{}') AS ids, coalesce(array_agg(attempt), '{}') AS attempts,
             array_fill('completed'::text, ARRAY[count(*)::int]) AS states, array_fill(0::bigint, ARRAY[count(*)::int]) AS delays,
             array_fill(''::text, ARRAY[count(*)::int]) AS errors,
             CASE WHEN count(*) < 100 THEN -1 ELSE (max(ARRAY[priority::bigint, scheduled_us, id]))[1] END AS cp,
             CASE WHEN count(*) < 100 THEN 0 ELSE (max(ARRAY[priority::bigint, scheduled_us, id]))[2] END AS cu,
             CASE WHEN count(*) < 100 THEN 0 ELSE (max(ARRAY[priority::bigint, scheduled_us, id]))[3] END AS ci
             FROM claimed
            """
        return "\(Pgbench.oneLine(statement))\n\\gset\n"
    }

    /// The variables `claimAndCompleteScript` starts from: nothing claimed, cursor at the head.
    static let claimAndCompleteVariables = [
        "ids": "{}", "attempts": "{}", "states": "{}", "delays": "{}", "errors": "{}", "cp": "-1", "cu": "0", "ci": "0",
    ]

    /// `count` no-op jobs in `queue`, `batch` to a statement.
    func fillBacklog(queue: String, count: Int, priority: Int = 0, batch size: Int = 5000, on connection: PostgresConnection? = nil) throws {
        let producer = Producer()
        let batch = Array(repeating: try JobRequest(BuiltinJobs.Noop(), options: EnqueueOptions(queue: queue, priority: priority)), count: size)
        var left = count
        while left > 0 {
            try producer.enqueueMany(Array(batch.prefix(min(left, batch.count))), on: connection ?? self.connection)
            left -= min(left, batch.count)
        }
    }

    // MARK: (d) pickup latency at a steady rate with idle workers

    /// The same behind PgBouncer in transaction mode (`LocalPgBouncer`, started here in
    /// front of the bench's server): the node's statements through the pooler, with a
    /// direct connection to listen on, then with none (polling every 0.2 s).
    private func pickupLatencyBehindPgBouncer() throws -> BenchReport.PooledLatency {
        let bouncer = try LocalPgBouncer.start(inFrontOf: configuration)
        defer { bouncer.stop() }
        let pooled = bouncer.address(of: configuration.database ?? "")
        progress("pickup latency behind PgBouncer (transaction mode): with a direct listener, then polling")
        return BenchReport.PooledLatency(
            withListener: try pickupLatency(through: pooled, listeningOn: configuration),
            polling: try pickupLatency(through: pooled, listeningOn: nil)
        )
    }

    /// Pickup latency of a node that reaches the database at `database` (the bench's
    /// own server unless told otherwise) and, behind a transaction pooler, listens on
    /// `listeningOn`.
    private func pickupLatency(
        through database: PostgresConfiguration? = nil, listeningOn: PostgresConfiguration? = nil
    ) throws -> BenchReport.Latency {
        let queue = Self.queuePrefix + "latency"
        if database == nil {
            progress("pickup latency: \(sizes.latencyJobs) jobs at \(sizes.latencyRate)/s to an idle in-process worker")
        }
        let recorder = LatencyRecorder()
        var registry = JobRegistry()
        registry.register(LatencyProbeHandler(recorder: recorder))
        var quiet = logger
        quiet.logLevel = .warning
        let node = try WorkerNode(
            database: database ?? configuration, registry: registry,
            configuration: WorkerConfiguration(queues: [.init(queue, concurrency: 10)], notificationDatabase: listeningOn), logger: quiet
        )
        try node.start()
        defer {
            node.stop(grace: .seconds(5))
            node.wait()
        }
        Thread.sleep(forTimeInterval: 0.5)
        let producer = Producer()
        let request = try JobRequest(LatencyProbe(), options: EnqueueOptions(queue: queue))
        let interval = 1.0 / Double(sizes.latencyRate)
        var sent: [Int64: (send: UInt64, commit: UInt64)] = [:]
        let begin = DispatchTime.now().uptimeNanoseconds
        for index in 0..<sizes.latencyJobs {
            let due = begin + UInt64(Double(index) * interval * 1e9)
            let now = DispatchTime.now().uptimeNanoseconds
            if due > now { Thread.sleep(forTimeInterval: Double(due - now) / 1e9) }
            let send = DispatchTime.now().uptimeNanoseconds
            let id = try producer.enqueue(request, on: connection)
            sent[id] = (send, DispatchTime.now().uptimeNanoseconds)
        }
        let deadline = Date().addingTimeInterval(10)
        while recorder.count < sent.count, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let started = recorder.snapshot()
        var fromCommit: [Double] = [], fromSend: [Double] = []
        for (id, times) in sent {
            guard let start = started[id] else { throw BenchError("job \(id) of the latency run never started") }
            fromCommit.append((Double(start) - Double(times.commit)) / 1e6)
            fromSend.append((Double(start) - Double(times.send)) / 1e6)
        }
        fromCommit.sort()
        fromSend.sort()
        return BenchReport.Latency(
            jobs: sent.count, ratePerSecond: Double(sizes.latencyRate),
            p50Milliseconds: Self.percentile(fromCommit, 0.50), p95Milliseconds: Self.percentile(fromCommit, 0.95),
            p99Milliseconds: Self.percentile(fromCommit, 0.99),
            fromSendP50Milliseconds: Self.percentile(fromSend, 0.50), fromSendP99Milliseconds: Self.percentile(fromSend, 0.99)
        )
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
    }

    static func median(_ values: [Double]) -> Double { percentile(values.sorted(), 0.5) }
}

/// The latency probe's args: nothing; the job id is the key.
struct LatencyProbe: JobArgs {
    static let kind = "kheo.bench.latency"
}

/// Notes the moment each probe's handler starts, on the same clock as the producer.
struct LatencyProbeHandler: JobHandler {
    let recorder: LatencyRecorder
    func run(_ args: LatencyProbe, context: JobContext) throws -> JobResult {
        recorder.record(context.job.id, at: DispatchTime.now().uptimeNanoseconds)
        return .completed
    }
}

final class LatencyRecorder: Sendable {
    private let starts = Mutex<[Int64: UInt64]>([:])
    func record(_ id: Int64, at time: UInt64) { starts.withLock { $0[id] = time } }
    var count: Int { starts.withLock { $0.count } }
    func snapshot() -> [Int64: UInt64] { starts.withLock { $0 } }
}
