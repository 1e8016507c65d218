import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

/// Finished jobs leave `kheo.jobs` for `kheo.job_history` in the statement that
/// finishes them (migration 0013), and everything that reads or changes a job still
/// finds it there.
@Suite("Job history")
struct JobHistoryTests {
    private func place(of id: Int64, in db: TestDatabase) throws -> String {
        try db.pool.query(
            """
            SELECT CASE WHEN EXISTS (SELECT 1 FROM kheo.jobs WHERE id = $1) THEN 'jobs'
                        WHEN EXISTS (SELECT 1 FROM kheo.job_history WHERE id = $1) THEN 'history'
                        ELSE 'nowhere' END AS place
            """,
            id
        ).single().decode("place")
    }

    @Test func theColumnListMatchesBothTables() throws {
        try TestDatabase.with { db in
            for table in ["jobs", "job_history"] {
                let columns = try db.pool.query(
                    """
                    SELECT column_name::text AS name FROM information_schema.columns
                    WHERE table_schema = 'kheo' AND table_name = $1 ORDER BY ordinal_position
                    """,
                    table
                ).map { try $0.decode("name", as: String.self) }
                #expect(columns == JobHistorySQL.columns, "kheo.\(table)")
            }
        }
    }

    @Test func everyWayOfFinishingMovesTheJobWithItsFinishedValues() throws {
        try TestDatabase.with { db in
            let producer = Producer()
            let completed = try producer.enqueue(BuiltinJobs.Noop(), on: db.pool)
            let discarded = try producer.enqueue(BuiltinJobs.Fail(times: 5), options: EnqueueOptions(maxAttempts: 1), on: db.pool)
            let unknown = try producer.enqueue(JobRequest(kind: "nobody.knows"), on: db.pool)
            let retried = try producer.enqueue(BuiltinJobs.Fail(times: 1), on: db.pool)
            let waiting = try producer.enqueue(JobRequest(kind: "kheo.noop", options: EnqueueOptions(schedule: .after(.seconds(3600)))), on: db.pool)
            try withWorker(db, retryBase: .milliseconds(50)) { _ in
                try waitUntil {
                    try [completed, retried].allSatisfy { try state(of: $0, in: db) == "completed" }
                        && [discarded, unknown].allSatisfy { try state(of: $0, in: db) == "discarded" }
                }
            }
            #expect(try JobControl().cancel([waiting], on: db.pool).map(\.outcome) == [.cancelled])
            for id in [completed, discarded, unknown, retried, waiting] {
                #expect(try place(of: id, in: db) == "history", "job \(id)")
            }
            #expect(try count("SELECT count(*) FROM kheo.jobs", in: db) == 0)
            let retriedJob = try #require(try JobRecord.find(retried, on: db.pool))
            #expect(retriedJob.state == .completed && retriedJob.attempt == 2 && retriedJob.errors.count == 1 && retriedJob.finalizedAt != nil)
            let discardedJob = try #require(try JobRecord.find(discarded, on: db.pool))
            #expect(discardedJob.errors.count == 1 && discardedJob.errors[0].error?.contains("fails its first 5 attempts") == true)
            let cancelled = try #require(try JobRecord.find(waiting, on: db.pool))
            #expect(cancelled.state == .cancelled && cancelled.cancelRequestedAt != nil && cancelled.errors.last?.type == "cancelled")
            // No lease survives the move.
            #expect(try count("SELECT count(*) FROM kheo.job_history WHERE lease_owner IS NOT NULL OR lease_expires_at IS NOT NULL", in: db) == 0)
            // Lists read both tables, newest first.
            let listed = try JobRecord.list(JobFilter(states: [.completed, .discarded, .cancelled]), on: db.pool).map(\.id)
            #expect(listed == [waiting, retried, unknown, discarded, completed])
        }
    }

    @Test func aHandlersOwnCompletionMovesTheJobInItsTransaction() throws {
        try TestDatabase.with { db in
            let id = try Producer().enqueue(BuiltinJobs.Record(ms: 0), on: db.pool)
            try withWorker(db) { _ in
                try waitUntil { try state(of: id, in: db) == "completed" }
            }
            #expect(try place(of: id, in: db) == "history")
            #expect(try count("SELECT count(*) FROM kheo.recorded_effects WHERE job_id = $1", in: db, id) == 1)
        }
    }

    @Test func aUniqueJobThatStillBlocksDuplicatesStaysUntilPruned() throws {
        try TestDatabase.with { db in
            let producer = Producer()
            let oncePerDay = EnqueueOptions(unique: UniqueOptions(byPeriod: .seconds(86_400), alsoWhen: [.completed]))
            let guarded = try producer.insert(JobRequest(kind: "kheo.noop", options: oncePerDay), on: db.pool)
            let plain = try producer.insert(JobRequest(kind: "kheo.noop", argsJSON: #"{"n": 1}"#, options: EnqueueOptions(unique: UniqueOptions())), on: db.pool)
            try withWorker(db) { _ in
                try waitUntil { try state(of: guarded.id, in: db) == "completed" && state(of: plain.id, in: db) == "completed" }
            }
            #expect(try place(of: guarded.id, in: db) == "jobs", "completed is one of its unique states")
            #expect(try place(of: plain.id, in: db) == "history", "its unique states are the unfinished ones")
            let again = try producer.insert(JobRequest(kind: "kheo.noop", options: oncePerDay), on: db.pool)
            #expect(again.isDuplicate && again.id == guarded.id)
            let plainAgain = try producer.insert(JobRequest(kind: "kheo.noop", argsJSON: #"{"n": 1}"#, options: EnqueueOptions(unique: UniqueOptions())), on: db.pool)
            #expect(!plainAgain.isDuplicate)
        }
    }

    @Test func retryBringsADiscardedJobBackFromTheHistory() throws {
        try TestDatabase.with { db in
            let id = try Producer().enqueue(BuiltinJobs.Fail(times: 1), options: EnqueueOptions(maxAttempts: 1), on: db.pool)
            try withWorker(db) { _ in
                try waitUntil { try state(of: id, in: db) == "discarded" }
                #expect(try place(of: id, in: db) == "history")
                #expect(try JobControl().retry([id], on: db.pool).map(\.outcome) == [.retried])
                try waitUntil { try state(of: id, in: db) == "completed" }
            }
            let job = try #require(try JobRecord.find(id, on: db.pool))
            #expect(job.attempt == 2 && job.maxAttempts == 2 && job.errors.count == 1)
            #expect(try count("SELECT count(*) FROM kheo.all_jobs WHERE id = $1", in: db, id) == 1)
            #expect(try JobControl().retry([id], on: db.pool).map(\.outcome) == [.completed])
        }
    }

    @Test func aRescuedJobOutOfAttemptsMovesToTheHistory() throws {
        try TestDatabase.with { db in
            let id = try Producer().enqueue(BuiltinJobs.Noop(), options: EnqueueOptions(maxAttempts: 1), on: db.pool)
            try db.pool.query("""
                UPDATE kheo.jobs SET state = 'running', attempt = 1, attempted_at = now(), lease_owner = gen_random_uuid(),
                    lease_expires_at = now() - interval '1 second' WHERE id = $1
                """, id)
            let result = try db.pool.withConnection { try Rescuer().runOnce(on: $0) }
            #expect(result.discarded == 1)
            #expect(try place(of: id, in: db) == "history")
            let job = try #require(try JobRecord.find(id, on: db.pool))
            #expect(job.state == .discarded && job.errors.last?.type == "lease_expired")
        }
    }

    @Test func retentionDropsWholeDaysAndDeletesOnlyWhatIsElsewhere() throws {
        try TestDatabase.with { db in
            let partitions = HistoryPartitions()
            let now = Date()
            let old = HistoryDay(containing: now.addingTimeInterval(-3 * 86_400))
            let today = HistoryDay(containing: now)
            let created = try partitions.create(days: [old, today], on: db.pool)
            #expect(created.created.contains("job_history_completed_p\(old.number)"))
            // Three days ago into its day partition; five days ago into the default one
            // (nobody made that day); today into today's.
            let fiveDaysAgo = now.addingTimeInterval(-5 * 86_400)
            for (at, jobs) in [(old.startDate.addingTimeInterval(3600), 40), (fiveDaysAgo, 7), (now, 3)] {
                try db.pool.query(
                    """
                    INSERT INTO kheo.job_history (id, kind, state, attempt, finalized_at)
                    SELECT nextval(pg_get_serial_sequence('kheo.jobs', 'id')), 'kheo.noop', 'completed', 1, $1
                    FROM generate_series(1, $2)
                    """,
                    at, Int32(jobs)
                )
            }
            #expect(try count("SELECT count(*) FROM kheo.job_history_completed_default", in: db) == 7)
            let pruner = Pruner(configuration: PruneConfiguration(completed: .seconds(86_400), batchSize: 5))
            let dry = try pruner.dryRun(on: db.pool)
            #expect(dry.deleted[.completed] == 47)
            let report = try pruner.prune(on: db.pool)
            #expect(report.deleted[.completed] == 47)
            #expect(report.droppedPartitions == ["job_history_completed_p\(old.number)"])
            #expect(try count("SELECT count(*) FROM kheo.job_history", in: db) == 3)
            #expect(try partitions.partitions(of: .completed, on: db.pool).map(\.day).allSatisfy { $0 >= HistoryDay(containing: now) })
            // Nothing is dropped while its day is within retention.
            #expect(try pruner.prune(on: db.pool).total == 0)
        }
    }

    @Test func theLeaderCreatesDaysAheadAndGivesWayToALongReader() throws {
        try TestDatabase.with { db in
            let partitions = HistoryPartitions(configuration: .init(daysAhead: 5, lockTimeout: .milliseconds(100)))
            let ahead = HistoryPartitions.days(from: Date(), ahead: 5)
            let farthest = try #require(ahead.last)
            // A report holds the history's default partition open; the leader's DDL
            // waits 100 ms for it, then leaves the day for a later round.
            let reader = try db.connect()
            try reader.execute(script: "BEGIN")
            _ = try reader.query("SELECT count(*) FROM kheo.all_jobs")
            let blocked = try partitions.create(days: ahead, on: db.pool)
            #expect(blocked.created.isEmpty && blocked.deferred.contains("job_history_completed_p\(farthest.number)"))
            // Finishing goes on meanwhile.
            let id = try Producer().enqueue(BuiltinJobs.Noop(), on: db.pool)
            try withWorker(db) { _ in try waitUntil { try state(of: id, in: db) == "completed" } }
            try reader.execute(script: "COMMIT")
            let round = try partitions.create(days: ahead, on: db.pool)
            #expect(round.created.contains("job_history_discarded_p\(farthest.number)") && round.deferred.isEmpty)
            for state in JobState.finished {
                let days = Set(try partitions.partitions(of: state, on: db.pool).map(\.day))
                #expect(Set(ahead).isSubset(of: days), "\(state)")
            }
            #expect(try partitions.create(days: ahead, on: db.pool).created.isEmpty, "a second round finds nothing to do")
        }
    }
}
