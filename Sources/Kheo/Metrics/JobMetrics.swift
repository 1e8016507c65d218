import CoreMetrics
import Foundation
import Metrics

/// The engine's metrics, through swift-metrics: whichever backend the program
/// bootstraps (Prometheus in `kheo work --metrics-port`) receives them; without one
/// they cost next to nothing.
///
/// Counters by queue and kind: `kheo_jobs_enqueued_total`, `kheo_jobs_started_total`,
/// `kheo_jobs_completed_total`, `kheo_jobs_retried_total`, `kheo_jobs_discarded_total`,
/// `kheo_jobs_cancelled_total`, `kheo_jobs_snoozed_total`. Timers (histograms):
/// `kheo_job_run_duration_seconds` by queue and kind, `kheo_job_pickup_latency_seconds`
/// (scheduled time to claim) by queue. Gauges by queue: `kheo_queue_jobs` (with a
/// `state` label), `kheo_queue_oldest_available_seconds`, `kheo_queue_paused`.
public enum JobMetrics {
    public static let enqueued = "kheo_jobs_enqueued_total"
    public static let started = "kheo_jobs_started_total"
    public static let completed = "kheo_jobs_completed_total"
    public static let retried = "kheo_jobs_retried_total"
    public static let discarded = "kheo_jobs_discarded_total"
    public static let cancelled = "kheo_jobs_cancelled_total"
    public static let snoozed = "kheo_jobs_snoozed_total"
    public static let runDuration = "kheo_job_run_duration_seconds"
    public static let pickupLatency = "kheo_job_pickup_latency_seconds"
    public static let queueJobs = "kheo_queue_jobs"
    public static let oldestAvailable = "kheo_queue_oldest_available_seconds"
    public static let queuePaused = "kheo_queue_paused"

    /// Histogram buckets that resolve the timers' usual values: pickup in fractions of
    /// a millisecond when workers are idle, runs from a millisecond to minutes.
    public static let histogramBuckets: [String: [Duration]] = [
        pickupLatency: [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000]
            .map { Duration.microseconds(Int64($0 * 1000)) },
        runDuration: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 300_000, 1_800_000]
            .map { Duration.milliseconds($0) },
    ]

    /// Counts inserted jobs (duplicates of unique jobs are not inserted, so not counted).
    static func countEnqueued(queue: String, kind: String, by count: Int = 1) {
        Counter(label: enqueued, dimensions: [("queue", queue), ("kind", kind)]).increment(by: count)
    }

    /// Counts a mixed batch, one increment per queue and kind.
    static func countEnqueued(_ requests: [JobRequest]) {
        var counts: [QueueAndKind: Int] = [:]
        for request in requests { counts[QueueAndKind(queue: request.options.queue, kind: request.kind), default: 0] += 1 }
        for (key, count) in counts { countEnqueued(queue: key.queue, kind: key.kind, by: count) }
    }
}

/// A queue and a kind, the labels most metrics carry; hashed without building a string.
struct QueueAndKind: Hashable {
    let queue: String
    let kind: String
}

/// The metric handles of one queue and kind, made once and kept by the worker loop:
/// looking a handle up in the backend's registry on every job would cost more than
/// recording to it.
final class KindMetrics {
    let started: Counter
    let completed: Counter
    let retried: Counter
    let discarded: Counter
    let cancelled: Counter
    let snoozed: Counter
    let duration: Metrics.Timer
    let pickup: Metrics.Timer

    init(queue: String, kind: String) {
        let labels = [("queue", queue), ("kind", kind)]
        started = Counter(label: JobMetrics.started, dimensions: labels)
        completed = Counter(label: JobMetrics.completed, dimensions: labels)
        retried = Counter(label: JobMetrics.retried, dimensions: labels)
        discarded = Counter(label: JobMetrics.discarded, dimensions: labels)
        cancelled = Counter(label: JobMetrics.cancelled, dimensions: labels)
        snoozed = Counter(label: JobMetrics.snoozed, dimensions: labels)
        duration = Metrics.Timer(label: JobMetrics.runDuration, dimensions: labels, preferredDisplayUnit: .seconds)
        pickup = Metrics.Timer(label: JobMetrics.pickupLatency, dimensions: [("queue", queue)], preferredDisplayUnit: .seconds)
    }

    /// Handles by queue and kind, for the worker loop's thread only.
    struct Cache {
        private var byKey: [QueueAndKind: KindMetrics] = [:]

        mutating func get(queue: String, kind: String) -> KindMetrics {
            let key = QueueAndKind(queue: queue, kind: kind)
            if let cached = byKey[key] { return cached }
            let made = KindMetrics(queue: queue, kind: kind)
            byKey[key] = made
            return made
        }
    }
}
