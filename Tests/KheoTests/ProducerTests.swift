import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

@Suite("Producer")
struct ProducerTests {
    struct Remind: JobArgs {
        static let kind = "test.remind"
        var deadline: Int64
        var note: String
    }

    @Test func typedEnqueueStoresArgsAndOptions() throws {
        try TestDatabase.with { db in
            let id = try Producer().enqueue(
                Remind(deadline: 7, note: "hạn chót 'x'; DROP TABLE kheo.jobs; --"),
                options: EnqueueOptions(queue: "reminders", priority: 3, maxAttempts: 4, tags: ["a,b", "c\"d"]),
                on: db.pool
            )
            let row = try db.pool.query(
                "SELECT kind, queue, priority::int AS priority, max_attempts, state::text AS state, args->>'note' AS note, tags FROM kheo.all_jobs WHERE id = $1", id
            ).single()
            #expect(try row.decode("kind", as: String.self) == "test.remind")
            #expect(try row.decode("queue", as: String.self) == "reminders")
            #expect(try row.decode("priority", as: Int32.self) == 3)
            #expect(try row.decode("max_attempts", as: Int32.self) == 4)
            #expect(try row.decode("state", as: String.self) == "available")
            #expect(try row.decode("note", as: String.self) == "hạn chót 'x'; DROP TABLE kheo.jobs; --")
            #expect(try row.decode("tags", as: [String].self) == ["a,b", "c\"d"])
        }
    }

    @Test func bulkEnqueueReturnsIdsInOrderAndSchedulesLater() throws {
        try TestDatabase.with { db in
            var requests = (0..<2500).map { JobRequest(kind: "kheo.noop", argsJSON: #"{"n": \#($0)}"#) }
            requests[10].options.schedule = .after(.seconds(60))
            requests[11].options.tags = ["x"]
            let ids = try Producer().enqueueMany(requests, on: db.pool)
            #expect(ids.count == 2500)
            let ordered = try db.pool.query("SELECT (args->>'n')::int AS n FROM kheo.all_jobs WHERE id = ANY($1) ORDER BY id", ids)
            #expect(try ordered.map { try $0.decode("n", as: Int32.self) } == (0..<2500).map(Int32.init))
            #expect(try state(of: ids[10], in: db) == "scheduled")
            #expect(try count("SELECT count(*) FROM kheo.all_jobs WHERE tags = '{x}'", in: db) == 1)
        }
    }

    /// One kind and one set of options take the shared-options statement: every row
    /// still gets every option, in input order.
    @Test func bulkEnqueueWithSharedOptions() throws {
        try TestDatabase.with { db in
            let options = EnqueueOptions(queue: "nhac-viec", priority: 2, schedule: .after(.seconds(90)), maxAttempts: 3, tags: ["a,b", "NULL"])
            let args = (0..<1500).map { Remind(deadline: Int64($0), note: "ghi chú \($0) \"x\" \\") }
            let ids = try Producer().enqueueMany(args, options: options, on: db.pool)
            #expect(ids.count == 1500)
            let rows = try db.pool.query("""
                SELECT (args->>'deadline')::int AS deadline, args->>'note' AS note, queue, kind, priority::int AS priority,
                       max_attempts, state::text AS state, tags, scheduled_at > now() + interval '60 seconds' AS later
                FROM kheo.all_jobs WHERE id = ANY($1) ORDER BY id
                """, ids)
            #expect(try rows.map { try $0.decode("deadline", as: Int32.self) } == (0..<1500).map(Int32.init))
            for row in rows {
                #expect(try row.decode("note", as: String.self) == "ghi chú \(try row.decode("deadline", as: Int32.self)) \"x\" \\")
                #expect(try row.decode("queue", as: String.self) == "nhac-viec")
                #expect(try row.decode("kind", as: String.self) == "test.remind")
                #expect(try row.decode("priority", as: Int32.self) == 2)
                #expect(try row.decode("max_attempts", as: Int32.self) == 3)
                #expect(try row.decode("state", as: String.self) == "scheduled")
                #expect(try row.decode("tags", as: [String].self) == ["a,b", "NULL"])
                #expect(try row.decode("later", as: Bool.self))
            }
        }
    }

    @Test func oneBadJobRefusesTheWholeBatch() throws {
        try TestDatabase.with { db in
            let requests = [JobRequest(kind: "kheo.noop"), JobRequest(kind: "kheo.noop", argsJSON: "[1]")]
            #expect(throws: EnqueueError(.argsNotObject)) { try Producer().enqueueMany(requests, on: db.pool) }
            let stored = try count("SELECT count(*) FROM kheo.all_jobs", in: db)
            #expect(stored == 0)
        }
    }

    @Test(arguments: [
        (JobRequest(kind: "kheo.noop", argsJSON: "{"), "not valid JSON"),
        (JobRequest(kind: "kheo.noop", argsJSON: #""text""#), "JSON object"),
        (JobRequest(kind: "kheo.noop", argsJSON: #"{"a": "\u0000"}"#), "u0000"),
        (JobRequest(kind: "", argsJSON: "{}"), "invalid job kind"),
        (JobRequest(kind: "x'; DROP TABLE kheo.jobs;--"), "invalid job kind"),
        (JobRequest(kind: "kheo.noop", options: EnqueueOptions(queue: "")), "invalid queue name"),
        (JobRequest(kind: "kheo.noop", options: EnqueueOptions(queue: String(repeating: "q", count: 129))), "invalid queue name"),
        (JobRequest(kind: "kheo.noop", options: EnqueueOptions(queue: "a b\"c")), "invalid queue name"),
        (JobRequest(kind: "kheo.noop", options: EnqueueOptions(priority: -1)), "priority -1 is out of range"),
        (JobRequest(kind: "kheo.noop", options: EnqueueOptions(maxAttempts: 0)), "max attempts 0"),
        (JobRequest(kind: "kheo.noop", options: EnqueueOptions(tags: [""])), "invalid tag"),
    ])
    func badJobsAreRefusedWithAReason(request: JobRequest, message: String) throws {
        try TestDatabase.with { db in
            do {
                try Producer().enqueue(request, on: db.pool)
                Issue.record("accepted a bad job")
            } catch let error as EnqueueError {
                #expect(error.description.contains(message), "\(error)")
            }
            #expect(try count("SELECT count(*) FROM kheo.all_jobs", in: db) == 0)
        }
    }

    @Test func oversizedArgsAreRefused() throws {
        try TestDatabase.with { db in
            let big = #"{"blob": ""# + String(repeating: "x", count: 2000) + #""}"#
            #expect(throws: EnqueueError(.argsTooLarge(bytes: big.utf8.count, limit: 1000))) {
                try Producer(maxArgsBytes: 1000).enqueue(JobRequest(kind: "kheo.noop", argsJSON: big), on: db.pool)
            }
            let stored = try count("SELECT count(*) FROM kheo.all_jobs", in: db)
            #expect(stored == 0)
        }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: EnqueueError(.argsNotUTF8)) {
            try JobRequest(kind: "kheo.noop", argsBytes: Data([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D]))
        }
    }

    @Test func rolledBackEnqueueLeavesNoJobAndCommittedOneRuns() throws {
        struct Abort: Error {}
        try TestDatabase.with { db in
            try db.pool.query("CREATE TABLE orders (id int PRIMARY KEY)")
            #expect(throws: Abort.self) {
                try db.pool.transaction { connection in
                    try connection.query("INSERT INTO orders VALUES (1)")
                    try Producer().enqueue(BuiltinJobs.Noop(), on: connection)
                    throw Abort()
                }
            }
            #expect(try count("SELECT count(*) FROM kheo.all_jobs", in: db) == 0)
            #expect(try count("SELECT count(*) FROM orders", in: db) == 0)
            let id = try db.pool.transaction { connection in
                try connection.query("INSERT INTO orders VALUES (2)")
                return try Producer().enqueue(BuiltinJobs.Record(), on: connection)
            }
            try withWorker(db) { _ in
                try waitUntil { try state(of: id, in: db) == "completed" }
            }
            #expect(try count("SELECT count(*) FROM kheo.recorded_effects WHERE job_id = $1", in: db, id) == 1)
        }
    }

    @Test func sqlEnqueueFunctionInsertsAndRefuses() throws {
        try TestDatabase.with { db in
            let row = try db.pool.query(
                "SELECT kheo.enqueue('kheo.noop', '{\"a\": 1}', queue => 'sql', run_at => now() + interval '1 hour') AS id"
            ).single()
            let id: Int64 = try row.decode("id")
            #expect(try state(of: id, in: db) == "scheduled")
            #expect(throws: PostgresError.self) { try db.pool.query("SELECT kheo.enqueue('bad kind')") }
            #expect(throws: PostgresError.self) { try db.pool.query("SELECT kheo.enqueue('kheo.noop', queue => '')") }
            #expect(throws: PostgresError.self) { try db.pool.query("SELECT kheo.enqueue('kheo.noop', '[1]')") }
            #expect(try count("SELECT count(*) FROM kheo.all_jobs", in: db) == 1)
        }
    }

    @Test func bulkInsertNotifiesOncePerQueue() throws {
        try TestDatabase.with { db in
            let listener = try db.connect()
            try listener.listen("kheo_jobs")
            let requests = (0..<500).map { JobRequest(kind: "kheo.noop", options: EnqueueOptions(queue: $0 % 2 == 0 ? "a" : "b")) }
            try Producer().enqueueMany(requests, on: db.pool)
            var payloads: [String] = []
            while let next = try listener.waitForNotification(timeout: .milliseconds(300)) { payloads.append(next.payload) }
            #expect(payloads.sorted() == ["a", "b"])
        }
    }

    @Test func encodedObjectsAreRefusedOnlyForARealNUL() throws {
        #expect(throws: EnqueueError.self) { try JobRequest(kind: "kheo.noop", encodedObject: Data(#"{"a":"x\u0000"}"#.utf8)) }
        #expect(throws: EnqueueError.self) { try JobRequest(kind: "kheo.noop", encodedObject: Data(#"["not an object"]"#.utf8)) }
        let escaped = try JobRequest(kind: "kheo.noop", encodedObject: Data(#"{"a":"a backslash then u0000: \\u0000"}"#.utf8))
        #expect(escaped.argsJSON.hasSuffix(#"\\u0000"}"#), "an escaped backslash before u0000 is text, not NUL")
        #expect(try JobRequest(kind: "kheo.noop", encodedObject: Data("{}".utf8)).argsJSON == "{}")
    }
}
