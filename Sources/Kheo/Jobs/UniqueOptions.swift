/// What makes a job unique: while a job with the same key is in one of the unique
/// states, enqueueing another inserts nothing and returns the existing job.
///
/// The key is always the job's kind, plus what you choose here. The database enforces
/// it (a partial unique index on the key), so any number of producers racing on any
/// number of hosts insert at most one job, and each learns its id.
///
/// ```swift
/// // One reminder per deadline and offset, however many scans find it due:
/// EnqueueOptions(unique: UniqueOptions(byArgs: ["deadline_id", "days_ahead"]))
/// // At most one statistics run per day, finished or not:
/// EnqueueOptions(unique: UniqueOptions(byArgs: nil, byPeriod: .seconds(86_400), alsoWhen: [.completed]))
/// ```
public struct UniqueOptions: Sendable, Equatable {
    /// Which top-level args fields count: `[]` for all of the args, `nil` for none.
    public var byArgs: [String]?
    /// Whether the queue counts: the same job in two queues is then two jobs.
    public var byQueue: Bool
    /// One job per period of the job's scheduled time, counted in whole periods since
    /// the Unix epoch (so a day is a UTC day). At least one second; `nil` for none.
    public var byPeriod: Duration?
    /// Finished states in which a job still blocks duplicates. A job always blocks them
    /// while it is scheduled, available, running or retryable.
    public var alsoWhen: Set<JobState>
    /// Text of your own added to the key (a cron entry adds its fire time).
    public var extra: String?

    public init(
        byArgs: [String]? = [],
        byQueue: Bool = false,
        byPeriod: Duration? = nil,
        alsoWhen: Set<JobState> = [],
        extra: String? = nil
    ) {
        self.byArgs = byArgs
        self.byQueue = byQueue
        self.byPeriod = byPeriod
        self.alsoWhen = alsoWhen
        self.extra = extra
    }

    /// The states stored with the job, in the database's order.
    var states: [JobState] {
        JobState.allCases.filter { !$0.isFinal || alsoWhen.contains($0) }
    }

    /// The period in whole seconds, 0 for none.
    var periodSeconds: Int64 {
        byPeriod.map { $0.components.seconds } ?? 0
    }
}
