import Foundation
import Kheo
import PostgresClient

extension Bench {
    /// (f) Claims beside ten million finished jobs in `kheo.job_history` against claims
    /// on an empty database: finished jobs live in another relation, so the claims
    /// should not see them at all.
    ///
    /// Runs in two scratch databases of its own (created and dropped here), because the
    /// configured one may hold finished jobs already and "empty" must mean empty. Both
    /// claim and complete the same backlog with pgbench and the workers' statements
    /// (which move each finished job to the history), in alternating rounds so that a
    /// checkpoint or a noisy neighbour lands on both; the medians of three rounds each
    /// are compared.
    func claimWithHistory() throws -> BenchReport.ClaimHistory {
        let empty = try ScratchDatabase(name: "kheo_bench_empty_\(getpid())", bench: self)
        defer { empty.drop() }
        let history = try ScratchDatabase(name: "kheo_bench_history_\(getpid())", bench: self)
        defer { history.drop() }
        progress("claims beside finished jobs: \(sizes.historyFinished) finished jobs over the last 7 days into the history of a scratch database")
        // The week's day partitions, as the leader keeps them.
        let week = (-7...0).map { HistoryDay(containing: Date().addingTimeInterval(Double($0) * 86_400)) }
        let partitions = HistoryPartitions()
        let pool = try PostgresConnectionPool(history.configuration, configuration: .init(maximumConnections: 1), logger: logger)
        _ = try partitions.create(days: week, on: pool)
        pool.close()
        try history.connection.query("""
            INSERT INTO kheo.job_history (id, queue, kind, state, attempt, attempted_at, finalized_at, scheduled_at, inserted_at)
            SELECT nextval(pg_get_serial_sequence('kheo.jobs', 'id')), 'kheo-bench-finished', 'kheo.noop', 'completed', 1, t, t, t, t
            FROM (SELECT now() - (g % (7 * 86400)) * interval '1 second' AS t FROM generate_series(1, $1) AS g) AS s
            """, Int64(sizes.historyFinished))
        try history.connection.execute(script: "VACUUM ANALYZE kheo.job_history")
        progress("claims beside finished jobs: 3 rounds of \(sizes.historyBacklog) jobs claimed 100 at a time by pgbench, 2 clients, on each table in turn")
        var emptyRates: [Double] = [], historyRates: [Double] = []
        for _ in 0..<3 {
            emptyRates.append(try round(on: empty))
            historyRates.append(try round(on: history))
        }
        return BenchReport.ClaimHistory(
            finishedJobs: sizes.historyFinished, emptyPerSecond: Self.median(emptyRates),
            withHistoryPerSecond: Self.median(historyRates), target: 0.95
        )
    }

    /// Fills a backlog, claims and completes all of it with pgbench, deletes it again.
    private func round(on scratch: ScratchDatabase) throws -> Double {
        let queue = Self.queuePrefix + "history"
        let backlog = sizes.historyBacklog
        try fillBacklog(queue: queue, count: backlog, on: scratch.connection)
        try scratch.connection.execute(script: "VACUUM ANALYZE kheo.jobs")
        let rate = try scratch.pgbench.run(
            script: Self.claimAndCompleteScript(queue: queue), clients: 2, transactionsPerClient: backlog / 100 / 2,
            settings: WorkerSession.settings, variables: Self.claimAndCompleteVariables
        ) * 100
        try scratch.connection.query("DELETE FROM kheo.jobs WHERE queue = $1", queue)
        try scratch.connection.query("DELETE FROM kheo.job_history WHERE queue = $1", queue)
        return rate
    }
}
