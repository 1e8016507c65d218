import Foundation
import KheoCLIKit
import Kheo
import PostgresClient

/// (g) Work in the orders production sends it, each in a scratch database of its own
/// so that "empty" means empty, in alternating rounds (medians reported):
/// - filled first: `burstJobs` enqueued and analyzed, then 2 workers × 50 slots drain
///   them (the order every other drain figure uses);
/// - a burst: the same workers start on the empty queue and idle, then the same jobs
///   arrive in one bulk enqueue; measured from its commit, with priority-0 probes sent
///   while it drains (their pickup: `attempted_at − inserted_at`, the server's clock);
/// - after a prune: a million finished jobs, analyzed (statistics that say "large"),
///   workers started, the finished jobs pruned under them, then the burst;
/// - after a prune and its VACUUM (statistics that say "empty" on a table whose pages
///   stay), then the burst.
extension Bench {
    func burst() throws -> BenchReport.Burst {
        let jobs = sizes.burstJobs
        var filled: [Double] = [], idle: [Double] = [], pruned: [Double] = [], vacuumed: [Double] = []
        var probes: [BenchReport.BacklogLatency] = []
        // Rounds alternate the four orders, so a checkpoint or a noisy neighbour lands
        // on each; the report gives the medians.
        for round in 1...sizes.burstRounds {
            progress("burst, round \(round) of \(sizes.burstRounds): \(jobs) jobs filled first, then 2 workers × 50 slots drain them")
            filled.append(try withScratch("filled") { scratch in try drainFilledFirst(jobs: jobs, in: scratch) })
            progress("burst, round \(round): 2 idle workers, then \(jobs) jobs in one enqueue, priority-0 probes at \(sizes.burstProbeRate)/s")
            let burst = try withScratch("burst") { scratch in try drainBurst(jobs: jobs, probes: true, in: scratch) }
            idle.append(burst.seconds)
            if let latency = burst.latency { probes.append(latency) }
            progress("burst, round \(round): \(sizes.finishedBeside) finished jobs analyzed, workers started, the jobs pruned, then \(jobs) jobs")
            pruned.append(try withScratch("pruned") { scratch in try drainAfterPrune(jobs: jobs, vacuum: false, in: scratch) })
            progress("burst, round \(round): the same, with the VACUUM that follows a prune before the burst")
            vacuumed.append(try withScratch("vacuumed") { scratch in try drainAfterPrune(jobs: jobs, vacuum: true, in: scratch) })
        }
        return BenchReport.Burst(
            jobs: jobs, filledFirst: .init(filled), burst: .init(idle), afterPrune: .init(pruned), afterVacuum: .init(vacuumed),
            probes: probes.sorted { $0.p99Milliseconds < $1.p99Milliseconds }.dropFirst(probes.count / 2).first
        )
    }

    /// The cluster's WAL counters and this database's block reads, for the progress line.
    private static func walCounters(_ connection: PostgresConnection) throws -> (bytes: Int64, fullPages: Int64, read: Int64) {
        // The WAL position is exact; the other two are flushed by each backend at most
        // once a second, so the last second of a drain may be missing from them.
        let row = try connection.query(
            """
            SELECT (pg_current_wal_lsn() - '0/0')::bigint AS bytes, wal_fpi AS fpi,
                   (SELECT blks_read FROM pg_stat_database WHERE datname = current_database()) AS read
            FROM pg_stat_wal
            """
        ).single()
        return (try row.decode("bytes"), try row.decode("fpi"), try row.decode("read"))
    }

    /// A million finished jobs, analyzed (statistics that say "large"); two workers
    /// started and idle; the jobs pruned under them as `kheo jobs prune` does, to the
    /// last batch; with `vacuum`, then the VACUUM autovacuum runs soon after a prune,
    /// which counts the table as empty while its pages stay (statistics that say
    /// "empty", and the workers replan on them); then the burst.
    private func drainAfterPrune(jobs: Int, vacuum: Bool, in scratch: ScratchDatabase) throws -> Double {
        try scratch.connection.query(
            """
            INSERT INTO kheo.jobs (queue, kind, args, state, attempt, scheduled_at, attempted_at, finalized_at)
            SELECT 'kheo-bench-finished', 'kheo.noop', '{}', 'completed', 1, t, t, t
            FROM (SELECT now() - interval '2 days' AS t FROM generate_series(1, $1::int)) AS s
            """,
            Int32(sizes.finishedBeside)
        )
        try scratch.connection.execute(script: "VACUUM ANALYZE kheo.jobs")
        return try drainBurst(jobs: jobs, probes: false, in: scratch) {
            // What `kheo jobs prune` and the workers' pruning run, to the last batch.
            while try scratch.connection.query(Pruner.pruneBatch, JobState.completed.rawValue, Duration.seconds(86_400).inMicroseconds, Int32(5000)).affectedRows > 0 {}
            // Without truncation, as when autovacuum cannot take the table's lock from busy workers.
            if vacuum { try scratch.connection.execute(script: "VACUUM (TRUNCATE false) kheo.jobs") }
        }.seconds
    }

    /// The burst alone, with its priority-0 probes.
    func backlog() throws -> BenchReport.Burst {
        progress("backlog: 2 idle workers, then \(sizes.burstJobs) jobs in one enqueue, and priority-0 probes at \(sizes.burstProbeRate)/s")
        let idle = try withScratch("burst") { scratch in try drainBurst(jobs: sizes.burstJobs, probes: true, in: scratch) }
        return BenchReport.Burst(jobs: sizes.burstJobs, burst: .init([idle.seconds]), probes: idle.latency)
    }

    func withScratch<Result>(_ label: String, _ body: (ScratchDatabase) throws -> Result) throws -> Result {
        let scratch = try ScratchDatabase(name: "kheo_bench_\(label)_\(getpid())", bench: self)
        defer { scratch.drop() }
        return try body(scratch)
    }

    /// Seconds from the first claim to the last completion of jobs enqueued before the
    /// workers started.
    private func drainFilledFirst(jobs: Int, in scratch: ScratchDatabase) throws -> Double {
        let queue = Self.queuePrefix + "burst"
        try fillBacklog(queue: queue, count: jobs, priority: 5, on: scratch.connection)
        try scratch.connection.execute(script: "CHECKPOINT")
        // ANALYZE, not VACUUM: the jobs are as fresh as a burst's (no hint bits, no
        // visibility map), so the two drains differ only in the order of events.
        try scratch.connection.execute(script: "ANALYZE kheo.jobs")
        let workers = try (0..<2).map { _ in try WorkerProcess.start(queue: queue, concurrency: 50, url: scratch.url, extra: ["--no-prune"]) }
        for worker in workers { try worker.finish() }
        return try scratch.connection.query(
            "SELECT extract(epoch FROM max(finalized_at) - min(attempted_at))::float8 AS s FROM kheo.all_jobs WHERE queue = $1 AND state = 'completed'",
            queue
        ).single().decode("s", as: Double.self)
    }

    /// Starts 2 workers on an idle queue, runs `meanwhile` while they idle, enqueues
    /// `jobs` in one statement and waits for them all: seconds from its commit to the
    /// last completion, and with `probes` the pickup of priority-0 jobs sent meanwhile.
    private func drainBurst(
        jobs: Int, probes: Bool, in scratch: ScratchDatabase, meanwhile: () throws -> Void = {}
    ) throws -> (seconds: Double, latency: BenchReport.BacklogLatency?) {
        let queue = Self.queuePrefix + "burst"
        let workers = try (0..<2).map { _ in
            try WorkerProcess.start(queue: queue, concurrency: 50, url: scratch.url, untilEmpty: false, extra: ["--no-prune"])
        }
        defer { for worker in workers { worker.stop() } }
        // Long enough for both to start and claim on the idle queue, so their
        // statements are planned on it.
        Thread.sleep(forTimeInterval: 2)
        try meanwhile()
        try scratch.connection.execute(script: "CHECKPOINT")
        let connection = scratch.connection
        let request = try JobRequest(BuiltinJobs.Noop(), options: EnqueueOptions(queue: queue, priority: 5))
        let ids = try Producer().enqueueMany(Array(repeating: request, count: jobs), on: connection)
        let committed: Date = try connection.query("SELECT now() AS t").single().decode("t")
        let walBefore = try Self.walCounters(connection)
        let probe = try JobRequest(BuiltinJobs.Noop(), options: EnqueueOptions(queue: queue, priority: 0))
        let interval = 1.0 / Double(sizes.burstProbeRate)
        var nextProbe = Date()
        // The burst is done when no job of it is unfinished (see `firstUnfinished`).
        var unfinished: Int64? = ids.min()
        let last = ids.max() ?? 0
        var nextCheck = Date()
        while let low = unfinished {
            if probes, Date() >= nextProbe {
                _ = try Producer().enqueue(probe, on: connection)
                nextProbe += interval
            }
            if Date() >= nextCheck {
                unfinished = try Self.firstUnfinished(from: low, through: last, on: connection)
                nextCheck = Date().addingTimeInterval(0.05)
            }
            Thread.sleep(until: probes ? min(nextCheck, nextProbe) : nextCheck)
        }
        let row = try connection.query(
            """
            SELECT count(*) AS done, extract(epoch FROM max(finalized_at) - $2::timestamptz)::float8 AS s
            FROM kheo.all_jobs WHERE queue = $1 AND priority = 5 AND state = 'completed'
            """,
            queue, committed
        ).single()
        let done = Int(try row.decode("done", as: Int64.self))
        guard done == jobs else { throw BenchError("the burst completed \(done) of \(jobs) jobs") }
        // Where a slow drain's time went: the WAL it wrote and the pages it read from outside shared buffers.
        let walAfter = try Self.walCounters(connection)
        progress(String(
            format: "  drained: WAL %.0f MB, %d full-page images, %d blocks read outside shared buffers",
            Double(walAfter.bytes - walBefore.bytes) / 1e6, walAfter.fullPages - walBefore.fullPages, walAfter.read - walBefore.read
        ))
        guard probes else { return (try row.decode("s", as: Double.self), nil) }
        // Probes still waiting when the burst ended are picked up within milliseconds.
        Thread.sleep(forTimeInterval: 0.5)
        let waits = try connection.query(
            """
            SELECT extract(epoch FROM attempted_at - inserted_at)::float8 * 1000 AS ms FROM kheo.all_jobs
            WHERE queue = $1 AND priority = 0 AND attempted_at IS NOT NULL ORDER BY 1
            """,
            queue
        ).map { try $0.decode("ms", as: Double.self) }
        let latency = BenchReport.BacklogLatency(
            jobs: waits.count, ratePerSecond: Double(sizes.burstProbeRate),
            p50Milliseconds: Self.percentile(waits, 0.5), p99Milliseconds: Self.percentile(waits, 0.99)
        )
        return (try row.decode("s", as: Double.self), latency)
    }
}
