public import Foundation
public import PostgresClient

/// How many jobs a queue holds in each state, and how long its oldest available job
/// has waited: the first thing to look at when work seems stuck.
public struct QueueStatistics: Sendable, Equatable, Codable {
    public var queue: String
    public var counts: [String: Int]
    /// Seconds the oldest available job has waited past its scheduled time (nil when none).
    public var oldestAvailableAgeSeconds: Double?

    public func count(_ state: JobState) -> Int { counts[state.rawValue] ?? 0 }

    /// Each queue's jobs by state: every unfinished job, and the jobs that finished in
    /// the last `finishedWithin` (by default a day). Read from the counters
    /// (`JobCounts`), never by counting jobs, so it answers as fast beside ten million
    /// finished jobs as beside none.
    public static func read(
        on executor: some PostgresExecutor, finishedWithin: Duration = .seconds(86_400)
    ) throws -> [QueueStatistics] {
        let queues = try QueueRecord.list(on: executor)
        let since = try executor.query("SELECT now() - $1::bigint * interval '1 microsecond' AS since", finishedWithin.inMicroseconds)
            .single().decode("since", as: Date.self)
        let finished = try JobCounts.finished(since: since, on: executor)
        var statistics: [QueueStatistics] = queues.map { queue in
            var counts: [String: Int] = [:]
            for (state, jobs) in [(JobState.available, queue.available), (.running, queue.running),
                                  (.scheduled, queue.scheduled), (.retryable, queue.retryable)] where jobs != 0 {
                counts[state.rawValue] = jobs
            }
            return QueueStatistics(queue: queue.name, counts: counts, oldestAvailableAgeSeconds: queue.oldestAvailableAgeSeconds)
        }
        for (queue, states) in finished {
            if !statistics.contains(where: { $0.queue == queue }) {
                statistics.append(QueueStatistics(queue: queue, counts: [:], oldestAvailableAgeSeconds: nil))
            }
            let index = statistics.firstIndex { $0.queue == queue }!
            for (state, jobs) in states { statistics[index].counts[state.rawValue] = jobs }
        }
        return statistics.filter { !$0.counts.isEmpty }.sorted { $0.queue < $1.queue }
    }
}
