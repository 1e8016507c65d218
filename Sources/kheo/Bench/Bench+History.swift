import Foundation
import Kheo
import PostgresClient

extension Bench {
    /// (f) Claims on a table holding a million finished jobs against claims on an empty
    /// one: the partial indexes should make finished rows invisible to the claim.
    ///
    /// Runs in a scratch database of its own (created and dropped here), because the
    /// configured one may hold finished jobs already and "empty" must mean empty. Each
    /// side claims and completes the same backlog with pgbench and the workers'
    /// statements, three rounds each; the medians are compared.
    func claimWithHistory() throws -> BenchReport.ClaimHistory {
        let name = "kheo_bench_history_\(getpid())"
        let quotedName = try connection.quoteIdentifier(name)
        try connection.execute(script: "DROP DATABASE IF EXISTS \(quotedName) WITH (FORCE)")
        try connection.execute(script: "CREATE DATABASE \(quotedName)")
        defer { try? connection.execute(script: "DROP DATABASE IF EXISTS \(quotedName) WITH (FORCE)") }
        var scratch = configuration
        scratch.database = name
        let scratchConnection = try PostgresConnection.connect(to: scratch, logger: logger)
        _ = try Migrator(logger: logger).migrate(on: scratchConnection)
        let scratchPgbench = Pgbench(executable: pgbench.executable, url: scratch.url)
        let queue = Self.queuePrefix + "history"
        let script = Self.claimAndCompleteScript(queue: queue)
        let backlog = sizes.historyBacklog

        func round() throws -> Double {
            try fillBacklog(queue: queue, count: backlog, on: scratchConnection)
            try scratchConnection.execute(script: "VACUUM ANALYZE kheo.jobs")
            let rate = try scratchPgbench.run(
                script: script, clients: 2, transactionsPerClient: backlog / 100 / 2,
                settings: WorkerSession.settings, variables: ["cp": "-1", "cu": "0", "ci": "0"]
            ) * 100
            try scratchConnection.query("DELETE FROM kheo.jobs WHERE queue = $1", queue)
            return rate
        }

        progress("claims on an empty table: 3 rounds of \(backlog) jobs claimed 100 at a time by pgbench, 2 clients")
        let empty = Self.median(try (0..<3).map { _ in try round() })
        progress("claims beside \(sizes.historyFinished) finished jobs: inserting them")
        try scratchConnection.query("""
            INSERT INTO kheo.jobs (queue, kind, state, attempt, attempted_at, finalized_at, scheduled_at, inserted_at)
            SELECT 'kheo-bench-finished', 'kheo.noop', 'completed', 1, t, t, t, t
            FROM (SELECT now() - (g % 86400) * interval '1 second' AS t FROM generate_series(1, $1) AS g) AS s
            """, Int64(sizes.historyFinished))
        try scratchConnection.execute(script: "VACUUM ANALYZE kheo.jobs")
        progress("claims beside \(sizes.historyFinished) finished jobs: 3 rounds")
        let withHistory = Self.median(try (0..<3).map { _ in try round() })
        return BenchReport.ClaimHistory(
            finishedJobs: sizes.historyFinished, emptyPerSecond: empty, withHistoryPerSecond: withHistory, target: 0.8
        )
    }
}
