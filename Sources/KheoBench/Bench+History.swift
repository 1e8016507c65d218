import Foundation
import Kheo
import PostgresClient

extension Bench {
    /// (f) Claims on a table holding a million finished jobs against claims on an empty
    /// one: the partial indexes should make finished rows invisible to the claim.
    ///
    /// Runs in two scratch databases of its own (created and dropped here), because the
    /// configured one may hold finished jobs already and "empty" must mean empty. Both
    /// claim and complete the same backlog with pgbench and the workers' statements, in
    /// alternating rounds so that a checkpoint or a noisy neighbour lands on both; the
    /// medians of three rounds each are compared.
    func claimWithHistory() throws -> BenchReport.ClaimHistory {
        let empty = try ScratchDatabase(name: "kheo_bench_empty_\(getpid())", bench: self)
        defer { empty.drop() }
        let history = try ScratchDatabase(name: "kheo_bench_history_\(getpid())", bench: self)
        defer { history.drop() }
        progress("claims beside finished jobs: inserting \(sizes.historyFinished) finished jobs in a scratch database")
        try history.connection.query("""
            INSERT INTO kheo.jobs (queue, kind, state, attempt, attempted_at, finalized_at, scheduled_at, inserted_at)
            SELECT 'kheo-bench-finished', 'kheo.noop', 'completed', 1, t, t, t, t
            FROM (SELECT now() - (g % 86400) * interval '1 second' AS t FROM generate_series(1, $1) AS g) AS s
            """, Int64(sizes.historyFinished))
        try history.connection.execute(script: "VACUUM ANALYZE kheo.jobs")
        progress("claims beside finished jobs: 3 rounds of \(sizes.historyBacklog) jobs claimed 100 at a time by pgbench, 2 clients, on each table in turn")
        var emptyRates: [Double] = [], historyRates: [Double] = []
        for _ in 0..<3 {
            emptyRates.append(try round(on: empty))
            historyRates.append(try round(on: history))
        }
        return BenchReport.ClaimHistory(
            finishedJobs: sizes.historyFinished, emptyPerSecond: Self.median(emptyRates),
            withHistoryPerSecond: Self.median(historyRates), target: 0.8
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
            settings: WorkerSession.settings, variables: ["cp": "-1", "cu": "0", "ci": "0"]
        ) * 100
        try scratch.connection.query("DELETE FROM kheo.jobs WHERE queue = $1", queue)
        return rate
    }
}
