import DanVan
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Kheo
import KheoAPI
import KheoTesting
import LocalPostgres
import PostgresClient
import Synchronization
import Testing

/// PostgreSQL itself fails over: a primary with a synchronous standby, the primary
/// stopped mid-drain as a crash would, the standby promoted. Workers and the API are
/// given both hosts with `target_session_attrs=read-write` and find the new primary
/// themselves.
@Suite("Failover", .serialized)
struct FailoverTests {
    /// One answer of the API to an enqueue while the failover happens.
    struct Answer: Sendable {
        let at: Date
        let status: Int
        let retryAfter: String?
        let ids: [Int64]
    }

    @Test func aFailoverMidDrainLosesNothingAndTheAPIAnswers503UntilTheStandbyIsPromoted() throws {
        try TestCluster.withPrimaryAndStandby { primary, standby in
            let url = "postgresql://kheo@/kheo?host=\(primary.socketDirectory),\(standby.socketDirectory)&target_session_attrs=read-write"
            let setup = try PostgresConnection.connect(to: primary.connectionConfiguration)
            _ = try Migrator(migrations: TestSchema.binary.migrations).migrate(on: setup)
            let token = try APITokens().create(unit: nil, role: .operator, on: setup).token
            let jobs = 100_000
            let request = try JobRequest(BuiltinJobs.Record(ms: 0))
            for _ in 0..<(jobs / 10_000) { try Producer().enqueueMany(Array(repeating: request, count: 10_000), on: setup) }

            let workers = try (0..<2).map { _ in
                try KheoProcess.start(
                    ["work", "--test-kinds", "--queue", "default=20", "--log-level", "notice"], environment: ["DATABASE_URL": url]
                )
            }
            defer { workers.forEach { $0.send(SIGKILL) } }
            let (serve, port) = try APIHarness.startServe([], environment: ["DATABASE_URL": url])
            defer { serve.send(SIGKILL) }

            // A producer that keeps enqueueing through the API, one job every 20 ms.
            let answers = Mutex<[Answer]>([])
            let stop = Atomic<Bool>(false)
            let clientDone = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                while !stop.load(ordering: .relaxed) {
                    let answer = Self.enqueue(port: port, token: token)
                    answers.withLock { $0.append(answer) }
                    Thread.sleep(forTimeInterval: 0.02)
                }
                clientDone.signal()
            }

            while try Self.count("SELECT count(*) FROM kheo.recorded_effects", on: setup) < 20_000 {
                Thread.sleep(forTimeInterval: 0.1)
            }
            // The primary dies; for 3 s there is none; then the standby is promoted.
            let stoppedAt = Date()
            try primary.stopImmediately()
            Thread.sleep(forTimeInterval: 3)
            let promotedAt = Date()
            try standby.promote()

            let after = try PostgresConnection.connect(to: standby.connectionConfiguration)
            let deadline = ContinuousClock.now + .seconds(240)
            while try Self.count("SELECT count(*) FROM kheo.recorded_effects", on: after) < jobs, ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.2)
            }
            Thread.sleep(forTimeInterval: 2)
            stop.store(true, ordering: .relaxed)
            clientDone.wait()
            let acknowledged = answers.withLock { $0 }.filter { $0.status == 201 }.flatMap(\.ids)
            // Jobs the API acknowledged may still be running: wait for the last of them.
            while try Self.count("SELECT count(*) FROM kheo.all_jobs WHERE id = ANY($1) AND state = 'completed'", on: after, acknowledged) < acknowledged.count,
                  ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.2)
            }

            // Every job enqueued before the failover ran once: one effect each, all completed.
            #expect(try Self.count("SELECT count(*) FROM kheo.recorded_effects", on: after) == jobs)
            #expect(try Self.count("SELECT count(*) FROM kheo.all_jobs WHERE kind = 'kheo.record' AND state = 'completed'", on: after) == jobs)
            // Every job the API acknowledged, before or after, is there and completed.
            #expect(!acknowledged.isEmpty)
            #expect(try Self.count("SELECT count(*) FROM kheo.all_jobs WHERE id = ANY($1) AND state = 'completed'", on: after, acknowledged) == acknowledged.count)

            let all = answers.withLock { $0 }
            let gap = all.filter { $0.at > stoppedAt.addingTimeInterval(0.5) && $0.at < promotedAt }
            #expect(!gap.isEmpty && gap.allSatisfy { $0.status == 503 && $0.retryAfter != nil }, "while no primary: \(Self.summary(gap))")
            #expect(!all.contains { $0.status >= 500 && $0.status != 503 }, "no answer but 503 for a missing database: \(Self.summary(all))")
            let recovered = all.first { $0.at > promotedAt && $0.status == 201 }
            #expect(recovered != nil, "the API took enqueues again without a restart")
            #expect(serve.isRunning && workers.allSatisfy(\.isRunning))

            // The first job completed by the new primary: no transaction of the old one
            // began after the promotion (it was stopped before).
            let firstCompletion = try after.query(
                "SELECT extract(epoch FROM min(recorded_at) - $1)::float8 AS seconds FROM kheo.recorded_effects WHERE recorded_at > $2",
                stoppedAt, promotedAt
            ).single().decode("seconds", as: Double.self)
            let rescued = try Self.count("SELECT count(*) FROM kheo.all_jobs WHERE errors::text LIKE '%lease_expired%'", on: after)
            print(String(
                format: "failover: primary stopped, standby promoted 3.0 s later; first completion on the new primary %.2f s after the stop (%.2f s after the promotion); API answers in the gap: %d × 503 with Retry-After; first 201 again %.2f s after the promotion; %d jobs rescued after their leases; %d + %d API jobs, each completed once",
                firstCompletion, firstCompletion - promotedAt.timeIntervalSince(stoppedAt), gap.count,
                recovered.map { $0.at.timeIntervalSince(promotedAt) } ?? -1, rescued, jobs, acknowledged.count
            ))
        }
    }

    static func count(_ sql: String, on connection: PostgresConnection, _ parameters: any PostgresEncodable...) throws -> Int {
        Int(try connection.query(sql, parameters).single().decode(0, as: Int64.self))
    }

    static func summary(_ answers: [Answer]) -> String {
        Dictionary(grouping: answers, by: \.status).map { "\($0.key) × \($0.value.count)" }.sorted().joined(separator: ", ")
    }

    /// One enqueue through the API, synchronously (URLSession's completion handler).
    static func enqueue(port: Int, token: String) -> Answer {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/jobs")!, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"jobs": [{"kind": "kheo.noop"}]}"#.utf8)
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<(Int, String?, [Int64])>((0, nil, []))
        URLSession.shared.dataTask(with: request) { data, response, _ in
            let http = response as? HTTPURLResponse
            var ids: [Int64] = []
            if http?.statusCode == 201, let data, let body = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let enqueued = body["ids"] as? [NSNumber] {
                ids = enqueued.map(\.int64Value)
            }
            result.withLock { $0 = (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Retry-After"), ids) }
            done.signal()
        }.resume()
        done.wait()
        let (status, retryAfter, ids) = result.withLock { $0 }
        return Answer(at: Date(), status: status, retryAfter: retryAfter, ids: ids)
    }
}
