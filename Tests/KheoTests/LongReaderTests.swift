import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

/// A transaction held open for minutes (a report reading one snapshot, an operator's
/// forgotten `BEGIN` in psql) must not stall the queue (issue 21, item 3).
///
/// While such a snapshot stands, no index entry of a job claimed after it was taken
/// can be marked dead or vacuumed: the entries pile up at the head of the claim index,
/// and every claim that reads from the head steps over all of them. The workers claim
/// from a cursor past them instead, and read from the head only every
/// `ClaimCursor.headInterval`.
@Suite("A long reader")
struct LongReaderTests {
    /// How many jobs were claimed and finished since the reader's snapshot before the
    /// workers start: the state a night of draining beside that reader leaves.
    static let claimedBeside = 800_000

    @Test func jobsArePickedUpPastTheDeadEntriesWhileAReaderHoldsItsSnapshotForMinutes() throws {
        try TestDatabase.with(schema: .binary) { db in
            let reader = try db.connect()
            try reader.execute(script: "BEGIN ISOLATION LEVEL REPEATABLE READ")
            _ = try reader.query("SELECT count(*) FROM kheo.all_jobs")
            let opened = ContinuousClock.now

            // What claims leave behind, in three statements: each job inserted available
            // (an entry in `jobs_claim`), claimed (state running) and finished (moved out).
            try db.pool.query("INSERT INTO kheo.jobs (queue, kind) SELECT 'default', 'kheo.noop' FROM generate_series(1, $1::int)", Int32(Self.claimedBeside))
            try db.pool.query("UPDATE kheo.jobs SET state = 'running', attempt = 1, attempted_at = now(), lease_owner = gen_random_uuid(), lease_expires_at = now() WHERE queue = 'default'")
            try db.pool.query("DELETE FROM kheo.jobs WHERE queue = 'default'")
            let head = try Self.headClaim(db)
            #expect(head.buffers > 5000, "the reader should keep the dead entries at the head of the claim index: \(head)")

            let workers = try (0..<2).map { _ in try WorkerProcessTests.work(db.url, ["--queue", "default=50", "--no-prune"]) }
            defer {
                for worker in workers {
                    worker.send(SIGKILL)
                    _ = try? worker.wait(timeout: .seconds(10))
                }
            }

            // A burst the workers drain beside the reader, as the night goes on.
            let burst = 50_000
            let noop = try JobRequest(BuiltinJobs.Noop())
            for _ in 0..<(burst / 5000) { try Producer().enqueueMany(Array(repeating: noop, count: 5000), on: db.pool) }
            try waitUntil(timeout: .seconds(300)) {
                Thread.sleep(forTimeInterval: 0.5)
                return try count("SELECT count(*) FROM kheo.job_history WHERE state = 'completed'", in: db) == burst
            }

            // Then a trickle at 20 jobs a second until the reader has been open for two
            // minutes, at least 20 seconds of it.
            var sent: [Int64] = []
            let trickleEnd = max(opened + .seconds(120), ContinuousClock.now + .seconds(20))
            while ContinuousClock.now < trickleEnd {
                sent.append(try Producer().enqueue(BuiltinJobs.Noop(), on: db.pool))
                Thread.sleep(forTimeInterval: 0.05)
            }
            try waitUntil { try count("SELECT count(*) FROM kheo.all_jobs WHERE id = ANY ($1) AND state = 'completed'", in: db, sent) == sent.count }
            let held = opened.duration(to: .now)
            #expect(try reader.query("SELECT 1 AS still_open").count == 1)
            try reader.execute(script: "ROLLBACK")

            // Each pickup, from the commit of its insert to its claim, by the server's clock.
            let pickups = try db.pool.query(
                """
                SELECT extract(epoch FROM attempted_at - inserted_at)::float8 * 1000 AS ms
                FROM kheo.all_jobs WHERE id = ANY ($1) ORDER BY 1
                """,
                sent
            ).map { try $0.decode("ms", as: Double.self) }
            let median = pickups[pickups.count / 2], p90 = pickups[pickups.count * 9 / 10]
            let summary = String(
                format: "reader held %.0f s; a claim from the head: %d buffers, %.1f ms; %d trickle jobs picked up in %.1f ms (median), %.1f ms (p90)",
                Double(held.components.seconds), head.buffers, head.milliseconds, pickups.count, median, p90
            )
            print(summary)
            #expect(held >= .seconds(120), "\(summary)")
            // A pickup that reads from the head takes about a head read's time. Workers that
            // went back to the head after every short claim (before the cursor stayed)
            // picked up in 84 ms (median) and 158 ms (p90) beside a 246 ms head read.
            #expect(median < head.milliseconds / 10, "\(summary)")
            #expect(p90 < head.milliseconds / 4, "\(summary)")
        }
    }

    /// What a claim from the head of the claim index costs now, in its own rolled-back transaction.
    static func headClaim(_ db: TestDatabase) throws -> (buffers: Int, milliseconds: Double) {
        let connection = try db.connect()
        try connection.execute(script: "BEGIN")
        defer { try? connection.execute(script: "ROLLBACK") }
        let plan = try connection.query(
            """
            EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
            SELECT id FROM kheo.jobs WHERE state = 'available' AND queue = 'default'
            ORDER BY priority, scheduled_at, id LIMIT 50 FOR UPDATE SKIP LOCKED
            """
        ).single().decode(0, as: String.self)
        let json = try JSONSerialization.jsonObject(with: Data(plan.utf8)) as? [[String: Any]]
        let top = json?.first
        let root = top?["Plan"] as? [String: Any]
        let hit = root?["Shared Hit Blocks"] as? Int ?? 0, read = root?["Shared Read Blocks"] as? Int ?? 0
        return (hit + read, top?["Execution Time"] as? Double ?? 0)
    }
}
