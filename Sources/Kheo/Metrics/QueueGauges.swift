import CoreMetrics
import Foundation
import Logging
import PostgresClient

/// Reads the depth of the node's queues every `interval` and publishes it as gauges
/// (`kheo_queue_jobs` by state, `kheo_queue_oldest_available_seconds`,
/// `kheo_queue_paused`): what an autoscaler or an alert on a stuck queue watches.
/// The counts come from the partial indexes of unfinished jobs (`QueueRecord.list`).
/// Every node publishes its own queues.
struct QueueGauges: MaintenanceService {
    let queues: Set<String>
    let interval: Duration

    var name: String { "queue gauges" }
    var leaderOnly: Bool { false }

    /// Publishes the gauges of this node's queues; returns how many queues it read.
    @discardableResult
    func runOnce(on executor: some PostgresExecutor) throws -> Int {
        let mine = try QueueRecord.list(on: executor).filter { queues.contains($0.name) }
        for queue in mine { publish(queue) }
        return mine.count
    }

    func round(now: Date, pool: PostgresConnectionPool) throws -> MaintenanceRound {
        try runOnce(on: pool)
        return MaintenanceRound(nextRun: now.addingTimeInterval(interval.inSeconds))
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
