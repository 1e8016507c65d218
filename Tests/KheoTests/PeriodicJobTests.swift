import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

@Suite("Periodic jobs", .serialized)
struct PeriodicJobTests {
    /// Writes a cron file with one entry that fires every second.
    static func everySecondFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kheo-cron-\(UUID().uuidString).json").path
        try #"[{"name": "tick", "schedule": "* * * * * *", "time_zone": "Asia/Ho_Chi_Minh", "kind": "kheo.noop", "args": {"from": "cron"}}]"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Three worker processes with the same every-second entry for about ten seconds:
    /// each fire time is inserted exactly once, and none is skipped.
    @Test func threeNodesInsertEachFireOnce() throws {
        try TestDatabase.with { db in
            let file = try Self.everySecondFile()
            defer { try? FileManager.default.removeItem(atPath: file) }
            let workers = try (0..<3).map { _ in
                try KheoProcess.start(["work", "--log-level", "notice", "--cron-file", file], environment: ["DATABASE_URL": db.url])
            }
            Thread.sleep(forTimeInterval: 10.5)
            for worker in workers { worker.send(SIGTERM) }
            for worker in workers { #expect(try worker.wait(timeout: .seconds(30)) == 0, "\(worker.output.suffix(2000))") }
            let rows = try db.pool.query("""
                SELECT count(*) AS jobs, count(DISTINCT scheduled_at) AS fires,
                       extract(epoch FROM max(scheduled_at) - min(scheduled_at))::int AS span
                FROM kheo.jobs WHERE kind = 'kheo.noop'
                """).single()
            let jobs = try rows.decode("jobs", as: Int64.self), fires = try rows.decode("fires", as: Int64.self)
            let span = try rows.decode("span", as: Int32.self)
            #expect(jobs == fires, "a fire time was inserted twice")
            #expect(fires >= 8, "only \(fires) fires in 10 s")
            #expect(fires == Int64(span) + 1, "a fire time in between was skipped: \(fires) fires over \(span) s")
            #expect(try count("SELECT count(*) FROM kheo.jobs WHERE kind = 'kheo.noop' AND unique_key IS NULL", in: db) == 0)
            #expect(try count("SELECT count(*) FROM kheo.jobs WHERE kind = 'kheo.noop' AND args->>'from' = 'cron'", in: db) == Int(jobs))
        }
    }

    /// Every node was down at several daily fires: the first node to start inserts the
    /// latest one, once, and not the days before it. The entry fires daily two hours
    /// ago (UTC), so no real fire can fall inside the test, as an hourly one could.
    @Test func aNodeStartedAfterAMissedFireInsertsItOnce() throws {
        try TestDatabase.with { db in
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = TimeZone(identifier: "UTC")!
            let latest = utc.date(bySetting: .second, value: 0, of: Date().addingTimeInterval(-7200))!
            let parts = utc.dateComponents([.hour, .minute], from: latest)
            let schedule = "\(parts.minute!) \(parts.hour!) * * *"
            let entry = try PeriodicJob(name: "daily-scan", schedule: schedule, timeZone: "UTC", job: JobRequest(kind: "deadline.scan"))
            try db.pool.query(
                "INSERT INTO kheo.periodic_jobs (name, schedule, time_zone, last_fire_at) VALUES ($1, $2, 'UTC', $3::timestamptz - interval '3 days')",
                entry.name, schedule, latest
            )
            for _ in 0..<2 {
                try withNode(db, periodic: [entry]) {
                    try waitUntil(timeout: .seconds(10)) { try count("SELECT count(*) FROM kheo.jobs WHERE kind = 'deadline.scan'", in: db) == 1 }
                    Thread.sleep(forTimeInterval: 0.5)
                }
            }
            let row = try db.pool.query("""
                SELECT count(*) AS jobs, bool_and(scheduled_at = $1) AS latest_fire,
                       (SELECT last_fire_at = $1 FROM kheo.periodic_jobs WHERE name = 'daily-scan') AS recorded
                FROM kheo.jobs WHERE kind = 'deadline.scan'
                """, latest).single()
            #expect(try row.decode("jobs", as: Int64.self) == 1)
            #expect(try row.decode("latest_fire", as: Bool.self), "the latest missed fire, not an older one")
            #expect(try row.decode("recorded", as: Bool.self))
        }
    }

    /// An entry no node has ever run has nothing to catch up. (Yearly, so that no real
    /// fire can fall inside the test, as an hourly one did when a run crossed the hour.)
    @Test func aNewEntryDoesNotFireOnStart() throws {
        try TestDatabase.with { db in
            let entry = try PeriodicJob(name: "new-yearly", schedule: "@yearly", job: JobRequest(kind: "deadline.scan"))
            try withNode(db, periodic: [entry]) { Thread.sleep(forTimeInterval: 1) }
            #expect(try count("SELECT count(*) FROM kheo.jobs", in: db) == 0)
        }
    }

    private func withNode(_ db: TestDatabase, periodic: [PeriodicJob], _ body: () throws -> Void) throws {
        var registry = JobRegistry()
        BuiltinJobs.register(in: &registry)
        BuiltinJobs.registerTestKinds(in: &registry)
        let node = try WorkerNode(
            database: db.configuration, registry: registry,
            configuration: WorkerConfiguration(queues: [.init("other", concurrency: 1)], periodicJobs: periodic)
        )
        try node.start()
        defer {
            node.stop(grace: .seconds(5))
            node.wait()
        }
        try body()
    }
}
