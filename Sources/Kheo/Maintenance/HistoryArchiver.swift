public import Foundation
public import PostgresClient
import Logging

/// Moves finished jobs that are still in `kheo.jobs` into `kheo.job_history`, in
/// batches, each its own short statement under `SKIP LOCKED`. Every statement that
/// finishes a job moves it itself (`JobHistorySQL`), so in a running system this finds
/// only the jobs that finished before migration 0013 (an upgrade moves them over a few
/// rounds instead of in one long transaction), jobs finished by a worker of an older
/// version during a rolling upgrade, and rows written straight into the table. A
/// unique job whose final state still blocks duplicates stays. Only the leading node
/// does it.
public struct HistoryArchiver: MaintenanceService {
    public var batchSize: Int
    public var interval: Duration

    public init(batchSize: Int = 5_000, interval: Duration = .seconds(10)) {
        self.batchSize = batchSize
        self.interval = interval
    }

    public var name: String { "history archiver" }
    public var leaderOnly: Bool { true }

    /// Moves up to `maximumBatches` batches; returns how many jobs moved.
    public func archive(on pool: PostgresConnectionPool, maximumBatches: Int = .max) throws -> (moved: Int, batches: Int) {
        var moved = 0
        var batches = 0
        while batches < maximumBatches {
            let count = try pool.transaction { connection in
                // These jobs were counted when they finished (migration 0014).
                try connection.execute(script: "SET LOCAL enable_seqscan = off; SET LOCAL kheo.archiving = on")
                return try connection.query(Self.archiveBatch, Int32(batchSize)).single().decode("moved", as: Int64.self)
            }
            batches += 1
            moved += Int(count)
            if count < batchSize { break }
        }
        return (moved, batches)
    }

    public func round(now: Date, pool: PostgresConnectionPool) throws -> MaintenanceRound {
        let result = try archive(on: pool, maximumBatches: 20)
        let next = result.batches >= 20 ? now : now.addingTimeInterval(interval.inSeconds)
        guard result.moved > 0 else { return MaintenanceRound(nextRun: next) }
        return MaintenanceRound(nextRun: next, message: "moved finished jobs to the history", metadata: [
            "moved": "\(result.moved)", "batches": "\(result.batches)",
        ])
    }

    /// `$1` jobs at most, oldest finish first, read through `jobs_finalized`.
    package static let archiveBatch = PreparedStatement(
        name: "kheo.jobs.archive",
        sql: """
            WITH moved AS (
                DELETE FROM kheo.jobs
                WHERE id = ANY (ARRAY(
                    SELECT j.id FROM kheo.jobs AS j
                    WHERE j.finalized_at IS NOT NULL AND j.state IN ('completed', 'cancelled', 'discarded')
                      AND NOT \(JobHistorySQL.staysForUniqueness("j", finishingIn: "j.state"))
                    ORDER BY j.finalized_at
                    LIMIT $1
                    FOR UPDATE SKIP LOCKED
                ))
                RETURNING *
            ), archived AS (
                \(JobHistorySQL.archive(from: "moved", overriding: [:]))
            )
            SELECT count(*) AS moved FROM moved
            """
    )
}
