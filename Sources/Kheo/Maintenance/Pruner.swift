public import Foundation
public import PostgresClient
import Logging

/// Forgets finished jobs past their retention. Most live in `kheo.job_history`, whose
/// whole day partitions are dropped once the day is past retention
/// (`HistoryPartitions.dropExpired`): no DELETE, no dead rows. The few elsewhere are
/// deleted in batches of `batchSize`, each its own short statement and commit, so a
/// prune never holds long locks or a long transaction: unique jobs that still block
/// duplicates (they stay in `kheo.jobs`), and jobs that landed in a default partition
/// because no day partition existed. Only the leading node prunes.
public struct Pruner: MaintenanceService {
    public let configuration: PruneConfiguration

    public init(configuration: PruneConfiguration = PruneConfiguration()) {
        self.configuration = configuration
    }

    /// How many jobs of each finished state were (or, in a dry run, would be) deleted.
    public struct Report: Sendable, Equatable {
        public var deleted: [JobState: Int] = [:]
        public var batches = 0
        /// Day partitions dropped whole (their jobs are counted in `deleted`).
        public var droppedPartitions: [String] = []
        public var total: Int { deleted.values.reduce(0, +) }
    }

    /// Prunes until nothing expired is left, or `maximumBatches` have run (the rest
    /// waits for the next round, so other maintenance is not starved).
    public func prune(on pool: PostgresConnectionPool, maximumBatches: Int = .max) throws -> Report {
        var report = Report()
        let drops = try HistoryPartitions(configuration: .init(retention: configuration)).dropExpired(on: pool)
        report.droppedPartitions = drops.dropped
        report.deleted = drops.droppedJobs
        for (state, retention) in configuration.retentions {
            for statement in [Self.pruneBatch, Self.pruneDefaultBatch[state]!] {
                while report.batches < maximumBatches {
                    // The pool's connections plan as PostgreSQL would for anyone; this batch
                    // rules out the full scan a plan made on stale statistics may choose,
                    // and the sort: when most rows are expired (an upgrade, a backlog of
                    // old jobs in a default partition) a custom plan read them all with a
                    // bitmap scan and sorted them on disk (FOR UPDATE keeps the sort from
                    // stopping at the limit): 468 ms a batch beside 900k expired rows,
                    // against 13 ms reading the finalized_at index in order.
                    let deleted = try pool.transaction { connection in
                        try connection.execute(script: "SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off")
                        return try connection.query(statement, state.rawValue, retention.inMicroseconds, Int32(configuration.batchSize)).affectedRows
                    }
                    report.batches += 1
                    report.deleted[state, default: 0] += deleted
                    if deleted < configuration.batchSize { break }
                }
            }
        }
        return report
    }

    /// Deletes at most `$3` jobs of one finished state (`$1`) that finished more than
    /// `$2` microseconds ago, oldest first. Small batches under `SKIP LOCKED`: it never
    /// waits on a row and holds its locks for one short statement. `ANY(ARRAY(…))`
    /// keeps the delete on primary-key lookups whatever the planner guesses of the
    /// batch's size; the batch itself reads the `jobs_finalized` index in order.
    /// (Until kheo 0.3 this was the SQL function `kheo.prune_jobs`.)
    package static let pruneBatch = PreparedStatement(
        name: "kheo.jobs.prune",
        sql: """
            DELETE FROM kheo.jobs
            WHERE id = ANY (ARRAY(
                SELECT id FROM kheo.jobs
                WHERE state = $1::kheo.job_state AND finalized_at IS NOT NULL
                  AND finalized_at < now() - $2::bigint * interval '1 microsecond'
                ORDER BY finalized_at
                LIMIT $3
                FOR UPDATE SKIP LOCKED
            ))
            """
    )

    /// The same for a state's default history partition (`$1` names the state, as in
    /// `pruneBatch`, though the table already says it).
    package static let pruneDefaultBatch: [JobState: PreparedStatement] = Dictionary(
        uniqueKeysWithValues: JobState.finished.map { state in
            (state, PreparedStatement(
                name: "kheo.job_history.prune_default_\(state.rawValue)",
                sql: """
                    DELETE FROM kheo.job_history_\(state.rawValue)_default
                    WHERE id = ANY (ARRAY(
                        SELECT id FROM kheo.job_history_\(state.rawValue)_default
                        WHERE state = $1::kheo.job_state
                          AND finalized_at < now() - $2::bigint * interval '1 microsecond'
                        ORDER BY finalized_at
                        LIMIT $3
                        FOR UPDATE SKIP LOCKED
                    ))
                    """
            ))
        }
    )

    /// Counts what `prune` would delete now, deleting nothing: the jobs of day
    /// partitions wholly past retention, and the expired jobs elsewhere.
    public func dryRun(on pool: PostgresConnectionPool) throws -> Report {
        var report = Report()
        let partitions = HistoryPartitions(configuration: .init(retention: configuration))
        for (state, retention) in configuration.retentions {
            let cutoff = try pool.query("SELECT now() - $1::bigint * interval '1 microsecond' AS cutoff", retention.inMicroseconds)
                .single().decode("cutoff", as: Date.self)
            var expired = 0
            for partition in try partitions.partitions(of: state, on: pool) where partition.day.endDate <= cutoff {
                expired += Int(try pool.query("SELECT count(*) AS jobs FROM kheo.\(partition.name)").single().decode("jobs", as: Int64.self))
                report.droppedPartitions.append(partition.name)
            }
            let row = try pool.query(
                """
                SELECT (SELECT count(*) FROM kheo.jobs
                        WHERE state = $1::kheo.job_state AND finalized_at IS NOT NULL AND finalized_at < $2)
                     + (SELECT count(*) FROM kheo.job_history
                        WHERE state = $1::kheo.job_state AND finalized_at < $2
                          AND tableoid = to_regclass('kheo.job_history_' || $1 || '_default')) AS expired
                """,
                state.rawValue, cutoff
            ).single()
            report.deleted[state] = expired + Int(try row.decode("expired", as: Int64.self))
        }
        return report
    }

    public var name: String { "pruner" }
    public var leaderOnly: Bool { true }

    /// At most 100 batches a round, so the leadership is renewed in time.
    public func round(now: Date, pool: PostgresConnectionPool) throws -> MaintenanceRound {
        let report = try prune(on: pool, maximumBatches: 100)
        // A full round leaves more to do: the next one comes at once.
        let next = report.batches >= 100 ? now : now.addingTimeInterval(configuration.interval.inSeconds)
        guard report.total > 0 else { return MaintenanceRound(nextRun: next) }
        return MaintenanceRound(nextRun: next, message: "pruned finished jobs", metadata: [
            "deleted": "\(report.total)", "batches": "\(report.batches)",
            "completed": "\(report.deleted[.completed] ?? 0)", "cancelled": "\(report.deleted[.cancelled] ?? 0)",
            "discarded": "\(report.deleted[.discarded] ?? 0)",
        ])
    }
}
