import Foundation
import Kheo
import PostgresClient

extension Bench {
    /// (i) The drain while another session holds one transaction open for minutes, as
    /// a nightly report reading the history might, against the same drain without it.
    ///
    /// Three rounds run first with no reader. Then a REPEATABLE READ snapshot is taken
    /// and held for `sizes.readerHoldSeconds` (five minutes in a full run) while rounds
    /// run back to back: no row version a round leaves dead (each job's claim, its move
    /// to the history, the counters' folds) can be cleaned up until the reader ends, so
    /// the later rounds work beside all the dead versions of the earlier ones. The
    /// figure compares the median of the last three rounds under the reader with the
    /// median without (target 0.8: a long reader must not stall the queue). Each round
    /// claims and completes a backlog with pgbench and the workers' statements.
    func drainWithReader() throws -> BenchReport.Throughput {
        // A quarter of the drain's backlog: enough rounds fit in the hold for the last
        // ones to run beside a long tail of dead versions.
        let backlog = max(sizes.drainBacklog / 4, 1000)
        progress("drain with a reader: rounds of \(backlog) jobs claimed 100 at a time by pgbench, 2 clients; 3 alone, then for \(sizes.readerHoldSeconds) s beside a transaction held open")
        var alone: [Double] = []
        for _ in 0..<3 { alone.append(try readerRound(backlog: backlog)) }
        let reader = try PostgresConnection.connect(to: configuration, logger: logger)
        try reader.execute(script: "BEGIN ISOLATION LEVEL REPEATABLE READ")
        // The snapshot is taken by the first statement and held from here on.
        _ = try reader.query("SELECT count(*) FROM kheo.all_jobs")
        let end = Date().addingTimeInterval(Double(sizes.readerHoldSeconds))
        var beside: [Double] = []
        while Date() < end || beside.count < 3 {
            beside.append(try readerRound(backlog: backlog))
        }
        let dead = try connection.query("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'kheo.jobs'::regclass")
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

    private func readerRound(backlog: Int) throws -> Double {
        let queue = Self.queuePrefix + "reader"
        try fillBacklog(queue: queue, count: backlog)
        let rate = try pgbench.run(
            script: Self.claimAndCompleteScript(queue: queue), clients: 2, transactionsPerClient: backlog / 100 / 2,
            settings: WorkerSession.settings, variables: ["cp": "-1", "cu": "0", "ci": "0"]
        ) * 100
        try connection.query("DELETE FROM kheo.job_history WHERE queue = $1", queue)
        return rate
    }
}
