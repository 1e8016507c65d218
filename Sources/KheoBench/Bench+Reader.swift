import Foundation
import Kheo
import PostgresClient

extension Bench {
    /// (i) The drain while another session holds a transaction open, as a nightly
    /// report reading for minutes does, against the same drain without it.
    ///
    /// The reader takes a REPEATABLE READ snapshot after the backlog is filled and keeps
    /// it until the round ends, so no row version the drain leaves dead (each job's
    /// claim and completion) can be cleaned up meanwhile, and the claims step over them.
    /// Both sides claim and complete with pgbench and the workers' statements, in
    /// alternating rounds; the medians of three rounds each are compared (target 0.8:
    /// a long reader must not stall the queue).
    func drainWithReader() throws -> BenchReport.Throughput {
        // Half the drain's backlog: long enough a drain for dead versions to pile up
        // behind the held snapshot, short enough for six rounds.
        let backlog = sizes.drainBacklog / 2
        progress("drain with a reader: 3 rounds of \(backlog) jobs claimed 100 at a time by pgbench, 2 clients, without and with a transaction held open")
        var alone: [Double] = [], beside: [Double] = []
        for _ in 0..<3 {
            alone.append(try readerRound(backlog: backlog, holdSnapshot: false))
            beside.append(try readerRound(backlog: backlog, holdSnapshot: true))
        }
        return BenchReport.Throughput(jobs: backlog, jobsPerSecond: Self.median(beside), ceilingPerSecond: Self.median(alone), target: 0.8)
    }

    private func readerRound(backlog: Int, holdSnapshot: Bool) throws -> Double {
        let queue = Self.queuePrefix + "reader"
        try fillBacklog(queue: queue, count: backlog)
        try connection.execute(script: "VACUUM ANALYZE kheo.jobs")
        // Closed when released, at the end of this function, whatever happens.
        var reader: PostgresConnection?
        if holdSnapshot {
            let session = try PostgresConnection.connect(to: configuration, logger: logger)
            try session.execute(script: "BEGIN ISOLATION LEVEL REPEATABLE READ")
            // The snapshot is taken by the first statement and held from here on.
            _ = try session.query("SELECT count(*) FROM kheo.all_jobs WHERE queue = $1", queue)
            reader = session
        }
        let rate = try pgbench.run(
            script: Self.claimAndCompleteScript(queue: queue), clients: 2, transactionsPerClient: backlog / 100 / 2,
            settings: WorkerSession.settings, variables: ["cp": "-1", "cu": "0", "ci": "0"]
        ) * 100
        try reader?.execute(script: "COMMIT")
        try cleanUp()
        return rate
    }
}
