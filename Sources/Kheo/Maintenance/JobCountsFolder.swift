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

    /// One message, so one transaction the server commits without waiting for this
    /// node: a leader frozen mid-fold cannot hold the counters' rows locked, and the
    /// next leader's fold never queues behind it.
    public func fold(on pool: PostgresConnectionPool) throws {
        let keep = "SET LOCAL kheo.keep_minutes = '\(Int64(keepMinutes.inSeconds.rounded())) seconds';\n"
        try pool.withConnection { connection in try connection.execute(script: keep + JobCounts.fold) }
    }

    public func round(now: Date, pool: PostgresConnectionPool) throws -> MaintenanceRound {
        try fold(on: pool)
        return MaintenanceRound(nextRun: now.addingTimeInterval(interval.inSeconds))
    }
}
