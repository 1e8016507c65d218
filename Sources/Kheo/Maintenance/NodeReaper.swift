public import Foundation
public import PostgresClient
import Logging

/// Forgets nodes that have not sent a heartbeat for a long time (`kheo.nodes`): they
/// crashed or were cut off long ago, and their jobs were rescued when their leases
/// ran out. Only the leading node does it.
public struct NodeReaper: MaintenanceService {
    public struct Configuration: Sendable, Equatable {
        /// How often the leader looks.
        public var interval: Duration
        /// Silence after which a node is forgotten: far longer than any lease, so a
        /// node that is only slow is never dropped from the list.
        public var forgetAfter: Duration

        public init(interval: Duration = .seconds(60), forgetAfter: Duration = .seconds(3600)) {
            self.interval = interval
            self.forgetAfter = forgetAfter
        }
    }

    public let configuration: Configuration
    public var name: String { "node reaper" }
    public var leaderOnly: Bool { true }

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Deletes the silent nodes; returns how many.
    public func runOnce(on executor: some PostgresExecutor) throws -> Int {
        try executor.query(
            "DELETE FROM kheo.nodes WHERE heartbeat_at < now() - $1::bigint * interval '1 millisecond'", configuration.forgetAfter.inMilliseconds
        ).affectedRows
    }

    public func round(now: Date, pool: PostgresConnectionPool) throws -> MaintenanceRound {
        let forgotten = try runOnce(on: pool)
        return MaintenanceRound(
            nextRun: now.addingTimeInterval(configuration.interval.inSeconds),
            message: forgotten > 0 ? "forgot nodes silent for \(configuration.forgetAfter)" : nil, metadata: ["count": "\(forgotten)"]
        )
    }
}
