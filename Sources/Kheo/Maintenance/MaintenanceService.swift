public import Foundation
public import Logging
public import PostgresClient

/// The form every maintenance service of a node takes (pruning, forgetting dead
/// nodes, periodic jobs, queue gauges): one round at a time, each saying what it did
/// and when it wants the next, so a `Maintainer` can run them all on one thread and a
/// test can run one round and look.
public protocol MaintenanceService: Sendable {
    /// For logs.
    var name: String { get }
    /// Runs only on the node that leads maintenance (work one node should do for all,
    /// such as pruning), or on every node (its own periodic entries and gauges).
    var leaderOnly: Bool { get }
    /// One round at `now`. A thrown error is logged and the round tried again later.
    mutating func round(now: Date, pool: PostgresConnectionPool) throws -> MaintenanceRound
}

/// What a round did: when the next is due, and what to log about it (nothing when it
/// found nothing to do).
public struct MaintenanceRound: Sendable {
    public var nextRun: Date
    public var message: Logger.Message?
    public var metadata: Logger.Metadata

    public init(nextRun: Date, message: Logger.Message? = nil, metadata: Logger.Metadata = [:]) {
        self.nextRun = nextRun
        self.message = message
        self.metadata = metadata
    }
}
