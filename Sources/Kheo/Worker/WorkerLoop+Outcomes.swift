import CoreMetrics
import Foundation
import Logging

extension WorkerLoop {
    /// Logs and counts what the machine decided for a finished run.
    func report(_ verdict: Machine.Verdict, of run: ActiveRun, duration: Duration) {
        let kindMetrics = run.metrics
        kindMetrics.duration.recordNanoseconds(duration.inNanoseconds)
        // Building the job's logger costs allocations; completions log only at debug level.
        let log = logger.logLevel <= .debug || !verdict.isQuiet ? run.context.logger : logger
        func timed(_ extra: Logger.Metadata = [:]) -> Logger.Metadata {
            extra.merging(["duration_ms": "\(duration.inMilliseconds)"]) { $1 }
        }
        switch verdict {
        case .completed:
            kindMetrics.completed.increment()
            log.debug("job completed", metadata: timed())
        case .completedInTransaction:
            kindMetrics.completed.increment()
            log.debug("job completed in its handler's transaction", metadata: timed())
        case .discardedAfterLastAttempt(let message):
            kindMetrics.discarded.increment()
            log.error("job discarded: its last attempt failed", metadata: timed(["error": "\(message)"]))
        case .retry(let delay, let message):
            kindMetrics.retried.increment()
            log.warning("job failed; will retry", metadata: timed(["error": "\(message)", "retry_in": "\(delay)"]))
        case .snoozed(let delay):
            kindMetrics.snoozed.increment()
            log.debug("job snoozed", metadata: timed(["snooze": "\(delay)"]))
        case .cancelled(let reason):
            kindMetrics.cancelled.increment()
            log.notice("job cancelled", metadata: timed(["reason": "\(reason)"]))
        case .discarded(let reason):
            kindMetrics.discarded.increment()
            log.error("job discarded", metadata: timed(["error": "\(reason)"]))
        }
    }
}
