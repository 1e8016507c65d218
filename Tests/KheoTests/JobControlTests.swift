import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Synchronization
import Testing

@Suite("Job control")
struct JobControlTests {
    /// Works in steps until told to stop; records how far it got.
    struct Cooperative: JobArgs { static let kind = "test.cooperative" }

    final class CooperativeHandler: JobHandler, Sendable {
        let started = Atomic<Int>(0)
        let stoppedBy = Mutex<JobContext.StopReason?>(nil)

        func run(_ args: Cooperative, context: JobContext) throws -> JobResult {
            started.add(1, ordering: .relaxed)
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                if let reason = context.stopReason {
                    stoppedBy.withLock { $0 = reason }
                    try context.checkStop()
                }
                // A long handler doing its work in steps, checking for a stop between them.
                Thread.sleep(forTimeInterval: 0.01)
            }
            return .completed
        }
    }

    @Test func cancellingARunningJobStopsItAndLeavesItCancelled() throws {
        try TestDatabase.with { db in
            let handler = CooperativeHandler()
            try withWorker(db, extra: { $0.register(handler) }) { _ in
                let id = try Producer().enqueue(Cooperative(), on: db.pool)
                try waitUntil { try state(of: id, in: db) == "running" && handler.started.load(ordering: .relaxed) == 1 }
                let results = try JobControl().cancel([id], on: db.pool)
                #expect(results == [JobControlResult(id: id, previousState: .running, outcome: .cancelRequested)])
                try waitUntil(timeout: .seconds(10)) { try state(of: id, in: db) == "cancelled" }
                #expect(handler.stoppedBy.withLock { $0 } == .cancelled)
                let job = try #require(try JobRecord.find(id, on: db.pool))
                #expect(job.finalizedAt != nil && job.cancelRequestedAt != nil)
                #expect(job.errors.last?.type == "cancelled")
            }
        }
    }

    @Test func cancelChangesOnlyWhatMakesSense() throws {
        try TestDatabase.with { db in
            let producer = Producer()
            let waiting = try producer.enqueue(JobRequest(kind: "kheo.noop", options: EnqueueOptions(schedule: .after(.seconds(3600)))), on: db.pool)
            let done = try producer.enqueue(JobRequest(kind: "kheo.noop"), on: db.pool)
            try db.pool.query("UPDATE kheo.jobs SET state = 'completed', finalized_at = now() WHERE id = $1", done)
            let results = try JobControl().cancel([waiting, done, 999_999], on: db.pool)
            #expect(results.map(\.outcome) == [.cancelled, .alreadyFinished, .notFound])
            #expect(results[2].message.contains("does not exist"))
            #expect(try state(of: waiting, in: db) == "cancelled")
            #expect(try state(of: done, in: db) == "completed")
        }
    }

    @Test func retryingADiscardedJobRunsIt() throws {
        try TestDatabase.with { db in
            try withWorker(db) { _ in
                let id = try Producer().enqueue(BuiltinJobs.Fail(times: 1), options: EnqueueOptions(maxAttempts: 1), on: db.pool)
                try waitUntil { try state(of: id, in: db) == "discarded" }
                let results = try JobControl().retry([id], on: db.pool)
                #expect(results == [JobControlResult(id: id, previousState: .discarded, outcome: .retried)])
                try waitUntil { try state(of: id, in: db) == "completed" }
                let job = try #require(try JobRecord.find(id, on: db.pool))
                #expect(job.attempt == 2 && job.maxAttempts == 2, "one more attempt was granted")
                let again = try JobControl().retry([id, 424_242], on: db.pool)
                #expect(again.map(\.outcome) == [.completed, .notFound])
                #expect(try state(of: id, in: db) == "completed")
            }
        }
    }

    /// Retrying a unique job whose duplicate already waits would break uniqueness: refused.
    @Test func retryKeepsUniqueJobsUnique() throws {
        try TestDatabase.with { db in
            let request = JobRequest(kind: "kheo.noop", options: EnqueueOptions(unique: UniqueOptions()))
            let first = try Producer().enqueue(request, on: db.pool)
            #expect(try JobControl().cancel([first], on: db.pool).first?.outcome == .cancelled)
            let second = try Producer().enqueue(request, on: db.pool)
            #expect(second != first)
            #expect(try JobControl().retry([first], on: db.pool).first?.outcome == .duplicatePending)
            #expect(try state(of: first, in: db) == "cancelled")
        }
    }

    /// Two nodes serve a paused queue: its jobs stay available until resume, then run.
    @Test func aPausedQueueIsLeftAloneByEveryNodeUntilResumed() throws {
        try TestDatabase.with { db in
            try Producer().enqueue(JobRequest(kind: "kheo.noop"), on: db.pool)
            try withWorker(db) { _ in
                try waitUntil { try count("SELECT count(*) FROM kheo.all_jobs WHERE state = 'completed'", in: db) == 1 }
                try JobControl().pause(queue: "default", on: db.pool)
                try withWorker(db) { _ in
                    let ids = try Producer().enqueueMany(Array(repeating: JobRequest(kind: "kheo.noop"), count: 50), on: db.pool)
                    // Proves an absence (no node touches the paused queue), which no
                    // signal reports: three of the test nodes' 500 ms polls.
                    Thread.sleep(forTimeInterval: 1.5)
                    #expect(try count("SELECT count(*) FROM kheo.all_jobs WHERE id = ANY($1) AND state = 'available' AND attempt = 0", in: db, ids) == 50)
                    #expect(try QueueRecord.list(on: db.pool).first { $0.name == "default" }?.isPaused == true)
                    try JobControl().resume(queue: "default", on: db.pool)
                    try waitUntil(timeout: .seconds(5)) {
                        try count("SELECT count(*) FROM kheo.all_jobs WHERE id = ANY($1) AND state = 'completed'", in: db, ids) == 50
                    }
                }
            }
        }
    }

    @Test func pausingAnUnknownQueueSaysSo() throws {
        try TestDatabase.with { db throws in
            #expect(throws: JobControlError.unknownQueue("nowhere")) { try JobControl().pause(queue: "nowhere", on: db.pool) }
            #expect(throws: JobControlError.unknownQueue("nowhere")) { try JobControl().resume(queue: "nowhere", on: db.pool) }
            #expect(throws: EnqueueError.self) { try JobControl().pause(queue: "x'; DROP TABLE kheo.jobs; --", on: db.pool) }
            #expect(try count("SELECT count(*) FROM kheo.queues", in: db) == 0)
        }
    }
}
