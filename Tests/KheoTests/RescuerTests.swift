import Foundation
import Kheo
import KheoTesting
import Logging
import PostgresClient
import Testing

/// The rescuer on its own, one round at a time: what becomes of a job whose lease
/// expired, by its attempts and whether a cancel was asked for.
@Suite struct RescuerTests {
    /// Makes job `id` running under a lease that expired `ago` seconds ago.
    func expire(_ id: Int64, attempt: Int, ago seconds: Int, cancel: Bool = false, in db: TestDatabase) throws {
        try db.pool.query(
            """
            UPDATE kheo.jobs SET state = 'running', attempt = $2, attempted_at = now(), lease_owner = gen_random_uuid(),
                   lease_expires_at = now() - make_interval(secs => $3), cancel_requested_at = CASE WHEN $4 THEN now() END
            WHERE id = $1
            """,
            id, Int32(attempt), Double(seconds), cancel
        )
    }

    @Test func oneRoundRetriesWithBackoffDiscardsAndCancelsOldestLeaseFirst() throws {
        try TestDatabase.with { db in
            let producer = Producer()
            let options = EnqueueOptions(maxAttempts: 3)
            let retried = try producer.enqueue(BuiltinJobs.Noop(), options: options, on: db.pool)
            let spent = try producer.enqueue(BuiltinJobs.Noop(), options: options, on: db.pool)
            let cancelled = try producer.enqueue(BuiltinJobs.Noop(), options: options, on: db.pool)
            let alive = try producer.enqueue(BuiltinJobs.Noop(), options: options, on: db.pool)
            try expire(retried, attempt: 2, ago: 30, in: db)
            try expire(spent, attempt: 3, ago: 20, in: db)
            try expire(cancelled, attempt: 1, ago: 10, cancel: true, in: db)
            try expire(alive, attempt: 1, ago: -30, in: db)

            let rescuer = Rescuer(configuration: .init(batchSize: 2, retryPolicy: RetryPolicy(base: .seconds(10), factor: 3, jitter: 0)))
            let connection = try db.connect()
            let first = try rescuer.runOnce(on: connection)
            #expect(first == Rescuer.Result(retrying: 1, discarded: 1, cancelled: 0, batchFull: true), "the two oldest leases first")
            let second = try rescuer.runOnce(on: connection)
            #expect(second == Rescuer.Result(retrying: 0, discarded: 0, cancelled: 1, batchFull: false))
            #expect(try rescuer.runOnce(on: connection) == Rescuer.Result())

            #expect(try state(of: retried, in: db) == "retryable")
            // After the second attempt: 10 s × 3^(2−1), no jitter.
            let wait: Double = try db.pool.query(
                "SELECT extract(epoch FROM scheduled_at - now())::float8 AS wait FROM kheo.all_jobs WHERE id = $1", retried
            ).single().decode("wait")
            #expect((29...30).contains(wait), "\(wait)")
            #expect(try state(of: spent, in: db) == "discarded")
            #expect(try state(of: cancelled, in: db) == "cancelled")
            #expect(try state(of: alive, in: db) == "running", "a live lease is left alone")
            let errors = try db.pool.query(
                "SELECT errors->-1->>'type' AS type, errors->-1->>'error' AS error FROM kheo.all_jobs WHERE id IN ($1, $2, $3) ORDER BY id",
                retried, spent, cancelled
            ).map { (try $0.decode("type", as: String.self), try $0.decode("error", as: String.self)) }
            #expect(errors.allSatisfy { $0.0 == "lease_expired" && $0.1.contains("expired at") })
            #expect(errors[1].1.contains("the last of its 3 attempts, so it is discarded"))
            #expect(!errors[0].1.contains("discarded") && !errors[2].1.contains("discarded"))
            #expect(try count("SELECT count(*) FROM kheo.all_jobs WHERE lease_owner IS NOT NULL", in: db) == 1)
        }
    }

    /// A job that has failed hundreds of times waits the policy's maximum; the
    /// exponent is capped before it could overflow.
    @Test func aJobWithHundredsOfAttemptsWaitsTheMaximum() throws {
        try TestDatabase.with { db in
            let id = try Producer().enqueue(BuiltinJobs.Noop(), options: EnqueueOptions(maxAttempts: 1000), on: db.pool)
            try expire(id, attempt: 999, ago: 1, in: db)
            let rescuer = Rescuer(configuration: .init(retryPolicy: RetryPolicy(base: .seconds(2), maximum: .seconds(3600), jitter: 0)))
            #expect(try rescuer.runOnce(on: db.connect()).retrying == 1)
            let wait: Double = try db.pool.query(
                "SELECT extract(epoch FROM scheduled_at - now())::float8 AS wait FROM kheo.all_jobs WHERE id = $1", id
            ).single().decode("wait")
            #expect((3599...3600).contains(wait), "\(wait)")
        }
    }

    /// As a maintenance service: a round rescues, says so, and comes back after its
    /// interval (at once when its batch was full).
    @Test func aRoundAsAMaintenanceService() throws {
        try TestDatabase.with { db in
            let ids = try (0..<3).map { _ in try Producer().enqueue(BuiltinJobs.Noop(), on: db.pool) }
            for id in ids { try expire(id, attempt: 1, ago: 5, in: db) }
            let now = Date()
            let rescuer = Rescuer(configuration: .init(batchSize: 2, interval: .seconds(15)))
            let full = try rescuer.round(now: now, pool: db.pool)
            #expect(full.nextRun == now && full.message != nil && full.metadata["retrying"] == "2")
            let rest = try rescuer.round(now: now, pool: db.pool)
            #expect(rest.nextRun == now.addingTimeInterval(15) && rest.metadata["retrying"] == "1")
            let idle = try rescuer.round(now: now, pool: db.pool)
            #expect(idle.message == nil)
        }
    }

    @Test func aConfigurationThatCannotWorkIsRefusedSayingWhy() {
        let bad: [(Rescuer.Configuration, String)] = [
            (.init(batchSize: 0), "batchSize must be 1 or more"),
            (.init(interval: .zero), "the interval must be above zero"),
            (.init(retryPolicy: RetryPolicy(factor: 0.5)), "factor must be 1 or more"),
            (.init(retryPolicy: RetryPolicy(jitter: 1)), "jitter must be at least 0 and below 1"),
            (.init(retryPolicy: RetryPolicy(base: .seconds(10), maximum: .seconds(5))), "at most its maximum"),
        ]
        for (configuration, reason) in bad {
            #expect(throws: RescuerConfigurationError.self) { try configuration.validate() }
            do {
                try configuration.validate()
            } catch {
                #expect(error.description.contains(reason), "\(error)")
            }
        }
        #expect(throws: Never.self) { try Rescuer.Configuration().validate() }
    }
}
