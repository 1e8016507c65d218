import CoreMetrics
import Foundation
import Logging
import PostgresClient

/// Reads the depth of the node's queues every `interval` and publishes it as gauges
/// (`kheo_queue_jobs` by state, `kheo_queue_oldest_available_seconds`,
/// `kheo_queue_paused`): what an autoscaler or an alert on a stuck queue watches.
/// The counts come from the partial indexes of unfinished jobs (`QueueRecord.list`).
struct QueueGaugeChore: Sendable {
    let queues: Set<String>
    let interval: Duration
    let pool: PostgresConnectionPool
    let logger: Logger

    func run(on thread: ChoreThread) {
        repeat {
            do {
                for queue in try QueueRecord.list(on: pool) where queues.contains(queue.name) {
                    publish(queue)
                }
            } catch {
                logger.warning("could not read queue depths for metrics; trying again", metadata: ["error": "\(error)"])
            }
        } while thread.sleep(for: Double(interval.inMilliseconds) / 1000)
    }

    private func publish(_ queue: QueueRecord) {
        let counts: [(JobState, Int)] = [
            (.available, queue.available), (.running, queue.running), (.scheduled, queue.scheduled), (.retryable, queue.retryable),
        ]
        for (state, count) in counts {
            Gauge(label: JobMetrics.queueJobs, dimensions: [("queue", queue.name), ("state", state.rawValue)]).record(count)
        }
        Gauge(label: JobMetrics.oldestAvailable, dimensions: [("queue", queue.name)]).record(queue.oldestAvailableAgeSeconds ?? 0)
        Gauge(label: JobMetrics.queuePaused, dimensions: [("queue", queue.name)]).record(queue.isPaused ? 1 : 0)
    }
}
