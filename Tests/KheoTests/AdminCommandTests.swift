import Foundation
import Kheo
import KheoTesting
import Logging
import PostgresClient
import Testing

/// The operator's commands: `kheo jobs list|show|cancel|retry|prune`, `kheo queues`,
/// `kheo cron list`, and refusals of what cannot be done.
@Suite("kheo jobs, queues and cron")
struct AdminCommandTests {
    @Test func listShowCancelAndRetryThroughTheCLI() throws {
        try TestDatabase.with(schema: .binary) { db in
            let env = ["DATABASE_URL": db.url]
            let later = try Producer().enqueue(JobRequest(kind: "kheo.noop", argsJSON: #"{"đơn vị": "xã Tân Hòa"}"#, options: EnqueueOptions(queue: "admin", schedule: .after(.seconds(3600)))), on: db.pool)
            let done = try Producer().enqueue(JobRequest(kind: "kheo.sleep", options: EnqueueOptions(queue: "admin")), on: db.pool)
            try db.pool.query("UPDATE kheo.jobs SET state = 'completed', finalized_at = now() WHERE id = $1", done)

            let list = try KheoBinary.run(["jobs", "list", "--queue", "admin", "--json"], environment: env)
            #expect(list.status == 0, "\(list.output)")
            #expect(list.output.contains("\"id\" : \(later)") && list.output.contains("\"id\" : \(done)"), "\(list.output)")
            let scheduledOnly = try KheoBinary.run(["jobs", "list", "--state", "scheduled"], environment: env)
            #expect(scheduledOnly.output.contains("\(later)") && !scheduledOnly.output.contains("kheo.sleep"), "\(scheduledOnly.output)")

            let show = try KheoBinary.run(["jobs", "show", "\(later)"], environment: env)
            #expect(show.status == 0 && show.output.contains("xã Tân Hòa") && show.output.contains("state:        scheduled"), "\(show.output)")

            let cancel = try KheoBinary.run(["jobs", "cancel", "\(later)", "\(done)", "987654"], environment: env)
            #expect(cancel.status != 0, "refusals exit non-zero")
            #expect(cancel.output.contains("job \(later) cancelled"), "\(cancel.output)")
            #expect(cancel.output.contains("job \(done) is already completed"), "\(cancel.output)")
            #expect(cancel.output.contains("job 987654 does not exist"), "\(cancel.output)")
            #expect(try state(of: done, in: db) == "completed")

            let retry = try KheoBinary.run(["jobs", "retry", "\(later)"], environment: env)
            #expect(retry.status == 0 && retry.output.contains("will run again now"), "\(retry.output)")
            #expect(try state(of: later, in: db) == "available")
            let refused = try KheoBinary.run(["jobs", "retry", "\(done)"], environment: env)
            #expect(refused.status != 0 && refused.output.contains("completed"), "\(refused.output)")

            let missing = try KheoBinary.run(["jobs", "show", "987654"], environment: env)
            #expect(missing.status != 0 && missing.output.contains("does not exist"), "\(missing.output)")
        }
    }

    @Test func queuesPauseResumeAndRefuseUnknownOnes() throws {
        try TestDatabase.with(schema: .binary) { db in
            let env = ["DATABASE_URL": db.url]
            try Producer().enqueue(JobRequest(kind: "kheo.noop", options: EnqueueOptions(queue: "reports")), on: db.pool)
            let pause = try KheoBinary.run(["queues", "pause", "reports"], environment: env)
            #expect(pause.status == 0, "\(pause.output)")
            let list = try KheoBinary.run(["queues", "list"], environment: env)
            #expect(list.output.contains("reports") && list.output.contains("paused"), "\(list.output)")
            #expect(try KheoBinary.run(["queues", "resume", "reports"], environment: env).status == 0)
            #expect(try count("SELECT count(*) FROM kheo.queues WHERE name = 'reports' AND paused_at IS NULL", in: db) == 1)
            let unknown = try KheoBinary.run(["queues", "pause", "nowhere"], environment: env)
            #expect(unknown.status != 0 && unknown.output.contains("no queue named \"nowhere\""), "\(unknown.output)")
        }
    }

    @Test func pruneDryRunCountsAndPruneDeletes() throws {
        try TestDatabase.with(schema: .binary) { db in
            let env = ["DATABASE_URL": db.url]
            try db.pool.query("""
                INSERT INTO kheo.jobs (kind, state, attempt, finalized_at)
                SELECT 'kheo.noop', 'completed', 1, now() - interval '2 days' FROM generate_series(1, 30)
                """)
            let dry = try KheoBinary.run(["jobs", "prune", "--dry-run"], environment: env)
            #expect(dry.output.contains("completed: would delete 30"), "\(dry.output)")
            #expect(try count("SELECT count(*) FROM kheo.all_jobs", in: db) == 30)
            let prune = try KheoBinary.run(["jobs", "prune", "--batch-size", "7"], environment: env)
            #expect(prune.output.contains("completed: deleted 30") && prune.output.contains("in 10 batches"), "\(prune.output)")
            #expect(try count("SELECT count(*) FROM kheo.all_jobs", in: db) == 0)
        }
    }

    static func cronFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kheo-cron-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func cronListShowsTheNextFireInLocalTimeAndUTC() throws {
        try TestDatabase.with(schema: .binary) { db in
            let file = try Self.cronFile(#"[{"name": "nightly-statistics", "schedule": "0 2 * * *", "kind": "statistics.regenerate"}]"#)
            defer { try? FileManager.default.removeItem(atPath: file) }
            let run = try KheoBinary.run(["cron", "list", "--cron-file", file, "--json"], environment: ["DATABASE_URL": db.url])
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("\"time_zone\" : \"Asia/Ho_Chi_Minh\"") || run.output.contains("\"timeZone\" : \"Asia/Ho_Chi_Minh\""), "\(run.output)")
            #expect(run.output.contains("02:00:00"), "the local fire time: \(run.output)")
            #expect(run.output.contains("T19:00:00Z"), "the same instant in UTC: \(run.output)")
        }
    }

    /// Without a file, `kheo cron list` shows what the nodes registered when they
    /// started: here a node whose entry has not fired yet.
    @Test func cronListWithoutAFileShowsTheEntriesNodesRegistered() throws {
        try TestDatabase.with(schema: .binary) { db in
            let empty = try KheoBinary.run(["cron", "list"], environment: ["DATABASE_URL": db.url])
            #expect(empty.status == 0 && empty.output.contains("No node has registered a periodic job"), "\(empty.output)")
            let entry = try PeriodicJob(
                name: "nightly-statistics", schedule: "0 2 * * *", job: JobRequest(kind: "statistics.regenerate", options: EnqueueOptions(queue: "danvan"))
            )
            var node = PeriodicEnqueuer(entries: [entry], pool: db.pool, logger: Logger(label: "test"))
            _ = node.runOnce()
            let run = try KheoBinary.run(["cron", "list"], environment: ["DATABASE_URL": db.url])
            #expect(run.status == 0, "\(run.output)")
            let line = try #require(run.output.split(separator: "\n").first { $0.hasPrefix("nightly-statistics") }, "\(run.output)")
            #expect(line.contains("0 2 * * *") && line.contains("Asia/Ho_Chi_Minh") && line.contains("statistics.regenerate"), "\(line)")
            #expect(line.contains("02:00:00") && line.contains("never"), "next fire at 02:00 local, never fired: \(line)")
        }
    }

    /// A bad entry stops `kheo work` at start-up, naming the entry and the fault.
    @Test(arguments: [
        (#"[{"name": "nightly", "schedule": "0 25 * * *", "kind": "x.y"}]"#, "periodic job \"nightly\": invalid cron expression \"0 25 * * *\": hour field"),
        (#"[{"name": "nightly", "schedule": "@daily", "time_zone": "Mars/Olympus", "kind": "x.y"}]"#, "periodic job \"nightly\": unknown time zone \"Mars/Olympus\""),
        (#"{"name": "nightly"}"#, "not a JSON list"),
    ])
    func badCronEntriesAreRefusedAtStartUp(text: String, message: String) throws {
        try TestDatabase.with(schema: .binary) { db in
            let file = try Self.cronFile(text)
            defer { try? FileManager.default.removeItem(atPath: file) }
            let run = try KheoBinary.run(["work", "--cron-file", file], environment: ["DATABASE_URL": db.url])
            #expect(run.status != 0)
            #expect(run.output.contains(message), "\(run.output)")
            #expect(try count("SELECT count(*) FROM kheo.nodes", in: db) == 0, "the worker never started")
        }
    }
}
