import Foundation
import Kheo
@testable import KheoAPI
import KheoTesting
import Logging
import PostgresClient
import Testing

/// The operators' charts count finished jobs per minute without counting any twice,
/// however often they refresh, and keep minutes whose jobs were pruned.
@Suite("Console: throughput counts")
struct ThroughputCacheTests {
    @Test func eachJobCountsOnceInItsMinute() async throws {
        try await TestDatabase.with(schema: .binary) { db in
            let pool = db.pool
            func finish(_ count: Int, _ state: String, minutesAgo: Int) throws {
                try pool.query(
                    """
                    INSERT INTO kheo.jobs (queue, kind, state, attempt, attempted_at, finalized_at, scheduled_at, inserted_at)
                    SELECT 'q', 'kheo.noop', $2::kheo.job_state, 1, t, t, t, t
                    FROM (SELECT date_trunc('minute', now()) - make_interval(mins => $3) + interval '10 seconds' AS t FROM generate_series(1, $1)) AS s
                    """,
                    Int32(count), state, Int32(minutesAgo)
                )
            }
            try finish(30, "completed", minutesAgo: 10)
            try finish(3, "discarded", minutesAgo: 10)
            try finish(7, "completed", minutesAgo: 0)
            try finish(5, "completed", minutesAgo: 120)
            let cache = ThroughputCache(pool: pool, logger: Logger(label: "test"))
            try cache.refresh()
            var snapshot = cache.snapshot()
            defer { cache.stop() }
            #expect(snapshot.total(since: Date().addingTimeInterval(-3600)) == .init(completed: 37, discarded: 3))
            #expect(snapshot.total(since: Date().addingTimeInterval(-86_400)) == .init(completed: 42, discarded: 3))
            let hour = snapshot.buckets(count: 60, width: 60)
            #expect(hour.last?.completed == 7)
            #expect(hour.reduce(0) { $0 + $1.discarded } == 3)
            // More in the current minute, refreshed twice: counted once each.
            try finish(4, "completed", minutesAgo: 0)
            try cache.refresh()
            try cache.refresh()
            snapshot = cache.snapshot()
            #expect(snapshot.total(since: Date().addingTimeInterval(-3600)).completed == 41)
            // Pruning the old minute's jobs does not change its count.
            try pool.query("DELETE FROM kheo.jobs WHERE finalized_at < now() - interval '5 minutes'")
            try cache.refresh()
            #expect(cache.snapshot().total(since: Date().addingTimeInterval(-86_400)) == .init(completed: 46, discarded: 3))
        }
    }
}
