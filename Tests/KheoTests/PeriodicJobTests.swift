import Foundation
import Kheo
import Logging
import KheoTesting
import PostgresClient
import Synchronization
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

    /// Three worker processes with the same every-second entry on the wall clock (the
    /// point of the test: real processes, real time) until five fire times are in:
    /// each fire time is inserted exactly once, and none is skipped.
    @Test func threeNodesInsertEachFireOnce() throws {
        try TestDatabase.with(schema: .binary) { db in
            let file = try Self.everySecondFile()
            defer { try? FileManager.default.removeItem(atPath: file) }
            let workers = try (0..<3).map { _ in
                try KheoProcess.start(["work", "--log-level", "notice", "--cron-file", file], environment: ["DATABASE_URL": db.url])
            }
            let fired = try eventually(timeout: .seconds(60)) {
                try count("SELECT count(DISTINCT scheduled_at) FROM kheo.all_jobs WHERE kind = 'kheo.noop'", in: db) >= 5
            }
            for worker in workers { worker.send(SIGTERM) }
            #expect(fired, "five fires did not come within a minute")
            for worker in workers { #expect(try worker.wait(timeout: .seconds(30)) == 0, "\(worker.output.suffix(2000))") }
            let rows = try db.pool.query("""
                SELECT count(*) AS jobs, count(DISTINCT scheduled_at) AS fires,
                       extract(epoch FROM max(scheduled_at) - min(scheduled_at))::int AS span
                FROM kheo.all_jobs WHERE kind = 'kheo.noop'
                """).single()
            let jobs = try rows.decode("jobs", as: Int64.self), fires = try rows.decode("fires", as: Int64.self)
            let span = try rows.decode("span", as: Int32.self)
            #expect(jobs == fires, "a fire time was inserted twice")
            #expect(fires >= 5, "only \(fires) fires")
            #expect(fires == Int64(span) + 1, "a fire time in between was skipped: \(fires) fires over \(span) s")
            #expect(try count("SELECT count(*) FROM kheo.all_jobs WHERE kind = 'kheo.noop' AND unique_key IS NULL", in: db) == 0)
            #expect(try count("SELECT count(*) FROM kheo.all_jobs WHERE kind = 'kheo.noop' AND args->>'from' = 'cron'", in: db) == Int(jobs))
        }
    }

    /// A clock a test moves by hand.
    final class ManualClock: Sendable {
        private let time: Mutex<Date>
        init(_ start: Date) { time = Mutex(start) }
        var now: Date { time.withLock { $0 } }
        func advance(by seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
        var read: @Sendable () -> Date { { self.now } }
    }

    /// 05/01/2025 01:00:00 in Vietnam (UTC+7): a fixed day, so no test depends on when
    /// it runs.
    static let start = Date(timeIntervalSince1970: 1_736_013_600)

    func enqueuer(_ db: TestDatabase, _ entries: [PeriodicJob], _ clock: ManualClock) -> PeriodicEnqueuer {
        PeriodicEnqueuer(entries: entries, pool: db.pool, logger: Logger(label: "test"), clock: clock.read)
    }

    /// Three nodes' enqueuers with an every-second entry, taking turns over ten seconds
    /// of a moved clock: each fire time is inserted exactly once, by one of them, and
    /// none is skipped.
    @Test func threeEnqueuersInsertEachFireOnceAsTimeMovesOn() throws {
        try TestDatabase.with { db in
            let entry = try PeriodicJob(name: "tick", schedule: "* * * * * *", job: JobRequest(kind: "kheo.noop"))
            let clock = ManualClock(Self.start)
            var nodes = (0..<3).map { _ in enqueuer(db, [entry], clock) }
            var fired: [PeriodicEnqueuer.Fire] = []
            for step in 0..<40 {
                clock.advance(by: 0.25)
                // Each node's round in a different order every quarter second.
                for index in [step % 3, (step + 1) % 3, (step + 2) % 3] {
                    let result = nodes[index].runOnce()
                    fired += result.fired
                    #expect(result.nextRun > clock.now && result.nextRun <= clock.now.addingTimeInterval(1))
                }
            }
            let times = fired.map(\.fireAt)
            #expect(Set(times).count == times.count, "a fire time was inserted twice")
            #expect(times == times.sorted())
            #expect(times.count == 10, "one fire for each of the ten seconds: \(times)")
            #expect(try count("SELECT count(*) FROM kheo.all_jobs WHERE kind = 'kheo.noop'", in: db) == 10)
        }
    }

    /// Every node was down at several daily fires: the first node to start inserts the
    /// latest one, once, and not the days before it; the next node to start inserts none.
    @Test func aNodeStartedAfterAMissedFireInsertsItOnce() throws {
        try TestDatabase.with { db in
            let entry = try PeriodicJob(name: "daily-scan", schedule: "0 23 * * *", timeZone: "UTC", job: JobRequest(kind: "deadline.scan"))
            // Last fired three days before the latest due fire (04/01/2025 23:00 UTC).
            let latest = Date(timeIntervalSince1970: 1_736_031_600)
            try db.pool.query(
                "INSERT INTO kheo.periodic_jobs (name, schedule, time_zone, last_fire_at) VALUES ($1, '0 23 * * *', 'UTC', $2::timestamptz - interval '3 days')",
                entry.name, latest
            )
            let clock = ManualClock(latest.addingTimeInterval(5400))
            var first = enqueuer(db, [entry], clock)
            #expect(first.runOnce().fired.map(\.fireAt) == [latest], "the latest missed fire, not an older one")
            #expect(first.runOnce().fired.isEmpty)
            var second = enqueuer(db, [entry], clock)
            #expect(second.runOnce().fired.isEmpty, "another node's start inserts it no second time")
            let row = try db.pool.query("""
                SELECT count(*) AS jobs, bool_and(scheduled_at = $1) AS latest_fire,
                       (SELECT last_fire_at = $1 FROM kheo.periodic_jobs WHERE name = 'daily-scan') AS recorded
                FROM kheo.all_jobs WHERE kind = 'deadline.scan'
                """, latest).single()
            #expect(try row.decode("jobs", as: Int64.self) == 1)
            #expect(try row.decode("latest_fire", as: Bool.self))
            #expect(try row.decode("recorded", as: Bool.self))
        }
    }

    /// An entry no node has ever run has nothing to catch up, but it is registered at
    /// once (for `kheo cron list`), with no last fire; its first fire comes on time.
    @Test func aNewEntryIsRegisteredAndDoesNotFireOnStart() throws {
        try TestDatabase.with { db in
            let entry = try PeriodicJob(
                name: "nightly", schedule: "0 2 * * *", job: JobRequest(kind: "statistics.regenerate", options: EnqueueOptions(queue: "danvan"))
            )
            let clock = ManualClock(Self.start)
            var node = enqueuer(db, [entry], clock)
            let first = node.runOnce()
            #expect(first.fired.isEmpty)
            // 02:00 in Vietnam is an hour after the start.
            #expect(first.nextRun == Self.start.addingTimeInterval(3600))
            let registered = try #require(try PeriodicEntryRecord.list(on: db.pool).first)
            #expect(registered.name == "nightly" && registered.kind == "statistics.regenerate" && registered.queue == "danvan")
            #expect(registered.lastFireAt == nil && registered.registeredAt != nil)
            #expect(try count("SELECT count(*) FROM kheo.all_jobs", in: db) == 0)
            clock.advance(by: 3600)
            #expect(node.runOnce().fired.map(\.fireAt) == [Self.start.addingTimeInterval(3600)])
        }
    }
}
