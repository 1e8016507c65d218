/// How long finished jobs stay visible before pruning deletes them, and how it goes.
public struct PruneConfiguration: Sendable, Equatable {
    /// Retention of completed jobs; `nil` keeps them forever.
    public var completed: Duration?
    /// Retention of cancelled jobs; `nil` keeps them forever.
    public var cancelled: Duration?
    /// Retention of discarded jobs; `nil` keeps them forever.
    public var discarded: Duration?
    /// Jobs deleted per statement: small enough that no lock is held for long.
    public var batchSize: Int
    /// How often the leading node prunes.
    public var interval: Duration

    public init(
        completed: Duration? = .seconds(86_400),
        cancelled: Duration? = .seconds(7 * 86_400),
        discarded: Duration? = .seconds(7 * 86_400),
        batchSize: Int = 1000,
        interval: Duration = .seconds(60)
    ) {
        self.completed = completed
        self.cancelled = cancelled
        self.discarded = discarded
        self.batchSize = batchSize
        self.interval = interval
    }

    /// Each finished state with its retention, skipping those kept forever.
    var retentions: [(state: JobState, retention: Duration)] {
        [(JobState.completed, completed), (.cancelled, cancelled), (.discarded, discarded)].compactMap { state, retention in
            retention.map { (state, $0) }
        }
    }
}
