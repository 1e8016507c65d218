/// A job as enqueued: its id, and whether it was there already.
public struct EnqueuedJob: Sendable, Equatable {
    public let id: Int64
    /// True when the job is unique and an existing job matched: nothing was inserted
    /// and `id` is that job's.
    public let isDuplicate: Bool

    public init(id: Int64, isDuplicate: Bool) {
        self.id = id
        self.isDuplicate = isDuplicate
    }
}
