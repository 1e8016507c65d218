import Foundation
public import PostgresClient

/// How many jobs a queue holds in each state, and how long its oldest available job
/// has waited: the first thing to look at when work seems stuck.
public struct QueueStatistics: Sendable, Equatable, Codable {
    public var queue: String
    public var counts: [String: Int]
    /// Seconds the oldest available job has waited past its scheduled time (nil when none).
    public var oldestAvailableAgeSeconds: Double?

    public func count(_ state: JobState) -> Int { counts[state.rawValue] ?? 0 }

    /// Counts every job by queue and state (a full scan: meant for operators, not hot paths).
    public static func read(on executor: some PostgresExecutor) throws -> [QueueStatistics] {
        let result = try executor.query("""
            SELECT queue, state::text AS state, count(*) AS jobs,
                   extract(epoch FROM now() - min(scheduled_at) FILTER (WHERE state = 'available'))::float8 AS oldest
            FROM kheo.all_jobs GROUP BY queue, state ORDER BY queue, state
            """)
        var byQueue: [String: QueueStatistics] = [:]
        var order: [String] = []
        for row in result {
            let queue: String = try row.decode("queue")
            if byQueue[queue] == nil {
                order.append(queue)
                byQueue[queue] = QueueStatistics(queue: queue, counts: [:], oldestAvailableAgeSeconds: nil)
            }
            byQueue[queue]!.counts[try row.decode("state")] = Int(try row.decode("jobs", as: Int64.self))
            if let oldest = try row.decode("oldest", as: Double?.self) {
                byQueue[queue]!.oldestAvailableAgeSeconds = max(0, oldest)
            }
        }
        return order.compactMap { byQueue[$0] }
    }
}
