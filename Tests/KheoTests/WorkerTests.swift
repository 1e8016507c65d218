import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

@Suite("Worker semantics")
struct WorkerTests {
    @Test func failingJobRetriesWithGrowingBackoffThenCompletes() throws {
        try TestDatabase.with { db in
            let id = try Producer().enqueue(BuiltinJobs.Fail(times: 2), on: db.pool)
            try withWorker(db, retryBase: .milliseconds(200)) { _ in
                try waitUntil { try state(of: id, in: db) == "completed" }
            }
            let row = try db.pool.query("""
                SELECT attempt, jsonb_array_length(errors) AS errors,
                       (errors->0->>'attempt')::int AS first, (errors->1->>'attempt')::int AS second,
                       errors->0->>'error' AS message
                FROM kheo.all_jobs WHERE id = $1
                """, id).single()
            #expect(try row.decode("attempt", as: Int32.self) == 3)
            #expect(try row.decode("errors", as: Int32.self) == 2)
            #expect(try row.decode("first", as: Int32.self) == 1)
            #expect(try row.decode("second", as: Int32.self) == 2)
            #expect(try row.decode("message", as: String.self).contains("fails its first 2 attempts"))
            // Backoff grows: 200 ms after attempt 1, 400 ms after attempt 2 (no jitter here).
            let gaps = RetryPolicy(base: .milliseconds(200), jitter: 0)
            #expect(gaps.delay(afterAttempt: 2) == gaps.delay(afterAttempt: 1) * 2)
            let waits = try db.pool.query("""
                SELECT extract(epoch FROM (errors->1->>'at')::timestamptz - (errors->0->>'at')::timestamptz)::float8 AS gap
                FROM kheo.all_jobs WHERE id = $1
                """, id).single()
            #expect(try waits.decode("gap", as: Double.self) >= 0.2)
        }
    }

    @Test func alwaysFailingJobIsDiscardedAfterMaxAttempts() throws {
        try TestDatabase.with { db in
            let id = try Producer().enqueue(BuiltinJobs.Fail(times: 100), options: EnqueueOptions(maxAttempts: 3), on: db.pool)
            try withWorker(db, retryBase: .milliseconds(50)) { _ in
                try waitUntil { try state(of: id, in: db) == "discarded" }
            }
            #expect(try count("SELECT jsonb_array_length(errors) FROM kheo.all_jobs WHERE id = $1", in: db, id) == 3)
            #expect(try count("SELECT attempt FROM kheo.all_jobs WHERE id = $1", in: db, id) == 3)
        }
    }

    @Test func unknownKindAndUndecodableArgsAreDiscardedAtOnce() throws {
        try TestDatabase.with { db in
            let unknown = try Producer().enqueue(JobRequest(kind: "nobody.knows"), on: db.pool)
            let undecodable = try Producer().enqueue(JobRequest(kind: "kheo.sleep", argsJSON: #"{"ms": "soon"}"#), on: db.pool)
            let fine = try Producer().enqueue(BuiltinJobs.Noop(), on: db.pool)
            try withWorker(db) { _ in
                try waitUntil { try state(of: fine, in: db) == "completed" }
                try waitUntil { try state(of: unknown, in: db) == "discarded" }
                try waitUntil { try state(of: undecodable, in: db) == "discarded" }
            }
            let ids: [Int64] = [unknown, undecodable]
            let errors = try db.pool.query(
                "SELECT id, errors->0->>'type' AS type, errors->0->>'error' AS error, attempt FROM kheo.all_jobs WHERE id = ANY($1) ORDER BY id",
                ids
            )
            #expect(try errors[0].decode("type", as: String.self) == "unknown_kind")
            #expect(try errors[0].decode("error", as: String.self).contains("no handler for kind nobody.knows"))
            #expect(try errors[1].decode("type", as: String.self) == "undecodable_args")
            #expect(try errors[1].decode("error", as: String.self).contains("ms"))
            #expect(try errors[1].decode("attempt", as: Int32.self) == 1)
        }
    }

    struct Snoozer: JobArgs { static let kind = "test.snooze" }
    struct SnoozeHandler: JobHandler {
        func run(_ args: Snoozer, context: JobContext) throws -> JobResult {
            context.job.attempt == 1 && context.job.scheduledAt.timeIntervalSince(context.job.insertedAt) < 0.1
                ? .snooze(.milliseconds(200)) : .completed
        }
    }

    struct Canceller: JobArgs { static let kind = "test.cancel" }
    struct CancelHandler: JobHandler {
        func run(_ args: Canceller, context: JobContext) throws -> JobResult { .cancel(reason: "no longer wanted") }
    }

    struct Slow: JobArgs { static let kind = "test.slow" }
    struct SlowHandler: JobHandler {
        var timeout: Duration { .milliseconds(300) }
        func run(_ args: Slow, context: JobContext) throws -> JobResult {
            // A runaway handler, as users write them: it only looks at the flag.
            while !context.isStopRequested { Thread.sleep(forTimeInterval: 0.01) }
            return .completed
        }
    }

    @Test func snoozeKeepsTheAttemptCancelRecordsTheReasonTimeoutRetries() throws {
        try TestDatabase.with { db in
            let snoozed = try Producer().enqueue(Snoozer(), on: db.pool)
            let cancelled = try Producer().enqueue(Canceller(), on: db.pool)
            let slow = try Producer().enqueue(Slow(), options: EnqueueOptions(maxAttempts: 1), on: db.pool)
            try withWorker(db, extra: { registry in
                registry.register(SnoozeHandler())
                registry.register(CancelHandler())
                registry.register(SlowHandler())
            }) { _ in
                try waitUntil { try state(of: snoozed, in: db) == "completed" }
                try waitUntil { try state(of: cancelled, in: db) == "cancelled" }
                try waitUntil { try state(of: slow, in: db) == "discarded" }
            }
            #expect(try count("SELECT attempt FROM kheo.all_jobs WHERE id = $1", in: db, snoozed) == 1)
            #expect(try count("SELECT jsonb_array_length(errors) FROM kheo.all_jobs WHERE id = $1", in: db, snoozed) == 0)
            let reason: String = try db.pool.query("SELECT errors->0->>'error' AS e FROM kheo.all_jobs WHERE id = $1", cancelled).single().decode("e")
            #expect(reason == "no longer wanted")
            let type: String = try db.pool.query("SELECT errors->0->>'type' AS t FROM kheo.all_jobs WHERE id = $1", slow).single().decode("t")
            #expect(type == "timeout")
        }
    }

    struct Boom: JobArgs { static let kind = "test.boom" }
    struct BoomHandler: JobHandler {
        struct Failure: Error {}
        func run(_ args: Boom, context: JobContext) throws -> JobResult { throw Failure() }
    }

    @Test func scheduledJobRunsOnTimeAndAThrowingHandlerNeverStopsTheWorker() throws {
        try TestDatabase.with { db in
            // `start` returns once the node listens, so the scheduled job below is heard.
            try withWorker(db, extra: { $0.register(BoomHandler()) }) { _ in
                for _ in 0..<20 { try Producer().enqueue(Boom(), options: EnqueueOptions(maxAttempts: 1), on: db.pool) }
                let id = try Producer().enqueue(BuiltinJobs.Noop(), options: EnqueueOptions(schedule: .after(.milliseconds(700))), on: db.pool)
                try waitUntil { try state(of: id, in: db) == "completed" }
                let lateness: Double = try db.pool.query(
                    "SELECT extract(epoch FROM attempted_at - scheduled_at)::float8 AS late FROM kheo.all_jobs WHERE id = $1", id
                ).single().decode("late")
                #expect(lateness >= 0 && lateness < 0.1, "ran \(lateness) s after its time")
                #expect(try count("SELECT count(*) FROM kheo.all_jobs WHERE kind = 'test.boom' AND state = 'discarded'", in: db) == 20)
            }
        }
    }
}
