import Foundation
@testable import Kheo
import Testing

/// The worker's decisions, driven event by event with made-up instants: no database,
/// no threads, no sleeping. Each test is one rule of `WorkerStateMachine`; the races
/// the process tests provoke for real (a result arriving after a timeout, after a lost
/// lease, after a rescue gave the job to a later attempt) are played here in order.
@Suite struct WorkerStateMachineTests {
    typealias Machine = WorkerStateMachine<Int64>

    /// An action, reduced to what a test compares.
    enum Seen: Equatable {
        case expire(Int64, Machine.Verdict), handBack(Int64), connect, giveUp, promote, refreshDue
        case finishAndClaim(writes: [Machine.PendingWrite], claims: [Machine.Claim])
        case extendLeases([Machine.LeaseHolder]), rescue, checkDrained
        case sleep(Duration, finishedRuns: Int), exit(drained: Bool)

        var isRoundTrip: Bool { if case .finishAndClaim = self { true } else { false } }
    }

    /// Plays the driver: keeps the made-up time and answers the machine's database
    /// actions the way a test says the database would.
    struct Driver {
        var machine: Machine
        let start = ContinuousClock.now
        var elapsed = Duration.zero
        var now: ContinuousClock.Instant { start + elapsed }

        /// The jobs the next claims return, per queue, taken in order.
        var available: [String: [Machine.ClaimedJob]] = [:]
        var nextDueIn: Duration?
        var promotedCount = 0
        var promoteBatchFull = false
        var rescuedCount = 0
        var rescueBatchFull = false
        var queuesHoldWork = true
        var connectionWorks = true
        /// Queues whose limits the next claims say held jobs back (`kheo.claim_limited`).
        var heldBack: [String: Duration?] = [:]
        /// How long each finish-and-claim round trip takes.
        var roundTrip = Duration.milliseconds(2)
        /// Written ids the server refuses (the lease is gone).
        var fencedIDs: Set<Int64> = []
        /// Running ids whose leases the server no longer holds, and ones cancelled.
        var lostLeases: Set<Int64> = []
        var cancelledByOperator: Set<Int64> = []
        /// When set, the next database action throws, with the connection open or broken.
        var failNextStatement: (open: Bool, Void)?
        var lastFailure: Machine.FailureResponse?

        init(
            queues: [(String, Int)] = [("default", 4)], lease: Duration = .seconds(30), poll: Duration = .seconds(1),
            batchWindow: Duration = .milliseconds(5), stopWhenEmpty: Bool = false
        ) {
            let configuration = WorkerConfiguration(
                queues: queues.map { .init($0.0, concurrency: $0.1) }, leaseDuration: lease, pollInterval: poll,
                retryPolicy: RetryPolicy(base: .seconds(2), factor: 2, jitter: 0), batchWindow: batchWindow, stopWhenEmpty: stopWhenEmpty
            )
            machine = Machine(settings: .init(configuration, nodeID: "node-a"), now: start)
            #expect(machine.connected(now: start) == false)
        }

        mutating func advance(_ duration: Duration) { elapsed += duration }

        /// One turn: every action up to and including the sleep (or exit).
        mutating func turn() -> [Seen] {
            machine.beginTurn()
            var seen: [Seen] = []
            while true {
                let action = machine.nextAction(now: now)
                let one = answer(action)
                seen.append(one)
                switch one {
                case .sleep, .exit, .giveUp: return seen
                default: precondition(seen.count < 1000, "the machine never slept")
                }
            }
        }

        private mutating func answer(_ action: Machine.Action) -> Seen {
            if let failure = failNextStatement, action.touchesDatabase {
                failNextStatement = nil
                lastFailure = machine.databaseFailed(connectionOpen: failure.open, now: now)
                return Self.seen(action)
            }
            switch action {
            case .connect:
                if connectionWorks { _ = machine.connected(now: now) } else { _ = machine.connectFailed(now: now) }
            case .promoteDue:
                machine.promoted(promotedCount, batchFull: promoteBatchFull, now: now)
            case .refreshNextDue:
                machine.learnedNextDue(in: nextDueIn, now: now)
            case .finishAndClaim(let writes, let claims):
                var jobs: [Machine.ClaimedJob] = []
                for claim in claims {
                    let queue = available[claim.queue] ?? []
                    jobs += queue.prefix(claim.slots)
                    available[claim.queue] = Array(queue.dropFirst(claim.slots))
                }
                let finished = writes.map(\.id).filter { !fencedIDs.contains($0) }
                _ = machine.claimReturned(
                    writes: writes, claims: claims, finished: finished, jobs: jobs, roundTrip: roundTrip, now: now, heldBack: heldBack
                )
            case .extendLeases(let sent):
                let held = sent.filter { !lostLeases.contains($0.id) }.map { ($0.id, cancelledByOperator.contains($0.id)) }
                _ = machine.leasesExtended(sent: sent, held: held)
            case .rescue:
                machine.rescued(rescuedCount, batchFull: rescueBatchFull, now: now)
            case .checkDrained:
                machine.drainChecked(pending: queuesHoldWork)
            case .expire, .handBack, .giveUp, .sleep, .exit:
                break
            }
            return Self.seen(action)
        }

        static func seen(_ action: Machine.Action) -> Seen {
            switch action {
            case .expire(let id, let verdict, _): .expire(id, verdict)
            case .handBack(let id): .handBack(id)
            case .connect: .connect
            case .giveUp: .giveUp
            case .promoteDue: .promote
            case .refreshNextDue: .refreshDue
            case .finishAndClaim(let writes, let claims): .finishAndClaim(writes: writes, claims: claims)
            case .extendLeases(let leases): .extendLeases(leases)
            case .rescue: .rescue
            case .checkDrained: .checkDrained
            case .sleep(let duration, let runs): .sleep(duration, finishedRuns: runs)
            case .exit(let drained): .exit(drained: drained)
            }
        }

        /// Reports a handler's result, as the mailbox would.
        mutating func finish(_ id: Int64, attempt: Int = 1, _ outcome: RunOutcome) -> Machine.Verdict? {
            machine.runFinished(id: id, attempt: attempt, outcome: outcome, now: now)?.1
        }

        /// Turns until the machine is idle: the start-up turn, its claims answered.
        mutating func settle() {
            _ = turn()
        }
    }

    static func job(
        _ id: Int64, queue: String = "default", attempt: Int = 1, maxAttempts: Int = 3, priority: Int32 = 1,
        timeout: Duration = .seconds(60), retryDelay: Duration? = nil
    ) -> Machine.ClaimedJob {
        Machine.ClaimedJob(
            id: id, queue: queue, attempt: attempt, maxAttempts: maxAttempts,
            position: ClaimCursor(priority: priority, scheduledMicroseconds: id * 1000, id: id),
            handler: .known(timeout: timeout, retryDelay: { _ in retryDelay }, handle: id)
        )
    }

    static func write(_ id: Int64, _ state: JobState, attempt: Int32 = 1, delay: Duration = .zero, error: String = "") -> Machine.PendingWrite {
        Machine.PendingWrite(id: id, attempt: attempt, state: state, delayMicroseconds: delay.inMicroseconds, errorJSON: error)
    }

    static func claim(_ slots: Int, queue: String = "default", after: ClaimCursor = .head) -> Machine.Claim {
        Machine.Claim(queue: queue, slots: slots, after: after)
    }

    // MARK: - Claims

    @Test func anIdleNodeSleepsUntilItsPollAndClaimsAtOnceWhenANotificationComes() {
        var driver = Driver()
        #expect(driver.turn() == [.refreshDue, .finishAndClaim(writes: [], claims: [Self.claim(4)]), .rescue, .sleep(.seconds(1), finishedRuns: 1)])
        driver.advance(.milliseconds(300))
        driver.machine.queuesWoken(["default", "not-served"], now: driver.now)
        driver.available["default"] = [Self.job(1)]
        #expect(driver.turn() == [.finishAndClaim(writes: [], claims: [Self.claim(4)]), .sleep(.milliseconds(50), finishedRuns: 1)])
        #expect(driver.machine.running.keys.sorted() == [1])
        #expect(driver.machine.slots["default"]?.free.count == 3)
    }

    @Test func aFullClaimMovesTheCursorPastItsLastJobAndAShortOneGoesBackToTheHead() {
        var driver = Driver(queues: [("default", 2)])
        driver.available["default"] = [Self.job(1), Self.job(2), Self.job(3)]
        _ = driver.turn()
        let past2 = ClaimCursor(priority: 1, scheduledMicroseconds: 2000, id: 2)
        #expect(driver.machine.slots["default"]?.cursor == past2)
        #expect(driver.machine.slots["default"]?.wantsClaim == true)
        _ = driver.finish(1, .completed)
        _ = driver.finish(2, .completed)
        driver.advance(.milliseconds(10))
        let next = driver.turn()
        #expect(next.first == .finishAndClaim(writes: [Self.write(1, .completed), Self.write(2, .completed)], claims: [Self.claim(2, after: past2)]))
        // Only job 3 was left: the claim came back short past the cursor, so the next
        // one reads from the head in case a retry came due before it.
        #expect(driver.machine.slots["default"]?.cursor == .head)
        #expect(driver.machine.slots["default"]?.wantsClaim == true)
        _ = driver.finish(3, .completed)
        driver.advance(.milliseconds(10))
        #expect(driver.turn().first == .finishAndClaim(writes: [Self.write(3, .completed)], claims: [Self.claim(2)]))
        // Short from the head: the queue is empty until a notification or the poll.
        #expect(driver.machine.slots["default"]?.wantsClaim == false)
    }

    /// A queue whose limits held jobs back claims again exactly when a rate window
    /// admits the next start, every `limitRecheckInterval` while jobs wait for running
    /// ones to finish elsewhere, and at once when one of its own runs finishes; it does
    /// not spin in between.
    @Test func aQueueHeldBackByItsLimitsClaimsAgainWhenTheyMayAdmitAJob() {
        var driver = Driver(queues: [("limited", 4)])
        driver.available["limited"] = [Self.job(1, queue: "limited")]
        driver.heldBack = ["limited": .milliseconds(700)]
        #expect(driver.turn().last == .sleep(.milliseconds(700), finishedRuns: 1))
        #expect(driver.machine.slots["limited"]?.wantsClaim == false)
        driver.advance(.milliseconds(700))
        driver.heldBack = ["limited": nil]
        #expect(driver.turn() == [.finishAndClaim(writes: [], claims: [Self.claim(3, queue: "limited")]), .sleep(.milliseconds(100), finishedRuns: 1)])
        driver.advance(.milliseconds(40))
        _ = driver.finish(1, .completed)
        #expect(driver.turn().first == .finishAndClaim(writes: [Self.write(1, .completed)], claims: [Self.claim(4, queue: "limited")]))
        // No longer held back: the queue waits for a notification or the poll.
        driver.heldBack = [:]
        driver.advance(.milliseconds(100))
        _ = driver.turn()
        #expect(driver.machine.slots["limited"]?.heldBackUntil == nil)
    }

    @Test func aCursorOlderThanItsMaximumAgeReadsFromTheHeadAgain() {
        var driver = Driver(queues: [("default", 1)])
        driver.available["default"] = [Self.job(1), Self.job(2)]
        _ = driver.turn()
        #expect(driver.machine.slots["default"]?.cursor.isHead == false)
        driver.advance(ClaimCursor.maximumAge)
        _ = driver.finish(1, .completed)
        #expect(driver.turn().contains(.finishAndClaim(writes: [Self.write(1, .completed)], claims: [Self.claim(1)])))
    }

    @Test func aCursorStandsTwentyHeadReadsLongBetweenOneSecondAndTenAndAHeadReadOver10msIsSlow() {
        #expect(ClaimCursor.headInterval(afterHeadReadOf: .milliseconds(2)) == .seconds(1))
        #expect(ClaimCursor.headInterval(afterHeadReadOf: .milliseconds(100)) == .seconds(2))
        #expect(ClaimCursor.headInterval(afterHeadReadOf: .seconds(1)) == .seconds(10))
        #expect(!ClaimCursor.headReadsAreSlow(.milliseconds(10)))
        #expect(ClaimCursor.headReadsAreSlow(.milliseconds(11)))
    }

    /// A long transaction elsewhere makes reads from the head slow: the cursor stands
    /// twenty such reads long, and a claim that comes back short keeps it, so a trickle
    /// of jobs is claimed past it instead of stepping over the head's dead entries.
    @Test func whileReadsFromTheHeadAreSlowAShortClaimKeepsItsCursor() {
        var driver = Driver(queues: [("default", 2)])
        driver.roundTrip = .milliseconds(100)
        driver.available["default"] = [Self.job(1), Self.job(2), Self.job(3)]
        _ = driver.turn()
        let past2 = ClaimCursor(priority: 1, scheduledMicroseconds: 2000, id: 2)
        let past3 = ClaimCursor(priority: 1, scheduledMicroseconds: 3000, id: 3)
        #expect(driver.machine.slots["default"]?.headInterval == .seconds(2))
        _ = driver.finish(1, .completed)
        _ = driver.finish(2, .completed)
        driver.advance(.milliseconds(10))
        #expect(driver.turn().first == .finishAndClaim(writes: [Self.write(1, .completed), Self.write(2, .completed)], claims: [Self.claim(2, after: past2)]))
        // Short past the cursor: it moves past job 3 and stays; nothing more is claimed
        // until a notification or the poll.
        #expect(driver.machine.slots["default"]?.cursor == past3)
        #expect(driver.machine.slots["default"]?.wantsClaim == false)
        _ = driver.finish(3, .completed)
        driver.advance(.milliseconds(10))
        #expect(driver.turn().first == .finishAndClaim(writes: [Self.write(3, .completed)], claims: []))
        // A job sent 1.5 s after the read from the head is claimed past the cursor.
        driver.advance(.milliseconds(1480))
        driver.machine.queuesWoken(["default"], now: driver.now)
        driver.available["default"] = [Self.job(4)]
        #expect(driver.turn().contains(.finishAndClaim(writes: [], claims: [Self.claim(2, after: past3)])))
        // Two seconds after it, the next claim reads from the head again.
        _ = driver.finish(4, .completed)
        driver.advance(.milliseconds(500))
        driver.machine.queuesWoken(["default"], now: driver.now)
        #expect(driver.turn().contains(.finishAndClaim(writes: [Self.write(4, .completed)], claims: [Self.claim(2)])))
    }

    /// A read from the head that finds nothing says every job was claimed: the cursor
    /// it had is still good, and the next claim starts from it, not from the head.
    @Test func whileReadsFromTheHeadAreSlowAnEmptyReadThereKeepsTheCursor() {
        var driver = Driver(queues: [("default", 2)])
        driver.roundTrip = .milliseconds(100)
        driver.available["default"] = [Self.job(1)]
        _ = driver.turn()
        let past1 = ClaimCursor(priority: 1, scheduledMicroseconds: 1000, id: 1)
        #expect(driver.machine.slots["default"]?.cursor == past1)
        _ = driver.finish(1, .completed)
        driver.advance(.seconds(3))
        // The poll: the cursor is older than its interval, so the claim reads from the head.
        #expect(driver.turn().contains(.finishAndClaim(writes: [Self.write(1, .completed)], claims: [Self.claim(2)])))
        #expect(driver.machine.slots["default"]?.cursor == past1)
        driver.advance(.milliseconds(500))
        driver.machine.queuesWoken(["default"], now: driver.now)
        driver.available["default"] = [Self.job(2)]
        #expect(driver.turn().contains(.finishAndClaim(writes: [], claims: [Self.claim(2, after: past1)])))
    }

    /// Promoted jobs keep their scheduled times, before any cursor: whatever reads from
    /// the head cost, the claim after this node promotes reads from there.
    @Test func theClaimAfterThisNodePromotesJobsReadsFromTheHead() {
        var driver = Driver(queues: [("default", 2)])
        driver.roundTrip = .milliseconds(100)
        driver.available["default"] = [Self.job(1)]
        _ = driver.turn()
        #expect(driver.machine.slots["default"]?.cursor.isHead == false)
        driver.advance(.milliseconds(100))
        driver.machine.learnedNextDue(in: .zero, now: driver.now)
        driver.promotedCount = 1
        let seen = driver.turn()
        #expect(seen.first == .promote)
        #expect(seen.contains(.finishAndClaim(writes: [], claims: [Self.claim(1)])))
    }

    @Test func aBusyNodeLetsOutcomesGatherForTheBatchWindowButALoneOneGoesAtOnce() {
        var driver = Driver(queues: [("default", 8)])
        driver.available["default"] = (1...8).map { Self.job($0) }
        _ = driver.turn()
        #expect(driver.machine.running.count == 8)
        driver.advance(.milliseconds(1))
        _ = driver.finish(1, .completed)
        // Seven still run: one outcome waits out the 5 ms window, and the loop asks to be
        // woken early only when three more finish (four writes make a round trip due).
        #expect(driver.turn() == [.sleep(.milliseconds(4), finishedRuns: 3)])
        for id: Int64 in 2...4 { _ = driver.finish(id, .completed) }
        #expect(driver.turn().first?.isRoundTrip == true)

        var quiet = Driver(queues: [("default", 8)])
        quiet.available["default"] = [Self.job(1)]
        _ = quiet.turn()
        quiet.advance(.milliseconds(1))
        _ = quiet.finish(1, .completed)
        // One job running of eight slots: its outcome does not wait for company.
        #expect(quiet.turn().first == .finishAndClaim(writes: [Self.write(1, .completed)], claims: []))
    }

    // MARK: - Outcomes

    @Test func eachOutcomeBecomesItsWrite() throws {
        var driver = Driver(queues: [("default", 10)])
        driver.available["default"] = [
            Self.job(1), Self.job(2), Self.job(3, attempt: 3, maxAttempts: 3), Self.job(4), Self.job(5), Self.job(6), Self.job(7),
            Self.job(8, attempt: 2, retryDelay: .seconds(7)),
        ]
        _ = driver.turn()
        #expect(driver.finish(1, .completed) == .completed)
        #expect(driver.finish(2, .failed(message: "boom", type: "error")) == .retry(after: .seconds(2), message: "boom"))
        #expect(driver.finish(3, attempt: 3, .failed(message: "boom", type: "error")) == .discardedAfterLastAttempt(message: "boom"))
        #expect(driver.finish(4, .snoozed(.seconds(30))) == .snoozed(.seconds(30)))
        #expect(driver.finish(5, .cancelled(reason: "no longer needed")) == .cancelled(reason: "no longer needed"))
        #expect(driver.finish(6, .discarded(reason: "bad", type: "undecodable_args")) == .discarded(reason: "bad"))
        #expect(driver.finish(7, .completedInTransaction) == .completedInTransaction)
        // The kind's own retry delay wins over the node's policy.
        #expect(driver.finish(8, attempt: 2, .failed(message: "later", type: "error")) == .retry(after: .seconds(7), message: "later"))
        let writes = driver.machine.pending
        #expect(writes.map(\.id) == [1, 2, 3, 4, 5, 6, 8])
        #expect(writes.map(\.state) == [.completed, .retryable, .discarded, .scheduled, .cancelled, .discarded, .retryable])
        #expect(writes.map(\.delayMicroseconds) == [0, 2_000_000, 0, 30_000_000, 0, 0, 7_000_000])
        let error = try #require(JSONSerialization.jsonObject(with: Data(writes[1].errorJSON.utf8)) as? [String: Any])
        #expect(error["error"] as? String == "boom" && error["node"] as? String == "node-a" && error["attempt"] as? Int == 1)
        // A retry in 2 s: an idle loop wakes for it.
        #expect(driver.machine.nextDue == driver.now + .seconds(2))
    }

    @Test func anOperatorsCancelEndsTheRunCancelledUnlessItCompletesAnyway() {
        var driver = Driver()
        driver.available["default"] = [Self.job(1), Self.job(2), Self.job(3)]
        _ = driver.turn()
        let first = driver.machine.cancelRequested(1)
        let second = driver.machine.cancelRequested(1)
        let elsewhere = driver.machine.cancelRequested(99)
        #expect(first == 1)
        #expect(second == nil, "a second request tells the handler nothing new")
        #expect(elsewhere == nil, "a job running elsewhere is not ours to stop")
        #expect(driver.finish(1, .failed(message: "stopped", type: "stopped")) == .cancelled(reason: "cancelled by an operator while it ran"))
        _ = driver.machine.cancelRequested(2)
        #expect(driver.finish(2, .completed) == .completed)
        _ = driver.machine.cancelRequested(3)
        #expect(driver.finish(3, .snoozed(.seconds(5))) == .cancelled(reason: "cancelled by an operator while it ran"))
    }

    // MARK: - Races the fencing tests provoke for real

    @Test func aRunPastItsTimeoutFailsFreesItsSlotAndItsLateResultIsIgnored() {
        var driver = Driver()
        driver.available["default"] = [Self.job(1, timeout: .seconds(2))]
        let first = driver.turn()
        #expect(first.last == .sleep(.seconds(1), finishedRuns: 1))
        driver.advance(.seconds(1))
        // The poll comes first; the next wake-up is the timeout itself.
        #expect(driver.turn().last == .sleep(.seconds(1), finishedRuns: 1))
        driver.advance(.seconds(1))
        let expired = driver.turn()
        #expect(expired.first == .expire(1, .retry(after: .seconds(2), message: "the attempt ran past its timeout of 2.0 seconds")))
        #expect(driver.machine.running.isEmpty && driver.machine.slots["default"]?.free.count == 4)
        #expect(driver.finish(1, .completed) == nil, "the runaway handler's completion must not be written")
        #expect(driver.machine.pending.isEmpty, "the failure was written in the turn that expired it")
    }

    @Test func aRunWhoseLeaseIsLostIsAbandonedAndNeitherItsResultNorAnOlderAttemptsIsWritten() {
        var driver = Driver(lease: .seconds(3))
        driver.available["default"] = [Self.job(1), Self.job(2)]
        _ = driver.turn()
        driver.lostLeases = [1]
        driver.advance(.seconds(1))
        let turn = driver.turn()
        #expect(turn.contains(.extendLeases([.init(id: 1, attempt: 1), .init(id: 2, attempt: 1)])))
        #expect(driver.machine.running.keys.sorted() == [2])
        #expect(driver.finish(1, .completed) == nil, "the frozen run's late result")
        // Another node's rescue gave job 1 a second attempt, which this node now claims.
        driver.machine.queuesWoken(["default"], now: driver.now)
        driver.available["default"] = [Self.job(1, attempt: 2)]
        _ = driver.turn()
        #expect(driver.machine.running[1]?.attempt == 2)
        #expect(driver.finish(1, attempt: 1, .completed) == nil, "attempt 1's result cannot finish attempt 2")
        #expect(driver.finish(1, attempt: 2, .completed) == .completed)
    }

    @Test func writesTheServerRefusedAreReportedAsFencedAndNotSentAgain() {
        var driver = Driver()
        driver.available["default"] = [Self.job(1), Self.job(2)]
        _ = driver.turn()
        _ = driver.finish(1, .completed)
        _ = driver.finish(2, .completed)
        let writes = driver.machine.pending
        let report = driver.machine.claimReturned(writes: writes, claims: [], finished: [2], jobs: [], roundTrip: .milliseconds(2), now: driver.now)
        #expect(report.fenced == [Self.write(1, .completed)])
        #expect(driver.machine.pending.isEmpty)
    }

    @Test func aJobOfAnUnknownKindIsDiscardedWithoutTakingASlot() throws {
        var driver = Driver(queues: [("default", 2)])
        let unknown = Machine.ClaimedJob(
            id: 9, queue: "default", attempt: 1, maxAttempts: 3, position: .init(priority: 1, scheduledMicroseconds: 1, id: 9),
            handler: .unknown(message: "no handler for kind x")
        )
        let report = driver.machine.claimReturned(
            writes: [], claims: [Self.claim(2)], finished: [], jobs: [unknown, Self.job(10)], roundTrip: .milliseconds(2), now: driver.now
        )
        #expect(report.started == [10])
        #expect(driver.machine.slots["default"]?.free.count == 1)
        let write = try #require(driver.machine.pending.first)
        #expect(write.id == 9 && write.state == .discarded && write.errorJSON.contains("unknown_kind"))
    }

    // MARK: - Stopping

    @Test func aStopClaimsNothingMoreAndHandsBackWhatStillRunsAfterTheGrace() {
        var driver = Driver(poll: .seconds(10))
        driver.available["default"] = [Self.job(1), Self.job(2)]
        _ = driver.turn()
        let first = driver.machine.stopRequested(grace: .seconds(2), now: driver.now)
        let second = driver.machine.stopRequested(grace: .seconds(60), now: driver.now)
        #expect(first && !second, "the first grace stands")
        _ = driver.finish(1, .completed)
        driver.available["default"] = [Self.job(3)]
        #expect(driver.turn().first == .finishAndClaim(writes: [Self.write(1, .completed)], claims: []))
        driver.advance(.seconds(2))
        let last = driver.turn()
        #expect(last == [.handBack(2), .finishAndClaim(writes: [Self.write(2, .available)], claims: []), .exit(drained: false)])
        #expect(driver.finish(2, .completed) == nil)
    }

    @Test func aStoppingNodeWhoseDatabaseStaysAwayGivesUpAfterFiveSeconds() {
        var driver = Driver()
        driver.settle()
        _ = driver.machine.stopRequested(grace: .seconds(1), now: driver.now)
        driver.failNextStatement = (open: false, ())
        driver.connectionWorks = false
        driver.advance(.seconds(1))
        _ = driver.turn()
        driver.advance(.seconds(5))
        #expect(driver.turn().last == .giveUp)
    }

    @Test func withStopWhenEmptyTheDatabaseIsAskedOnlyWhenNothingIsLeftHere() {
        var driver = Driver(stopWhenEmpty: true)
        driver.available["default"] = [Self.job(1)]
        let busy = driver.turn()
        #expect(!busy.contains(.checkDrained), "a job runs here")
        _ = driver.finish(1, .completed)
        driver.queuesHoldWork = true
        let written = driver.turn()
        #expect(written.contains(.checkDrained))
        driver.queuesHoldWork = false
        let soon = driver.turn()
        #expect(!soon.contains(.checkDrained), "at most every 100 ms")
        driver.advance(.milliseconds(100))
        #expect(driver.turn().suffix(2) == [.checkDrained, .exit(drained: true)])
    }

    // MARK: - Connection

    @Test func aBrokenConnectionKeepsTheWritesAndReconnectsWithADoublingBackoff() {
        var driver = Driver()
        driver.available["default"] = [Self.job(1)]
        _ = driver.turn()
        _ = driver.finish(1, .completed)
        driver.failNextStatement = (open: false, ())
        _ = driver.turn()
        #expect(driver.lastFailure == .reconnect(after: .milliseconds(100)))
        #expect(driver.machine.pending == [Self.write(1, .completed)])
        driver.connectionWorks = false
        var waits: [Duration] = []
        for _ in 0..<8 {
            driver.advance(driver.machine.reconnectAt.map { driver.now.duration(to: $0) } ?? .zero)
            #expect(driver.turn().first == .connect)
            waits.append(driver.now.duration(to: driver.machine.reconnectAt!))
        }
        #expect(waits.map(\.inMilliseconds) == [100, 200, 400, 800, 1600, 3200, 5000, 5000])
        driver.connectionWorks = true
        driver.advance(.seconds(5))
        let back = driver.turn()
        #expect(back.first == .connect)
        #expect(back.contains(.finishAndClaim(writes: [Self.write(1, .completed)], claims: [Self.claim(4)])), "the kept write is sent again")
    }

    @Test func aFailedStatementOnALiveConnectionDropsItsWritesAndReplacesTheConnection() {
        var driver = Driver()
        driver.available["default"] = [Self.job(1)]
        _ = driver.turn()
        _ = driver.finish(1, .completed)
        driver.failNextStatement = (open: true, ())
        _ = driver.turn()
        #expect(driver.lastFailure == .replaceConnection(droppedWrites: 1))
        #expect(driver.machine.pending.isEmpty)
        #expect(driver.machine.reconnectAt == driver.now + .seconds(1))
    }

    // MARK: - Time-driven steps

    @Test func dueJobsArePromotedWhenTheirTimeComesAndAFullBatchPromotesAgain() {
        var driver = Driver()
        driver.nextDueIn = .milliseconds(700)
        #expect(driver.turn().last == .sleep(.milliseconds(700), finishedRuns: 1))
        driver.advance(.milliseconds(700))
        driver.promotedCount = 1000
        driver.promoteBatchFull = true
        #expect(driver.turn().first == .promote)
        driver.promotedCount = 3
        driver.promoteBatchFull = false
        driver.nextDueIn = nil
        let again = driver.turn()
        #expect(again.prefix(2) == [.promote, .refreshDue], "a full batch left more due at once; a short one asks for the next due time")
        #expect(again.contains { $0.isRoundTrip }, "promoted jobs are claimed in the same turn")
        #expect(driver.machine.nextDue == nil)
    }

    @Test func notificationsAskForTheNextDueTimeAtMostEveryFiftyMilliseconds() {
        var driver = Driver()
        driver.settle()
        driver.machine.queuesWoken(["default"], now: driver.now)
        driver.advance(.milliseconds(20))
        driver.machine.queuesWoken(["default"], now: driver.now)
        #expect(driver.machine.dueRefreshAt == driver.start + .milliseconds(50))
    }

    @Test func aListenerThatReconnectedMakesEveryQueueWorthAClaim() {
        var driver = Driver(queues: [("a", 2), ("b", 2)])
        driver.settle()
        #expect(driver.machine.slots.values.allSatisfy { !$0.wantsClaim }, "both came back empty")
        driver.machine.everyQueueWoken()
        #expect(driver.turn().first == .finishAndClaim(writes: [], claims: [Self.claim(2, queue: "a"), Self.claim(2, queue: "b")]))
    }

    @Test func leasesAreExtendedEveryThirdOfTheLeaseAndAMissedCancelIsCaughtThere() {
        var driver = Driver(lease: .seconds(3), poll: .seconds(10))
        driver.available["default"] = [Self.job(1)]
        _ = driver.turn()
        driver.advance(.milliseconds(999))
        #expect(!driver.turn().contains { if case .extendLeases = $0 { true } else { false } })
        driver.advance(.milliseconds(1))
        driver.cancelledByOperator = [1]
        #expect(driver.turn().contains(.extendLeases([.init(id: 1, attempt: 1)])))
        #expect(driver.machine.running[1]?.stopReason == .cancelled)
    }

    @Test func rescueRunsEveryIntervalAndAtOnceAgainAfterAFullBatch() {
        var driver = Driver(lease: .seconds(10))
        #expect(driver.turn().contains(.rescue))
        driver.advance(.seconds(1))
        #expect(!driver.turn().contains(.rescue), "the interval is a fifth of the lease")
        driver.advance(.seconds(1))
        driver.rescuedCount = 500
        driver.rescueBatchFull = true
        #expect(driver.turn().contains(.rescue))
        driver.rescuedCount = 0
        #expect(driver.turn().contains(.refreshDue), "rescued jobs are due after their backoff")
        #expect(driver.machine.nextRescue == driver.now + .seconds(2))
    }

    @Test func aBusyNodeIsWokenWhenEnoughRunsFinishToFillHalfAQueue() {
        var driver = Driver(queues: [("default", 20)], batchWindow: .milliseconds(5))
        driver.available["default"] = (1...20).map { Self.job($0) }
        let full = driver.turn()
        // Twenty running, none free: ten finished runs make the next claim worth it.
        #expect(full.last == .sleep(.seconds(1), finishedRuns: 10))
    }
}

extension WorkerStateMachine.Action {
    var touchesDatabase: Bool {
        switch self {
        case .promoteDue, .refreshNextDue, .finishAndClaim, .extendLeases, .rescue, .checkDrained: true
        case .expire, .handBack, .connect, .giveUp, .sleep, .exit: false
        }
    }
}
