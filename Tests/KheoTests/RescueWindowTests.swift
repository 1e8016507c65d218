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

    /// A lease a round skipped because its row was locked (a host cut off in the
    /// middle of committing, its transaction ended later by a timeout) is read again
    /// by the next rounds: the window does not move past it. It moved before, and the
    /// job waited for the minute's full round (59 s in the link-cut test).
    @Test func aLeaseSkippedWhileItsRowWasLockedIsRescuedByTheNextRound() throws {
        try TestDatabase.with { db in
            let skipped = try Producer().enqueue(BuiltinJobs.Noop(), on: db.pool)
            let rescuer = Rescuer()
            let connection = try db.connect()
            var window = RescueWindow()
            var now = ContinuousClock.now
            func round() throws -> Rescuer.Result {
                let since = window.since(now: now)
                let (result, checkedAt) = try rescuer.runOnce(on: connection, since: since)
                window.record(result, checkedAt: checkedAt, since: since, now: now)
                return result
            }
            #expect(try round().total == 0, "a first, full round finds nothing")
            try db.pool.query(
                """
                UPDATE kheo.jobs SET state = 'running', attempt = 1, attempted_at = now(), lease_owner = gen_random_uuid(),
                       lease_expires_at = now() - interval '0.5 seconds' WHERE id = $1
                """,
                skipped
            )
            let holder = try db.connect()
            try holder.execute(script: "BEGIN")
            _ = try holder.query("SELECT id FROM kheo.jobs WHERE id = $1 FOR UPDATE", skipped)
            Thread.sleep(forTimeInterval: 1.2)
            now += .seconds(1)
            let locked = try round()
            #expect(locked.total == 0 && locked.leftLocked, "the locked row is skipped, and said to be")
            try holder.execute(script: "ROLLBACK")
            now += .seconds(1)
            #expect(window.since(now: now) != nil, "a windowed round, not the minute's full one")
            #expect(try round().retrying == 1)
            #expect(try state(of: skipped, in: db) == "retryable")
        }
    }
}
