public import Foundation
public import PostgresClient

/// A queue as operators see it: paused or not, and its unfinished jobs by state.
public struct QueueRecord: Sendable, Equatable, Codable {
    public var name: String
    public var pausedAt: Date?
    public var available: Int
    public var running: Int
    public var scheduled: Int
    public var retryable: Int
    /// Seconds the oldest available job has waited past its scheduled time.
    public var oldestAvailableAgeSeconds: Double?

    public var isPaused: Bool { pausedAt != nil }

    /// Every queue a worker has served or an unfinished job names. Names and counts come
    /// from the partial indexes of unfinished jobs (each condition written as one
    /// index's predicate, or the planner scans the table), so this stays fast with
    /// millions finished.
    public static func list(on executor: some PostgresExecutor) throws -> [QueueRecord] {
        let rows = try executor.query("""
            WITH names AS (
                SELECT name FROM kheo.queues
                UNION SELECT DISTINCT queue FROM kheo.jobs WHERE state = 'available'
                UNION SELECT DISTINCT queue FROM kheo.jobs WHERE state IN ('scheduled', 'retryable')
                UNION SELECT DISTINCT queue FROM kheo.jobs WHERE state = 'running'
            )
            SELECT n.name, q.paused_at,
                   (SELECT count(*) FROM kheo.jobs j WHERE j.state = 'available' AND j.queue = n.name) AS available,
                   (SELECT count(*) FROM kheo.jobs j WHERE j.state = 'running' AND j.queue = n.name) AS running,
                   (SELECT count(*) FROM kheo.jobs j WHERE j.state = 'scheduled' AND j.queue = n.name) AS scheduled,
                   (SELECT count(*) FROM kheo.jobs j WHERE j.state = 'retryable' AND j.queue = n.name) AS retryable,
                   extract(epoch FROM now() - (SELECT min(j.scheduled_at) FROM kheo.jobs j
                                               WHERE j.state = 'available' AND j.queue = n.name))::float8 AS oldest
            FROM names AS n LEFT JOIN kheo.queues AS q ON q.name = n.name
            ORDER BY n.name
            """)
        return try rows.map { row in
            QueueRecord(
                name: try row.decode("name"),
                pausedAt: try row.decode("paused_at"),
                available: Int(try row.decode("available", as: Int64.self)),
                running: Int(try row.decode("running", as: Int64.self)),
                scheduled: Int(try row.decode("scheduled", as: Int64.self)),
                retryable: Int(try row.decode("retryable", as: Int64.self)),
                oldestAvailableAgeSeconds: try row.decode("oldest", as: Double?.self).map { max(0, $0) }
            )
        }
    }
}
