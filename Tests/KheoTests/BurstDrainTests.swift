import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

/// The order production meets every day: workers idle on an empty queue (overnight, or
/// just deployed), then a burst of work. Their statements were planned on the empty
/// table; the burst must drain as fast as a backlog that was there before they started.
@Suite("Burst drain", .serialized)
struct BurstDrainTests {
    static let jobs = 200_000

    static func workers(_ db: TestDatabase, queue: String, untilEmpty: Bool) throws -> [KheoProcess] {
        try (0..<2).map { _ in
            try KheoProcess.start(
                ["work", "--no-prune", "--queue", "\(queue)=50", "--log-level", "warning"] + (untilEmpty ? ["--until-empty"] : []),
                environment: ["DATABASE_URL": db.url]
            )
        }
    }

    static func enqueue(_ db: TestDatabase, queue: String) throws {
        let request = try JobRequest(BuiltinJobs.Noop(), options: EnqueueOptions(queue: queue, priority: 5))
        _ = try Producer().enqueueMany(Array(repeating: request, count: jobs), on: db.pool)
    }

    /// Seconds from `since` (SQL over the queue's jobs) to the last job's completion.
    static func seconds(_ db: TestDatabase, queue: String, since: String) throws -> Double {
        let row = try db.pool.query(
            "SELECT count(*) FILTER (WHERE state = 'completed') AS done, extract(epoch FROM max(finalized_at) - \(since))::float8 AS seconds FROM kheo.jobs WHERE queue = $1",
            queue
        ).single()
        #expect(try row.decode("done", as: Int64.self) == Int64(jobs))
        return try row.decode("seconds", as: Double.self)
    }

    @Test func aBurstToIdleWorkersDrainsAsFastAsABacklogFilledFirst() throws {
        // Filled first: the workers plan their statements on a table that holds the backlog.
        let filledFirst = try TestDatabase.with { db in
            try Self.enqueue(db, queue: "filled")
            try db.pool.query("ANALYZE kheo.jobs")
            for worker in try Self.workers(db, queue: "filled", untilEmpty: true) {
                #expect(try worker.wait(timeout: .seconds(600)) == 0, "\(worker.output.suffix(2000))")
            }
            return try Self.seconds(db, queue: "filled", since: "min(attempted_at)")
        }
        // A burst: the workers start on an empty, analyzed table, claim (so their
        // statements are planned and cached), wait idle, then 200,000 arrive at once.
        let burst = try TestDatabase.with { db in
            try db.pool.query("ANALYZE kheo.jobs")
            let workers = try Self.workers(db, queue: "burst", untilEmpty: false)
            defer {
                for worker in workers { worker.send(SIGTERM) }
                for worker in workers { _ = try? worker.wait(timeout: .seconds(60)) }
            }
            try waitUntil { try count("SELECT count(*) FROM kheo.nodes", in: db) == 2 }
            Thread.sleep(forTimeInterval: 0.5)
            try Self.enqueue(db, queue: "burst")
            try waitUntil(timeout: .seconds(600)) {
                try count("SELECT count(*) FROM kheo.jobs WHERE queue = 'burst' AND state = 'completed'", in: db) == Self.jobs
            }
            return try Self.seconds(db, queue: "burst", since: "max(inserted_at)")
        }
        #expect(burst <= 2 * filledFirst, "the burst drained in \(burst) s, the backlog filled first in \(filledFirst) s")
    }
}
