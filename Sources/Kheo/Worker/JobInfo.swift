public import Foundation

/// The job a handler is running, as it was claimed.
public struct JobInfo: Sendable, Equatable {
    public let id: Int64
    public let queue: String
    public let kind: String
    /// 1 on the first run.
    public let attempt: Int
    public let maxAttempts: Int
    public let priority: Int
    public let scheduledAt: Date
    public let insertedAt: Date
    public let tags: [String]

    /// True when a failure of this attempt discards the job instead of retrying it.
    public var isLastAttempt: Bool { attempt >= maxAttempts }
}
