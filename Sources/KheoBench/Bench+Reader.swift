import Foundation
import KheoCLIKit
import Kheo
import PostgresClient

extension Bench {
    /// (i) The drain while another session holds one transaction open for minutes, as
    /// a nightly report reading the history might, against the same drain without it.
    ///
    /// Two `kheo work` processes (100 slots each) run on a scratch database for the
    /// whole part and idle between rounds; each round is a burst of jobs in one enqueue,
    /// timed from its commit to its last completion, the order production sends work
    /// in. Three rounds run with no reader. Then a REPEATABLE READ snapshot is taken in
    /// the same database and held for `sizes.readerHoldSeconds` (five minutes in a full
    /// run) while rounds run back to back: no row version a round leaves dead (each
    /// job's claim, its move to the history, the counters' folds) can be cleaned up
    /// until the reader ends, so the later rounds work beside all the dead versions of
    /// the earlier ones. The figure compares the median of the last three rounds under
    /// the reader with the median without (target 0.8: a long reader must not stall the
    /// queue).
    func drainWithReader() throws -> BenchReport.Throughput {
        // A quarter of the drain's backlog: enough rounds fit in the hold for the last
        // ones to run beside a long tail of dead versions.
        let backlog = max(sizes.drainBacklog / 4, 1000)
        progress("drain with a reader: 2 idle workers × 100 slots, rounds of \(backlog) jobs in one enqueue; 3 alone, then for \(sizes.readerHoldSeconds) s beside a transaction held open")
        return try withScratch("reader") { scratch in
            let queue = Self.queuePrefix + "reader"
            let workers = try (0..<2).map { _ in
                try WorkerProcess.start(queue: queue, url: scratch.url, untilEmpty: false, extra: ["--no-prune"])
            }
            defer { for worker in workers { worker.stop() } }
            // Both start, plan their statements and idle before the first burst.
            Thread.sleep(forTimeInterval: 2)
            var alone: [Double] = []
            for _ in 0..<3 { alone.append(try readerRound(queue: queue, backlog: backlog, in: scratch)) }
            let reader = try PostgresConnection.connect(to: scratch.configuration, logger: logger)
            try reader.execute(script: "BEGIN ISOLATION LEVEL REPEATABLE READ")
            // The snapshot is taken by the first statement and held from here on.
            _ = try reader.query("SELECT count(*) FROM kheo.all_jobs")
            let end = Date().addingTimeInterval(Double(sizes.readerHoldSeconds))
            var beside: [Double] = []
            while Date() < end || beside.count < 3 {
                beside.append(try readerRound(queue: queue, backlog: backlog, in: scratch))
            }
            let dead = try scratch.connection.query("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'kheo.jobs'::regclass")
                .single().decode("n_dead_tup", as: Int64.self)
            let held: Date = try reader.query("SELECT now() AS t").single().decode("t")
            try reader.execute(script: "COMMIT")
            progress(String(
                format: "  alone: %@ jobs/s; beside the reader, %d rounds over %.0f s: %@ jobs/s; %lld dead versions in kheo.jobs at the end",
                alone.map { String(format: "%.0f", $0) }.joined(separator: ", "), beside.count, Date().timeIntervalSince(held),
                beside.map { String(format: "%.0f", $0) }.joined(separator: ", "), dead
            ))
            return BenchReport.Throughput(
                jobs: backlog, jobsPerSecond: Self.median(Array(beside.suffix(3))), ceilingPerSecond: Self.median(alone), target: 0.8
            )
        }
    }

    /// One burst to the idle workers: jobs per second from its commit to its last completion.
    private func readerRound(queue: String, backlog: Int, in scratch: ScratchDatabase) throws -> Double {
        let connection = scratch.connection
        let request = try JobRequest(BuiltinJobs.Noop(), options: EnqueueOptions(queue: queue))
        let ids = try Producer().enqueueMany(Array(repeating: request, count: backlog), on: connection)
        let committed: Date = try connection.query("SELECT now() AS t").single().decode("t")
        var unfinished = ids.min()
        let last = ids.max() ?? 0
        while let low = unfinished {
            Thread.sleep(forTimeInterval: 0.05)
            unfinished = try Self.firstUnfinished(from: low, through: last, on: connection)
        }
        let seconds = try connection.query(
            "SELECT extract(epoch FROM max(finalized_at) - $3::timestamptz)::float8 AS s FROM kheo.all_jobs WHERE id BETWEEN $1 AND $2",
            ids.min() ?? 0, last, committed
        ).single().decode("s", as: Double.self)
        return Double(backlog) / seconds
    }

    /// The lowest id in `low...last` of a job not yet completed, or nil when all are.
    ///
    /// Asking must not cost the server a scan of the burst (that alone halved the
    /// drain on 2 cores): the oldest unfinished id only moves forward, so each check
    /// reads from there by primary key, through the jobs finished since the last one,
    /// and stops at the first unfinished. `ORDER BY id LIMIT 1`, not `min(id)`: after a
    /// prune the statistics say every job is completed, the planner expects one row,
    /// and `min` became an aggregate over every unfinished job of the burst (80 ms a
    /// check, a core of the server's time, and the after-prune drains ran 0.75 of the
    /// others because of it).
    static func firstUnfinished(from low: Int64, through last: Int64, on connection: PostgresConnection) throws -> Int64? {
        try connection.query(
            "SELECT id FROM kheo.all_jobs WHERE id BETWEEN $1 AND $2 AND state <> 'completed' ORDER BY id LIMIT 1", low, last
        ).first?.decode("id", as: Int64.self)
    }
}
