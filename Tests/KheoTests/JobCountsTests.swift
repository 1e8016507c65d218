import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

/// The counters of migration 0014 say exactly what counting the jobs would say, after
/// every kind of write, and stay a few rows per queue once folded.
@Suite("Job counts")
struct JobCountsTests {
    /// Counting the jobs themselves: the oracle.
    private func counted(_ db: TestDatabase) throws -> [String: [JobState: Int]] {
        var counts: [String: [JobState: Int]] = [:]
        for row in try db.pool.query("SELECT queue, state::text AS state, count(*) AS n FROM kheo.jobs GROUP BY 1, 2") {
            counts[try row.decode("queue"), default: [:]][JobState(rawValue: try row.decode("state"))!] = Int(try row.decode("n", as: Int64.self))
        }
        return counts
    }

    private func finishedCounted(_ db: TestDatabase) throws -> [String: [JobState: Int]] {
        var counts: [String: [JobState: Int]] = [:]
        for row in try db.pool.query("""
            SELECT queue, state::text AS state, count(*) AS n FROM kheo.all_jobs
            WHERE state IN ('completed', 'cancelled', 'discarded') GROUP BY 1, 2
            """) {
            counts[try row.decode("queue"), default: [:]][JobState(rawValue: try row.decode("state"))!] = Int(try row.decode("n", as: Int64.self))
        }
        return counts
    }

    /// `alsoFinished`: jobs that finished and were retried since, which the per-minute
    /// counts keep (they count what happened) and the jobs no longer show.
    private func expectExact(
        _ db: TestDatabase, _ comment: Comment, alsoFinished: [String: [JobState: Int]] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(try JobCounts.current(on: db.pool) == counted(db), comment, sourceLocation: sourceLocation)
        let finished = try JobCounts.finished(since: Date().addingTimeInterval(-86_400), on: db.pool)
        var oracle = try finishedCounted(db)
        for (queue, states) in alsoFinished { for (state, jobs) in states { oracle[queue, default: [:]][state, default: 0] += jobs } }
        #expect(finished == oracle, "\(comment): \(finished) against \(oracle)", sourceLocation: sourceLocation)
    }

    @Test func everyWriteKeepsTheCountsExact() throws {
        try TestDatabase.with { db in
            let producer = Producer()
            try expectExact(db, "empty")
            _ = try producer.enqueueMany((0..<40).map { _ in try JobRequest(BuiltinJobs.Noop()) }, on: db.pool)
            _ = try producer.enqueueMany((0..<5).map { _ in try JobRequest(BuiltinJobs.Noop(), options: .init(queue: "reports")) }, on: db.pool)
            let later = try producer.enqueue(JobRequest(kind: "kheo.noop", options: EnqueueOptions(schedule: .after(.seconds(3600)))), on: db.pool)
            let failing = try producer.enqueue(BuiltinJobs.Fail(times: 5), options: EnqueueOptions(maxAttempts: 2), on: db.pool)
            let guarded = try producer.insert(
                JobRequest(kind: "kheo.noop", options: EnqueueOptions(unique: UniqueOptions(byPeriod: .seconds(86_400), alsoWhen: [.completed]))),
                on: db.pool
            )
            _ = try db.pool.query("SELECT kheo.enqueue('kheo.noop', queue => 'sql')")
            try expectExact(db, "enqueued")
            try withWorker(db, queues: [.init("default", concurrency: 5), .init("reports", concurrency: 2), .init("sql", concurrency: 1)], retryBase: .milliseconds(20)) { _ in
                try waitUntil {
                    try state(of: failing, in: db) == "discarded" && state(of: guarded.id, in: db) == "completed"
                        && count("SELECT count(*) FROM kheo.jobs WHERE state IN ('available', 'running', 'retryable')", in: db) == 0
                }
            }
            try expectExact(db, "drained")
            #expect(try JobControl().cancel([later], on: db.pool).map(\.outcome) == [.cancelled])
            #expect(try JobControl().retry([failing], on: db.pool).map(\.outcome) == [.retried])
            let retried = ["default": [JobState.discarded: 1]]
            try expectExact(db, "cancelled and retried", alsoFinished: retried)
            try db.pool.query("""
                INSERT INTO kheo.jobs (queue, kind, state, attempt, finalized_at)
                SELECT 'old', 'kheo.noop', 'completed', 1, now() - interval '2 hours' FROM generate_series(1, 30)
                """)
            try expectExact(db, "finished rows written straight in", alsoFinished: retried)
            #expect(try HistoryArchiver(batchSize: 7).archive(on: db.pool).moved == 30)
            try expectExact(db, "archived: the same jobs, counted once", alsoFinished: retried)
            try JobCountsFolder().fold(on: db.pool)
            try expectExact(db, "folded", alsoFinished: retried)
            #expect(try count("SELECT count(*) FROM kheo.job_counts", in: db) == counted(db).values.map(\.count).reduce(0, +))
            _ = try Pruner(configuration: PruneConfiguration(completed: .zero, cancelled: .zero, discarded: .zero)).prune(on: db.pool)
            #expect(try JobCounts.current(on: db.pool) == counted(db), "pruned: the unique job left kheo.jobs")
            #expect(try JobCounts.current(on: db.pool)["default"]?[.completed] == nil)
        }
    }

    @Test func concurrentWritersNeverMissACount() throws {
        try TestDatabase.with { db in
            let producer = Producer()
            try withWorker(db, queues: [.init("default", concurrency: 20)]) { _ in
                try withWorker(db, queues: [.init("default", concurrency: 20)]) { _ in
                    let group = DispatchGroup()
                    for _ in 0..<4 {
                        DispatchQueue.global().async(group: group) {
                            for _ in 0..<25 {
                                _ = try? producer.enqueueMany((0..<40).map { _ in try JobRequest(BuiltinJobs.Noop()) }, on: db.pool)
                                try? JobCountsFolder().fold(on: db.pool)
                            }
                        }
                    }
                    group.wait()
                    try waitUntil { try count("SELECT count(*) FROM kheo.job_history WHERE state = 'completed'", in: db) == 4000 }
                }
            }
            try expectExact(db, "4,000 jobs from 4 producers through 2 workers, folded all along")
            #expect(try JobCounts.finished(since: Date().addingTimeInterval(-3600), on: db.pool)["default"]?[.completed] == 4000)
        }
    }

    @Test func statsAndQueuesReadTheCounters() throws {
        try TestDatabase.with { db in
            _ = try Producer().enqueueMany((0..<300).map { n in try JobRequest(BuiltinJobs.Noop(), options: .init(priority: n % 3)) }, on: db.pool)
            try db.pool.query("UPDATE kheo.jobs SET scheduled_at = now() - interval '90 seconds' WHERE priority = 2")
            let queues = try QueueRecord.list(on: db.pool)
            #expect(queues.map(\.name) == ["default"] && queues[0].available == 300)
            #expect(try #require(queues[0].oldestAvailableAgeSeconds) >= 90)
            // Counts come from the counters: a row the counters never saw is not counted.
            try db.pool.query("ALTER TABLE kheo.jobs DISABLE TRIGGER jobs_count_inserted")
            _ = try Producer().enqueue(BuiltinJobs.Noop(), on: db.pool)
            try db.pool.query("ALTER TABLE kheo.jobs ENABLE TRIGGER jobs_count_inserted")
            #expect(try QueueRecord.list(on: db.pool)[0].available == 300)
            #expect(try QueueStatistics.read(on: db.pool).first?.count(.available) == 300)
        }
    }
}
