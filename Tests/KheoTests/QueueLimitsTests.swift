import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

/// Limits and fairness are enforced in the claim (`kheo.claim_limited`), so they hold
/// across nodes: these run several `kheo work` processes against one database and
/// check what the handlers and the jobs' rows recorded.
@Suite("Queue limits", .serialized)
struct QueueLimitsTests {
    static func workers(_ count: Int, _ db: TestDatabase, queue: String) throws -> [KheoProcess] {
        try (0..<count).map { _ in
            try KheoProcess.start(
                ["work", "--test-kinds", "--no-prune", "--log-level", "warning", "--until-empty", "--queue", queue],
                environment: ["DATABASE_URL": db.url]
            )
        }
    }

    static func waitForExit(_ workers: [KheoProcess], timeout: Duration) throws {
        for worker in workers {
            #expect(try worker.wait(timeout: timeout) == 0, "\(worker.output.suffix(2000))")
        }
    }

    /// 3 nodes × 20 slots, at most 2 running per key: the handlers never overlap more
    /// than 2 of one key, and do reach 2. The limit is set by `kheo queues limit`; the
    /// nodes have none of their own and keep it, since the claim reads it from the queue.
    @Test func aConcurrencyLimitPerKeyHoldsExactlyOverThreeNodes() throws {
        try TestDatabase.with(schema: .binary) { db in
            // 30 keys × 2 = 60 may run at once: every slot of the 3 nodes has work.
            let keys = (1...30).map { "unit-\($0)" }
            let requests = try keys.flatMap { key in
                try Array(repeating: JobRequest(BuiltinJobs.Record(ms: 40, key: key), options: EnqueueOptions(queue: "limited")), count: 12)
            }
            try Producer().enqueueMany(requests.shuffled(), on: db.pool)
            let limit = try KheoProcess.start(["queues", "limit", "limited", "limit=2/key"], environment: ["DATABASE_URL": db.url])
            #expect(try limit.wait() == 0, "\(limit.output)")
            let started = ContinuousClock.now
            let nodes = try Self.workers(3, db, queue: "limited=20")
            try Self.waitForExit(nodes, timeout: .seconds(120))
            let elapsed = started.duration(to: .now)
            #expect(try count("SELECT count(*) FROM kheo.recorded_effects", in: db) == requests.count)
            // For each run, how many runs of its key had started and not finished when it started.
            let overlap = try db.pool.query("""
                SELECT a.partition_key, max(n) AS most FROM (
                    SELECT a.partition_key, a.job_id,
                           (SELECT count(*) FROM kheo.recorded_effects AS b
                            WHERE b.partition_key = a.partition_key AND b.started_at <= a.started_at
                              AND b.finished_at > a.started_at) AS n
                    FROM kheo.recorded_effects AS a
                ) AS a GROUP BY a.partition_key ORDER BY 1
                """).map { (try $0.decode("partition_key", as: String.self), Int(try $0.decode("most", as: Int64.self))) }
            #expect(overlap.count == keys.count)
            #expect(overlap.map(\.1).max() == 2, "most running at once per key: \(overlap)")
            let nodesUsed = try count("SELECT count(DISTINCT node) FROM kheo.recorded_effects", in: db)
            #expect(nodesUsed == 3)
            print("limit 2 per key, 3 nodes × 20 slots: most at once per key \(overlap.map(\.1)), \(requests.count) jobs of 40 ms in \(elapsed)")
        }
    }

    /// A limit set while nodes run holds from then on: the nodes learn of it with
    /// their next heartbeat, and until then their ordinary claim leaves the queue alone.
    @Test func aLimitSetWhileNodesRunHoldsAtOnce() throws {
        try TestDatabase.with(schema: .binary) { db in
            let nodes = try (0..<2).map { _ in
                try KheoProcess.start(
                    ["work", "--test-kinds", "--no-prune", "--log-level", "warning", "--queue", "late=10"],
                    environment: ["DATABASE_URL": db.url]
                )
            }
            defer { nodes.forEach { $0.send(SIGKILL) } }
            try waitUntil { try count("SELECT count(*) FROM kheo.nodes", in: db) == 2 }
            try QueueLimits(concurrency: .init(1)).apply(to: "late", on: db.pool)
            let request = try JobRequest(BuiltinJobs.Record(ms: 50, key: "all"), options: EnqueueOptions(queue: "late"))
            try Producer().enqueueMany(Array(repeating: request, count: 30), on: db.pool)
            try waitUntil(timeout: .seconds(60)) { try count("SELECT count(*) FROM kheo.recorded_effects", in: db) == 30 }
            let most = try count("""
                SELECT max((SELECT count(*) FROM kheo.recorded_effects AS b
                            WHERE b.started_at <= a.started_at AND b.finished_at > a.started_at))
                FROM kheo.recorded_effects AS a
                """, in: db)
            #expect(most == 1)
        }
    }

    /// 100 starts per 10 s over 3 nodes: each window from the first start admits 100
    /// exactly, and no 10 s anywhere holds 101 starts.
    @Test func aRateLimitAdmitsExactlyItsStartsPerWindowOverThreeNodes() throws {
        try TestDatabase.with(schema: .binary) { db in
            let request = try JobRequest(BuiltinJobs.Record(ms: 0), options: EnqueueOptions(queue: "rated"))
            try Producer().enqueueMany(Array(repeating: request, count: 330), on: db.pool)
            // Every node brings the limit in its --queue, and writes it before its first claim.
            let nodes = try Self.workers(3, db, queue: "rated=20,rate=100/10s")
            try Self.waitForExit(nodes, timeout: .seconds(120))
            let starts = try db.pool.query(
                "SELECT attempted_at FROM kheo.all_jobs WHERE queue = 'rated' AND state = 'completed' ORDER BY attempted_at"
            ).map { try $0.decode("attempted_at", as: Date.self) }
            #expect(starts.count == 330)
            guard let first = starts.first else { return }
            let perWindow = (0..<4).map { window in
                starts.filter { Int($0.timeIntervalSince(first) / 10) == window }.count
            }
            #expect(perWindow == [100, 100, 100, 30], "starts per 10 s from the first: \(perWindow)")
            // Sliding: the 101st start after any start comes 10 s or more after it.
            let tightest = (0..<(starts.count - 100)).map { starts[$0 + 100].timeIntervalSince(starts[$0]) }.min() ?? 0
            #expect(tightest >= 9.9995, "101 starts within \(tightest) s")
            let lags = (1...3).map { starts[$0 * 100].timeIntervalSince(starts[($0 - 1) * 100]) - 10 }
            print("rate 100 per 10 s, 3 nodes: \(perWindow) starts per window; each window's first start \(lags.map { String(format: "%.0f ms", $0 * 1000) }) after the window allowed")
        }
    }

    /// A fair queue with 100,000 jobs of unit A queued first: a job of unit B starts
    /// within one claim. Measured over 100 B jobs sent one by one while A drains.
    @Test func aUnitsJobStartsWithinOneClaimBehindAnotherUnitsHundredThousand() throws {
        try TestDatabase.with(schema: .binary) { db in
            var a = try JobRequest(BuiltinJobs.Noop(), options: EnqueueOptions(queue: "fair"))
            a.partitionKey = "unit-A"
            for _ in 0..<20 { try Producer().enqueueMany(Array(repeating: a, count: 5000), on: db.pool) }
            let nodes = try (0..<2).map { _ in
                try KheoProcess.start(
                    ["work", "--no-prune", "--log-level", "warning", "--queue", "fair=20,fair"],
                    environment: ["DATABASE_URL": db.url]
                )
            }
            defer { nodes.forEach { $0.send(SIGKILL) } }
            var b = try JobRequest(BuiltinJobs.Noop(), options: EnqueueOptions(queue: "fair"))
            b.partitionKey = "unit-B"
            try waitUntil { try count("SELECT count(*) FROM kheo.all_jobs WHERE queue = 'fair' AND state = 'completed'", in: db) > 1000 }
            var sent: [Int64] = []
            for _ in 0..<100 {
                sent.append(try Producer().enqueue(b, on: db.pool))
                Thread.sleep(forTimeInterval: 0.03)
            }
            try waitUntil { try count("SELECT count(*) FROM kheo.all_jobs WHERE id = ANY($1) AND state = 'completed'", in: db, sent) == sent.count }
            // For each B job: its pickup, and how many claims took A's jobs between its
            // insert and its own claim (a claim's jobs share its claimed_at).
            let rows = try db.pool.query("""
                SELECT extract(epoch FROM b.attempted_at - b.inserted_at)::float8 * 1000 AS pickup_ms,
                       (SELECT count(DISTINCT a.attempted_at) FROM kheo.all_jobs AS a
                        WHERE a.queue = 'fair' AND a.partition_key = 'unit-A'
                          AND a.attempted_at > b.inserted_at AND a.attempted_at < b.attempted_at) AS claims_before
                FROM kheo.all_jobs AS b WHERE b.id = ANY($1)
                """, sent).map { (try $0.decode("pickup_ms", as: Double.self), Int(try $0.decode("claims_before", as: Int64.self))) }
            let left = try count("SELECT count(*) FROM kheo.jobs WHERE queue = 'fair' AND state = 'available'", in: db)
            #expect(left > 0, "A's backlog was still there when the last B job ran")
            let pickups = rows.map(\.0).sorted()
            let claims = rows.map(\.1).sorted()
            func p(_ values: [Double], _ q: Double) -> Double { values[min(values.count - 1, Int(Double(values.count) * q))] }
            // The claim under way when B's insert commits cannot see it; the next one takes it.
            #expect(claims[min(claims.count - 1, 98)] <= 1, "claims of A before B's job (sorted): \(claims)")
            print(String(format: "fair by key, 100k of unit A ahead: unit B's job picked up in p50 %.1f ms, p99 %.1f ms; claims of A between its insert and its start: p99 %d, max %d; %d of A still waiting",
                         p(pickups, 0.5), p(pickups, 0.99), claims[min(claims.count - 1, 98)], claims.last ?? 0, left))
        }
    }

    /// The claim itself, by SQL: a per-kind limit passes over a kind at its limit, says
    /// jobs were held back, and a paused queue gives nothing.
    @Test func theClaimPassesOverAKindAtItsLimitAndSaysSo() throws {
        try TestDatabase.with(schema: .binary) { db in
            try QueueLimits(concurrency: .init(1, per: .kind)).apply(to: "kinds", on: db.pool)
            let options = EnqueueOptions(queue: "kinds")
            try Producer().enqueueMany(
                [try JobRequest(BuiltinJobs.Sleep(ms: 1), options: options), try JobRequest(BuiltinJobs.Sleep(ms: 1), options: options),
                 try JobRequest(BuiltinJobs.Noop(), options: options)],
                on: db.pool
            )
            let node = UUID().uuidString
            func claim() throws -> (kinds: [String], heldBack: Int64?) {
                let rows = try db.pool.query("SELECT kind, held_back_ms FROM kheo.claim_limited('kinds', 10, $1::uuid, 60000)", node)
                return (try rows.compactMap { try $0.decode("kind", as: String?.self) },
                        try rows.compactMap { try $0.decode("held_back_ms", as: Int64?.self) }.first)
            }
            let first = try claim()
            #expect(first.kinds.sorted() == ["kheo.noop", "kheo.sleep"])
            #expect(first.heldBack == -1, "the second kheo.sleep waits for the first to finish")
            let second = try claim()
            #expect(second.kinds.isEmpty && second.heldBack == -1)
            try db.pool.query("UPDATE kheo.jobs SET state = 'available', lease_owner = NULL, lease_expires_at = NULL WHERE state = 'running' AND kind = 'kheo.sleep'")
            try JobControl().pause(queue: "kinds", on: db.pool)
            #expect(try claim().kinds.isEmpty)
            try JobControl().resume(queue: "kinds", on: db.pool)
            #expect(try claim().kinds == ["kheo.sleep"])
            #expect(try QueueLimits.read(queue: "kinds", on: db.pool) == QueueLimits(concurrency: .init(1, per: .kind)))
            #expect(try QueueRecord.list(on: db.pool).first { $0.name == "kinds" }?.limits.summary == "1 running per kind")
        }
    }
}
