import Dispatch
import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Synchronization
import Testing

@Suite("Unique jobs")
struct UniqueJobTests {
    struct Remind: JobArgs {
        static let kind = "test.remind"
        var deadline: Int64
        var daysAhead: Int
        var note: String
    }

    private let byDeadline = EnqueueOptions(unique: UniqueOptions(byArgs: ["deadline", "daysAhead"]))

    /// 8 producers on their own connections insert the same job 1,000 times each: one
    /// row, and every producer gets its id back every time.
    @Test func concurrentProducersInsertOneJob() throws {
        try TestDatabase.with(pool: .init(maximumConnections: 10)) { db throws in
            let seen = Mutex<[Int64: Int]>([:])
            let duplicates = Atomic<Int>(0)
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { producerIndex in
                do {
                    let connection = try db.connect()
                    let producer = Producer()
                    for _ in 0..<1000 {
                        let job = try producer.insert(
                            try JobRequest(Remind(deadline: 42, daysAhead: 7, note: "producer \(producerIndex)"), options: byDeadline),
                            on: connection
                        )
                        seen.withLock { $0[job.id, default: 0] += 1 }
                        if job.isDuplicate { duplicates.add(1, ordering: .relaxed) }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
            #expect(try count("SELECT count(*) FROM kheo.all_jobs", in: db) == 1)
            let ids = seen.withLock { $0 }
            #expect(ids.count == 1, "producers learned different ids: \(ids)")
            #expect(ids.values.first == 8000)
            #expect(duplicates.load(ordering: .relaxed) == 7999)
        }
    }

    /// Only the named fields count; other args, key order and spacing do not.
    @Test func keyIsBuiltFromTheChosenParts() throws {
        try TestDatabase.with { db in
            let producer = Producer()
            let first = try producer.insert(try JobRequest(Remind(deadline: 1, daysAhead: 7, note: "a"), options: byDeadline), on: db.pool)
            let otherNote = try producer.insert(try JobRequest(Remind(deadline: 1, daysAhead: 7, note: "b"), options: byDeadline), on: db.pool)
            let otherOffset = try producer.insert(try JobRequest(Remind(deadline: 1, daysAhead: 1, note: "a"), options: byDeadline), on: db.pool)
            #expect(!first.isDuplicate)
            #expect(otherNote == EnqueuedJob(id: first.id, isDuplicate: true))
            #expect(!otherOffset.isDuplicate)

            var allArgs = EnqueueOptions(unique: UniqueOptions())
            let spaced = try producer.insert(JobRequest(kind: "kheo.noop", argsJSON: #"{"a": 1, "b": [1, 2]}"#, options: allArgs), on: db.pool)
            let reordered = try producer.insert(JobRequest(kind: "kheo.noop", argsJSON: #"{"b":[1,2],"a":1}"#, options: allArgs), on: db.pool)
            #expect(reordered == EnqueuedJob(id: spaced.id, isDuplicate: true))
            allArgs.queue = "other"
            #expect(try producer.insert(JobRequest(kind: "kheo.noop", argsJSON: #"{"a":1,"b":[1,2]}"#, options: allArgs), on: db.pool).isDuplicate,
                    "the queue does not count unless asked")
            allArgs.unique?.byQueue = true
            #expect(try !producer.insert(JobRequest(kind: "kheo.noop", argsJSON: #"{"a":1,"b":[1,2]}"#, options: allArgs), on: db.pool).isDuplicate)
            #expect(try !producer.insert(JobRequest(kind: "kheo.sleep", argsJSON: #"{"a":1,"b":[1,2]}"#, options: EnqueueOptions(unique: UniqueOptions())), on: db.pool).isDuplicate,
                    "the kind always counts")
        }
    }

    /// A period splits jobs by their scheduled time: one per UTC day here.
    @Test func onePerPeriod() throws {
        try TestDatabase.with { db in
            let producer = Producer()
            func daily(_ at: String) throws -> EnqueuedJob {
                let date = try #require(ISO8601DateFormatter().date(from: at))
                let options = EnqueueOptions(schedule: .at(date), unique: UniqueOptions(byArgs: nil, byPeriod: .seconds(86_400)))
                return try producer.insert(JobRequest(kind: "statistics.regenerate", options: options), on: db.pool)
            }
            let morning = try daily("2030-01-02T01:00:00Z")
            let evening = try daily("2030-01-02T23:59:59Z")
            let nextDay = try daily("2030-01-03T00:00:00Z")
            #expect(evening == EnqueuedJob(id: morning.id, isDuplicate: true))
            #expect(!nextDay.isDuplicate)
        }
    }

    /// By default a finished job no longer blocks a new one; `alsoWhen` keeps it blocking.
    @Test func finishedJobsBlockOnlyWhenAsked() throws {
        try TestDatabase.with { db in
            let producer = Producer()
            let request = JobRequest(kind: "kheo.noop", options: EnqueueOptions(unique: UniqueOptions()))
            let first = try producer.insert(request, on: db.pool)
            try db.pool.query("UPDATE kheo.jobs SET state = 'completed', finalized_at = now() WHERE id = $1", first.id)
            let again = try producer.insert(request, on: db.pool)
            #expect(!again.isDuplicate && again.id != first.id)

            let once = JobRequest(kind: "kheo.sleep", options: EnqueueOptions(unique: UniqueOptions(alsoWhen: [.completed])))
            let ran = try producer.insert(once, on: db.pool)
            try db.pool.query("UPDATE kheo.jobs SET state = 'completed', finalized_at = now() WHERE id = $1", ran.id)
            #expect(try producer.insert(once, on: db.pool) == EnqueuedJob(id: ran.id, isDuplicate: true))
        }
    }

    /// A rolled-back insert leaves nothing that blocks the next one.
    @Test func rolledBackInsertBlocksNothing() throws {
        try TestDatabase.with { db throws in
            let request = JobRequest(kind: "kheo.noop", options: EnqueueOptions(unique: UniqueOptions()))
            struct Abort: Error {}
            #expect(throws: Abort.self) {
                try db.pool.transaction { connection in
                    _ = try Producer().insert(request, on: connection)
                    throw Abort()
                }
            }
            #expect(try !Producer().insert(request, on: db.pool).isDuplicate)
        }
    }

    /// A batch with duplicates inside it and of existing jobs: ids in input order.
    @Test func batchesResolveDuplicates() throws {
        try TestDatabase.with { db in
            let producer = Producer()
            let existing = try producer.enqueue(try JobRequest(Remind(deadline: 9, daysAhead: 7, note: ""), options: byDeadline), on: db.pool)
            let ids = try producer.enqueueMany([
                try JobRequest(Remind(deadline: 9, daysAhead: 7, note: "again"), options: byDeadline),
                JobRequest(kind: "kheo.noop"),
                try JobRequest(Remind(deadline: 10, daysAhead: 7, note: ""), options: byDeadline),
                try JobRequest(Remind(deadline: 10, daysAhead: 7, note: "twice in one batch"), options: byDeadline),
            ], on: db.pool)
            #expect(ids[0] == existing)
            #expect(ids[2] == ids[3])
            #expect(Set(ids).count == 3)
            #expect(try count("SELECT count(*) FROM kheo.all_jobs", in: db) == 3)
        }
    }

    @Test func invalidOptionsAreRefused() throws {
        try TestDatabase.with { db throws in
            let cases: [(UniqueOptions, String)] = [
                (UniqueOptions(byPeriod: .milliseconds(500)), "one second or more"),
                (UniqueOptions(alsoWhen: [.running]), "always a unique state"),
                (UniqueOptions(byArgs: [""]), "field names"),
            ]
            for (unique, message) in cases {
                let error = #expect(throws: EnqueueError.self) {
                    try Producer().enqueue(JobRequest(kind: "kheo.noop", options: EnqueueOptions(unique: unique)), on: db.pool)
                }
                #expect(error?.description.contains(message) == true, "\(String(describing: error))")
            }
            #expect(try count("SELECT count(*) FROM kheo.all_jobs", in: db) == 0)
        }
    }

    /// Any language can insert unique jobs through `kheo.enqueue`.
    @Test func sqlFunctionInsertsUniqueJobs() throws {
        try TestDatabase.with { db in
            let sql = "SELECT kheo.enqueue('deadline.remind', $1::jsonb, \"unique\" => true, unique_by_args => '{deadline}') AS id"
            let first = try db.pool.query(sql, #"{"deadline": 5, "note": "a"}"#).single().decode("id", as: Int64.self)
            let second = try db.pool.query(sql, #"{"deadline": 5, "note": "b"}"#).single().decode("id", as: Int64.self)
            let third = try db.pool.query(sql, #"{"deadline": 6}"#).single().decode("id", as: Int64.self)
            #expect(first == second)
            #expect(third != first)
            let swiftSide = try Producer().insert(
                JobRequest(kind: "deadline.remind", argsJSON: #"{"deadline": 5}"#, options: EnqueueOptions(unique: UniqueOptions(byArgs: ["deadline"]))),
                on: db.pool
            )
            #expect(swiftSide == EnqueuedJob(id: first, isDuplicate: true), "Swift and SQL build the same key")
            let error = #expect(throws: PostgresError.self) {
                try db.pool.query("SELECT kheo.enqueue('x', \"unique\" => true, unique_states => '{available}')")
            }
            #expect(error?.message.contains("leave out an unfinished state") == true)
        }
    }
}
