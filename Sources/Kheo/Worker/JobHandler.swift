/// Runs one kind of job.
///
/// `run` is called on a Dispatch thread of its own slot and may block (network,
/// database, files): a queue's concurrency bounds how many run at once. Delivery is
/// at least once, so make handlers idempotent, or do the database work through
/// `context.transaction`, which commits it together with the job's completion.
///
/// ```swift
/// struct SendReminderHandler: JobHandler {
///     func run(_ args: SendReminder, context: JobContext) throws -> JobResult {
///         try context.transaction { connection in
///             try connection.query("INSERT INTO notifications …", args.deadlineID)
///         }
///         return .completed
///     }
/// }
/// ```
public protocol JobHandler: Sendable {
    associatedtype Args: JobArgs

    /// How long one attempt may run. Past it the job's context reports cancellation,
    /// the attempt is recorded as failed, and its slot is given to other work.
    var timeout: Duration { get }

    /// The wait before retrying after failed attempt `attempt`; nil uses the
    /// worker's retry policy.
    func retryDelay(afterAttempt attempt: Int) -> Duration?

    func run(_ args: Args, context: JobContext) throws -> JobResult
}

extension JobHandler {
    public var timeout: Duration { .seconds(300) }
    public func retryDelay(afterAttempt attempt: Int) -> Duration? { nil }
}
