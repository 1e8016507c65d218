import Foundation
import Logging
import PostgresClient
import Synchronization

/// Jobs finished per queue and minute over the last day, for the operators' charts,
/// kept in memory and brought up to date by a thread every `interval`, so no page
/// counts finished jobs itself.
///
/// Each refresh reads only the minutes from the one before the last refresh on, from
/// the per-minute counters (`kheo.job_minutes`, migration 0014), and replaces those
/// minutes' counts whole: a job that committed late is counted in its minute, and no
/// job is counted twice. Minutes older than that are final, and stay correct after
/// retention forgets their jobs. The
/// thread starts with the first operator page, so a server nobody watches reads
/// nothing.
final class ThroughputCache: Sendable {
    struct Minute: Sendable, Equatable {
        var completed = 0
        var discarded = 0
    }

    /// Counts by queue, then by minute (seconds since 1970, a multiple of 60).
    struct Snapshot: Sendable {
        var byQueue: [String: [Int: Minute]] = [:]
        /// When the counts were last brought up to date; nil before the first fill.
        var refreshedAt: Date?

        /// Every queue's minutes added up, from `since` on.
        func total(since: Date, queue: String? = nil) -> Minute {
            let first = Int(since.timeIntervalSince1970)
            var sum = Minute()
            for (name, minutes) in byQueue where queue == nil || name == queue {
                for (minute, counts) in minutes where minute >= first {
                    sum.completed += counts.completed
                    sum.discarded += counts.discarded
                }
            }
            return sum
        }

        /// `count` buckets of `width` seconds ending now, oldest first.
        func buckets(count: Int, width: Int, now: Date = Date()) -> [Minute] {
            let end = (Int(now.timeIntervalSince1970) / 60 + 1) * 60
            let start = end - count * width
            var out = Array(repeating: Minute(), count: count)
            for minutes in byQueue.values {
                for (minute, counts) in minutes where minute >= start && minute < end {
                    let index = (minute - start) / width
                    out[index].completed += counts.completed
                    out[index].discarded += counts.discarded
                }
            }
            return out
        }
    }

    private struct State {
        var snapshot = Snapshot()
        /// The first minute the next refresh reads again.
        var from: Date?
        var started = false
    }

    private let state = Mutex(State())
    private let pool: PostgresConnectionPool
    private let interval: Duration
    private let logger: Logger
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(pool: PostgresConnectionPool, interval: Duration = .seconds(5), logger: Logger) {
        self.pool = pool
        self.interval = interval
        self.logger = logger
    }

    /// The counts as they stand; starts the refreshing thread on first use.
    func snapshot() -> Snapshot {
        let start = state.withLock { state -> Bool in
            defer { state.started = true }
            return !state.started
        }
        if start {
            Thread { [self] in
                run()
                finished.signal()
            }.start()
        }
        return state.withLock { $0.snapshot }
    }

    /// Brings the counts up to date now (tests, and the thread).
    func refresh() throws {
        let from = state.withLock { $0.from } ?? Date().addingTimeInterval(-86_400)
        let readStart = Date()
        let firstMinute = Date(timeIntervalSince1970: floor(from.timeIntervalSince1970 / 60) * 60)
        let rows = try pool.query(
            """
            SELECT queue, (extract(epoch FROM minute))::bigint AS minute,
                   coalesce(sum(jobs) FILTER (WHERE state = 'completed'), 0)::int8 AS completed,
                   coalesce(sum(jobs) FILTER (WHERE state = 'discarded'), 0)::int8 AS discarded
            FROM kheo.job_minutes
            WHERE state IN ('completed', 'discarded') AND minute >= $1
            GROUP BY 1, 2
            """,
            firstMinute
        )
        var fresh: [String: [Int: Minute]] = [:]
        for row in rows {
            let minute = Int(try row.decode("minute", as: Int64.self))
            fresh[try row.decode("queue"), default: [:]][minute] = Minute(
                completed: Int(try row.decode("completed", as: Int64.self)), discarded: Int(try row.decode("discarded", as: Int64.self))
            )
        }
        let cutoff = Int(firstMinute.timeIntervalSince1970)
        let oldest = Int(readStart.timeIntervalSince1970) - 86_400 - 60
        state.withLock { state in
            for queue in Set(state.snapshot.byQueue.keys).union(fresh.keys) {
                var minutes = state.snapshot.byQueue[queue] ?? [:]
                minutes = minutes.filter { $0.key < cutoff && $0.key >= oldest }
                for (minute, counts) in fresh[queue] ?? [:] { minutes[minute] = counts }
                state.snapshot.byQueue[queue] = minutes.isEmpty ? nil : minutes
            }
            state.snapshot.refreshedAt = readStart
            // A transaction open across a refresh may still commit jobs finished
            // before it began: read the last minute and a half again next time.
            state.from = readStart.addingTimeInterval(-90)
        }
    }

    func stop() {
        let started = state.withLock { $0.started }
        stopped.store(true, ordering: .relaxed)
        if started { finished.wait() }
    }

    private func run() {
        while !stopped.load(ordering: .relaxed) {
            do {
                try refresh()
            } catch {
                logger.warning("console throughput counts could not be refreshed", metadata: ["error": "\(APIHandlers.brief(error))"])
            }
            let deadline = ContinuousClock.now + interval
            while !stopped.load(ordering: .relaxed), ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
        }
    }
}
