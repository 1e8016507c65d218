public import Foundation
import Logging
public import PostgresClient

/// Makes scheduled and retryable jobs available when their time comes, and says when
/// the next one is due. Every worker node runs it from its control loop, woken at the
/// next due time (in the server's clock, so skew between hosts does not matter); as a
/// maintenance service it is the safety net of a deployment where no worker watches
/// the queue's clock, e.g. an API node whose jobs are scheduled for later.
public struct Promoter: MaintenanceService {
    public struct Configuration: Sendable, Equatable {
        /// Jobs made available per statement; a full batch means more are due now.
        public var batchSize: Int
        /// The longest wait between rounds when run as a maintenance service.
        public var interval: Duration

        public init(batchSize: Int = 1000, interval: Duration = .seconds(1)) {
            self.batchSize = batchSize
            self.interval = interval
        }

        /// Refuses a configuration that cannot work, saying what to change.
        public func validate() throws(PromoterConfigurationError) {
            guard (1...100_000).contains(batchSize) else { throw .init("batchSize must be 1 to 100000, not \(batchSize)") }
            guard interval >= .milliseconds(10) else { throw .init("the interval must be 10 ms or more, not \(interval)") }
        }
    }

    /// What one round did.
    public struct Result: Sendable, Equatable {
        public var promoted: Int
        /// The batch was full: more jobs may be due at once.
        public var batchFull: Bool
        /// When the next scheduled or retryable job is due, from now; nil if none is.
        public var nextDueIn: Duration?

        public init(promoted: Int, batchFull: Bool, nextDueIn: Duration?) {
            self.promoted = promoted
            self.batchFull = batchFull
            self.nextDueIn = nextDueIn
        }
    }

    public let configuration: Configuration
    public var name: String { "promoter" }
    /// Promotion is one statement over `FOR UPDATE SKIP LOCKED` rows: any node may run it.
    public var leaderOnly: Bool { false }

    /// `configuration` must have passed `validate()`.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Promotes up to `batchSize` due jobs; returns how many, and whether the batch was full.
    public func promote(on executor: some PostgresExecutor) throws -> (promoted: Int, batchFull: Bool) {
        let promoted = Int(try executor.query(JobSQL.promoteDue, Int32(configuration.batchSize)).single().decode("promoted", as: Int32.self))
        return (promoted, promoted >= configuration.batchSize)
    }

    /// How long until the next scheduled or retryable job is due by the server's clock
    /// (zero if one is overdue); nil if none is waiting.
    public func nextDue(on executor: some PostgresExecutor) throws -> Duration? {
        try executor.query(JobSQL.nextDue).single().decode("due_in_us", as: Int64?.self).map { .microseconds(max(0, $0)) }
    }

    /// One round: promote, then learn when the next job is due.
    public func runOnce(on executor: some PostgresExecutor) throws -> Result {
        let (promoted, batchFull) = try promote(on: executor)
        return Result(promoted: promoted, batchFull: batchFull, nextDueIn: batchFull ? .zero : try nextDue(on: executor))
    }

    public func round(now: Date, pool: PostgresConnectionPool) throws -> MaintenanceRound {
        let result = try pool.withConnection { connection in try runOnce(on: connection) }
        let wait = min(result.nextDueIn ?? configuration.interval, configuration.interval)
        return MaintenanceRound(
            nextRun: now.addingTimeInterval(wait.inSeconds),
            message: result.promoted > 0 ? "made due jobs available" : nil, metadata: ["count": "\(result.promoted)"]
        )
    }
}

/// A `Promoter.Configuration` that cannot work.
public struct PromoterConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
