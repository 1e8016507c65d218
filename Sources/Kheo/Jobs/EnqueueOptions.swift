public import Foundation

/// How and when a job runs: its queue, priority, time and attempts, and what makes it unique.
public struct EnqueueOptions: Sendable, Equatable {
    /// When a job may first run.
    public enum Schedule: Sendable, Equatable {
        /// As soon as a worker is free.
        case now
        /// At this instant (in the past means now).
        case at(Date)
        /// This long after the enqueue commits' server time.
        case after(Duration)
    }

    public var queue: String
    /// 0 runs first, 9 last.
    public var priority: Int
    public var schedule: Schedule
    /// Attempts before the job is discarded, counting the first.
    public var maxAttempts: Int
    public var tags: [String]
    /// Makes the job unique (see `UniqueOptions`); `nil` for an ordinary job.
    public var unique: UniqueOptions?

    public static let defaultQueue = "default"
    public static let defaultMaxAttempts = 20
    public static let priorities = 0...9

    public init(
        queue: String = EnqueueOptions.defaultQueue,
        priority: Int = 0,
        schedule: Schedule = .now,
        maxAttempts: Int = EnqueueOptions.defaultMaxAttempts,
        tags: [String] = [],
        unique: UniqueOptions? = nil
    ) {
        self.queue = queue
        self.priority = priority
        self.schedule = schedule
        self.maxAttempts = maxAttempts
        self.tags = tags
        self.unique = unique
    }
}
