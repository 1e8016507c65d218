/// The arguments of one kind of job, and the kind's name.
///
/// The kind names the handler that runs the job; the value is stored as JSON in
/// `kheo.jobs.args`. Keep args small (ids, not documents): workers decode them on
/// every attempt, and the default limit is 1 MiB.
///
/// ```swift
/// struct SendReminder: JobArgs {
///     static let kind = "deadline.remind"
///     var deadlineID: Int64
///     var daysAhead: Int
/// }
/// ```
public protocol JobArgs: Codable, Sendable {
    /// The stable name of this kind of job. Renaming it strands jobs already enqueued.
    static var kind: String { get }
    /// Who may enqueue it; `.internal` unless the kind says otherwise.
    static var exposure: JobExposure { get }
    /// The key this job counts under when its queue is limited or fair by key (see
    /// `QueueLimits`): the unit it works for, the receiver it delivers to. `nil` (the
    /// default) for none; `JobRequest.partitionKey` can set or override it.
    var partitionKey: String? { get }
}

extension JobArgs {
    public static var exposure: JobExposure { .internal }
    public var partitionKey: String? { nil }
}
