/// What a handler asks to happen to its job when it returns.
///
/// Throwing an error means "this attempt failed": the error is recorded and the job
/// is retried with backoff until it runs out of attempts. Return one of these to say
/// anything else.
public enum JobResult: Sendable, Equatable {
    /// Done; the job is marked completed.
    case completed
    /// Not now: run again after `delay` without spending an attempt.
    case snooze(Duration)
    /// Stop for good, on purpose (e.g. the work is no longer wanted). Recorded with the reason.
    case cancel(reason: String)
    /// Stop for good, because it can never succeed (e.g. the unit it names is gone).
    case discard(reason: String)
}
