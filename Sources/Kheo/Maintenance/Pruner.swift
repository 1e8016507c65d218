public import PostgresClient

/// Deletes finished jobs past their retention, in batches of `batchSize`, each its own
/// short statement and commit, so a prune of millions of rows never holds long locks
/// or a long transaction (which would keep VACUUM from cleaning up behind a drain).
public struct Pruner: Sendable {
    public let configuration: PruneConfiguration

    public init(configuration: PruneConfiguration = PruneConfiguration()) {
        self.configuration = configuration
    }

    /// How many jobs of each finished state were (or, in a dry run, would be) deleted.
    public struct Report: Sendable, Equatable {
        public var deleted: [JobState: Int] = [:]
        public var batches = 0
        public var total: Int { deleted.values.reduce(0, +) }
    }

    /// Prunes until nothing expired is left, or `maximumBatches` have run (the rest
    /// waits for the next round, so other maintenance is not starved).
    public func prune(on pool: PostgresConnectionPool, maximumBatches: Int = .max) throws -> Report {
        var report = Report()
        for (state, retention) in configuration.retentions {
            while report.batches < maximumBatches {
                let row = try pool.query(
                    "SELECT kheo.prune_jobs($1::kheo.job_state, $2::bigint * interval '1 microsecond', $3) AS deleted",
                    state.rawValue, retention.inMicroseconds, Int32(configuration.batchSize)
                ).single()
                let deleted = Int(try row.decode("deleted", as: Int32.self))
                report.batches += 1
                report.deleted[state, default: 0] += deleted
                if deleted < configuration.batchSize { break }
            }
        }
        return report
    }

    /// Counts what `prune` would delete now, deleting nothing.
    public func dryRun(on executor: some PostgresExecutor) throws -> Report {
        var report = Report()
        for (state, retention) in configuration.retentions {
            let row = try executor.query(
                """
                SELECT count(*) AS expired FROM kheo.jobs
                WHERE state = $1::kheo.job_state AND finalized_at IS NOT NULL
                  AND finalized_at < now() - $2::bigint * interval '1 microsecond'
                """,
                state.rawValue, retention.inMicroseconds
            ).single()
            report.deleted[state] = Int(try row.decode("expired", as: Int64.self))
        }
        return report
    }
}
