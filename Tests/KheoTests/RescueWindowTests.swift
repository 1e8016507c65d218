import Foundation
@testable import Kheo
import KheoTesting
import PostgresClient
import Testing

/// A worker's rescue rounds read only the leases that expired since its last round
/// looked, and every expired lease once a minute (`RescueWindow`).
@Suite struct RescueWindowTests {
    @Test func aRoundStartsASecondBeforeTheLastOneLookedAndEveryMinuteReadsEverything() {
        var window = RescueWindow()
        let start = ContinuousClock.now
        #expect(window.since(now: start) == nil, "the first round reads every expired lease")
        let looked = Date(timeIntervalSince1970: 1_000_000)
        window.record(Rescuer.Result(), checkedAt: looked, since: nil, now: start)
        #expect(window.since(now: start + .seconds(1)) == looked.addingTimeInterval(-1))
        // A full batch may have left expired leases behind: the next round starts where it did.
        let since = window.since(now: start + .seconds(2))
        window.record(Rescuer.Result(retrying: 1000, batchFull: true), checkedAt: looked.addingTimeInterval(2), since: since, now: start + .seconds(2))
        #expect(window.since(now: start + .seconds(3)) == looked.addingTimeInterval(-1))
        window.record(Rescuer.Result(), checkedAt: looked.addingTimeInterval(3), since: since, now: start + .seconds(3))
        #expect(window.since(now: start + .seconds(4)) == looked.addingTimeInterval(2))
        #expect(window.since(now: start + RescueWindow.fullRoundInterval) == nil, "a minute after the last full round")
    }

    /// A lease a round skipped (its row was locked) and that expired before the next
    /// round's window waits for the minute's full round; one that expired since is
    /// rescued by the next round.
    @Test func aWindowedRoundLeavesOlderExpiriesToTheFullRound() throws {
        try TestDatabase.with { db in
            let producer = Producer()
            let skipped = try producer.enqueue(BuiltinJobs.Noop(), on: db.pool)
            let later = try producer.enqueue(BuiltinJobs.Noop(), on: db.pool)
            let expire = """
                UPDATE kheo.jobs SET state = 'running', attempt = 1, attempted_at = now(), lease_owner = gen_random_uuid(),
                       lease_expires_at = now() - make_interval(secs => $2) WHERE id = $1
                """
            try db.pool.query(expire, skipped, 30.0)
            let rescuer = Rescuer()
            let connection = try db.connect()
            let holder = try db.connect()
            try holder.execute(script: "BEGIN")
            _ = try holder.query("SELECT id FROM kheo.jobs WHERE id = $1 FOR UPDATE", skipped)
            let full = try rescuer.runOnce(on: connection, since: nil)
            #expect(full.result.total == 0, "the locked row is skipped")
            try holder.execute(script: "COMMIT")

            try db.pool.query(expire, later, 0.2)
            let windowed = try rescuer.runOnce(on: connection, since: full.checkedAt.addingTimeInterval(-RescueWindow.overlap))
            #expect(windowed.result.retrying == 1)
            #expect(try state(of: later, in: db) == "retryable")
            #expect(try state(of: skipped, in: db) == "running", "expired before the window")
            #expect(try rescuer.runOnce(on: connection, since: nil).result.retrying == 1)
            #expect(try state(of: skipped, in: db) == "retryable")
        }
    }
}
