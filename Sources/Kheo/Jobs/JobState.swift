/// Where a job is in its life. Mirrors the `kheo.job_state` type in the database.
///
/// `scheduled → available → running → completed`, with `retryable` between failed
/// attempts, and `cancelled` or `discarded` as the other two ends. Finished jobs
/// (the last three) stay visible until pruned: in `kheo.job_history`, or in
/// `kheo.jobs` while a unique job's final state still blocks duplicates.
public enum JobState: String, Sendable, CaseIterable, Codable {
    case scheduled
    case available
    case running
    case retryable
    case completed
    case cancelled
    case discarded

    /// True for the states a job never leaves on its own.
    public var isFinal: Bool {
        switch self {
        case .completed, .cancelled, .discarded: true
        case .scheduled, .available, .running, .retryable: false
        }
    }

    /// The three final states, each with its own history partitions.
    public static let finished: [JobState] = [.completed, .cancelled, .discarded]
}
