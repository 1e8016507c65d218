import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

/// The promoter on its own, one round at a time.
@Suite struct PromoterTests {
    @Test func aRoundPromotesWhatIsDueInBatchesAndSaysWhenTheNextIsDue() throws {
        try TestDatabase.with { db in
            let producer = Producer()
            let scheduled = try (0..<6).map { _ in try producer.enqueue(BuiltinJobs.Noop(), options: .init(schedule: .after(.seconds(60))), on: db.pool) }
            let due = Array(scheduled.prefix(5)), later = scheduled[5]
            // Their time came (a second ago), as if the clock had moved on.
            try db.pool.query("UPDATE kheo.jobs SET scheduled_at = now() - interval '1 second' WHERE id = ANY($1::int8[])", due)
            let promoter = Promoter(configuration: .init(batchSize: 3))
            try promoter.configuration.validate()

            let first = try db.pool.withConnection { try promoter.runOnce(on: $0) }
            #expect(first == .init(promoted: 3, batchFull: true, nextDueIn: .zero), "a full batch: more are due now")
            let second = try db.pool.withConnection { try promoter.runOnce(on: $0) }
            #expect(second.promoted == 2 && !second.batchFull)
            let wait = try #require(second.nextDueIn)
            #expect(wait > .seconds(55) && wait <= .seconds(60), "the job scheduled in a minute: \(wait)")
            let states = try db.pool.query("SELECT id, state::text AS state FROM kheo.all_jobs ORDER BY id").map {
                (try $0.decode("id", as: Int64.self), try $0.decode("state", as: String.self))
            }
            #expect(states.filter { due.contains($0.0) }.allSatisfy { $0.1 == "available" })
            #expect(states.first { $0.0 == later }?.1 == "scheduled")

            // As a maintenance service: the next round comes at the interval at the latest.
            var service = promoter
            let now = Date()
            let round = try service.round(now: now, pool: db.pool)
            #expect(round.message == nil, "nothing was due")
            #expect(abs(round.nextRun.timeIntervalSince(now) - 1) < 0.01)
        }
    }

    @Test func aConfigurationThatCannotWorkIsRefused() {
        #expect(throws: PromoterConfigurationError.self) { try Promoter.Configuration(batchSize: 0).validate() }
        #expect(throws: PromoterConfigurationError.self) { try Promoter.Configuration(interval: .zero).validate() }
    }
}
