public import Foundation
public import PostgresClient

/// Folds the counters' appended differences (`JobCounts`) so that reading them stays
/// a sum over a few rows per queue, and forgets per-minute counts past `keepMinutes`.
/// Only the leading node does it; one short transaction a round.
public struct JobCountsFolder: MaintenanceService {
    public var interval: Duration
    /// How long per-minute counts of finished jobs are kept.
    public var keepMinutes: Duration

    public init(interval: Duration = .seconds(1), keepMinutes: Duration = .seconds(8 * 86_400)) {
        self.interval = interval
        self.keepMinutes = keepMinutes
    }

    public var name: String { "job counts" }
    public var leaderOnly: Bool { true }

    public func fold(on pool: PostgresConnectionPool) throws {
        try pool.transaction { connection in
            try connection.query("SELECT set_config('kheo.keep_minutes', $1, true)", "\(keepMinutes.inSeconds) seconds")
            try connection.execute(script: JobCounts.fold)
        }
    }

    public func round(now: Date, pool: PostgresConnectionPool) throws -> MaintenanceRound {
        try fold(on: pool)
        return MaintenanceRound(nextRun: now.addingTimeInterval(interval.inSeconds))
    }
}
