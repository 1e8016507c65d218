import CoreMetrics
import Foundation
import Logging

extension WorkerLoop {
    /// Turns a run's outcome into the state change to write, and logs it.
    func record(_ outcome: RunOutcome, of job: RunningJob, duration: Duration) {
        var outcome = outcome
        switch (job.context.stopReason, outcome) {
        case (.cancelled, .completed), (.cancelled, .completedInTransaction), (.cancelled, .cancelled):
            break
        case (.cancelled, _):
            outcome = .cancelled(reason: "cancelled by an operator while it ran")
        default:
            break
        }
        let info = job.info
        let kindMetrics = job.metrics
        kindMetrics.duration.recordNanoseconds(duration.inNanoseconds)
        // Building the job's logger costs allocations; completions log only at debug level.
        let log = logger.logLevel <= .debug || !outcome.isQuiet ? job.context.logger : logger
        func timed(_ extra: Logger.Metadata = [:]) -> Logger.Metadata {
            extra.merging(["duration_ms": "\(duration.inMilliseconds)"]) { $1 }
        }
        func write(_ state: JobState, delay: Duration = .zero, error: (type: String, message: String)? = nil) {
            pending.append(PendingWrite(
                id: info.id,
                attempt: Int32(info.attempt),
                state: state,
                delayMicroseconds: delay.inMicroseconds,
                errorJSON: error.map { Self.errorJSON(attempt: info.attempt, type: $0.type, message: $0.message, node: nodeIDString) } ?? ""
            ))
            if state == .retryable || state == .scheduled { noteDue(after: delay) }
        }
        switch outcome {
        case .completed:
            kindMetrics.completed.increment()
            log.debug("job completed", metadata: timed())
            write(.completed)
        case .completedInTransaction:
            kindMetrics.completed.increment()
            log.debug("job completed in its handler's transaction", metadata: timed())
        case .failed(let message, let type):
            if info.isLastAttempt {
                kindMetrics.discarded.increment()
                log.error("job discarded: its last attempt failed", metadata: timed(["error": "\(message)"]))
                write(.discarded, error: (type, message))
            } else {
                let delay = job.retryDelay(info.attempt) ?? configuration.retryPolicy.delay(afterAttempt: info.attempt)
                kindMetrics.retried.increment()
                log.warning("job failed; will retry", metadata: timed(["error": "\(message)", "retry_in": "\(delay)"]))
                write(.retryable, delay: delay, error: (type, message))
            }
        case .snoozed(let delay):
            kindMetrics.snoozed.increment()
            log.debug("job snoozed", metadata: timed(["snooze": "\(delay)"]))
            write(.scheduled, delay: delay)
        case .cancelled(let reason):
            kindMetrics.cancelled.increment()
            log.notice("job cancelled", metadata: timed(["reason": "\(reason)"]))
            write(.cancelled, error: ("cancelled", reason))
        case .discarded(let reason, let type):
            kindMetrics.discarded.increment()
            log.error("job discarded", metadata: timed(["error": "\(reason)"]))
            write(.discarded, error: (type, reason))
        }
    }

    /// Remembers that a job becomes due after `delay`, so an idle loop wakes for it.
    private func noteDue(after delay: Duration) {
        let due = clock.now + delay
        nextDue = nextDue.map { min($0, due) } ?? due
    }

    /// One entry of a job's `errors` column; the server adds the time.
    static func errorJSON(attempt: Int, type: String, message: String, node: String) -> String {
        let object: [String: Any] = ["attempt": attempt, "type": type, "error": message, "node": node]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return #"{"error":"(the error message could not be encoded)"}"#
        }
        return String(decoding: data, as: UTF8.self)
    }
}
