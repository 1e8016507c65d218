import Foundation

/// Every decision of a worker node's control loop, and nothing else: which slots are
/// free, which runs hold leases, which outcomes wait to be written, and when each
/// periodic step (poll, lease extension, rescue, promotion of due jobs) comes due.
///
/// It takes events (mail from handlers and the listener, the answers to its own
/// requests, a lost connection) with the driver's `now`, and answers with the next
/// `Action`. It never touches a clock, a socket or a thread, so its decisions run in
/// tests with made-up instants and no database (`WorkerStateMachineTests`). The driver,
/// `WorkerLoop`, owns the connection and the handlers and does what it is told.
///
/// A turn goes: `beginTurn`, then `nextAction` until it answers `.sleep` or `.exit`,
/// answering each database action with its event. The steps of a turn come in a fixed
/// order (timeouts, hand-backs, connection, due jobs, poll, outcomes and claims,
/// leases, rescue, the exit checks), each at most once per turn, so mail is read
/// between turns and no step can starve the others.
///
/// `Handle` is the driver's own per-run object (the handler's context), carried so the
/// driver needs no second map of running jobs.
struct WorkerStateMachine<Handle> {
    typealias Instant = ContinuousClock.Instant

    /// One queue's slots: a claim asks for as many jobs as there are free slots, so
    /// no more jobs run at once than the queue allows.
    struct Slots {
        let concurrency: Int
        var free: [Int]
        /// There may be jobs to claim: a notification came, a poll is due, or the last
        /// claim filled every slot it asked for.
        var wantsClaim = true
        /// Where the next claim reads the claim index from (see `JobSQL.finishAndClaim`):
        /// past the last job claimed here, or the head.
        var cursor = ClaimCursor.head
        /// When a claim last read from the head, and how long its round trip took: the
        /// cursor stands for `headInterval` after it.
        var headReadAt: Instant
        var headReadCost = Duration.zero
        /// The queue's limits held jobs back at the last claim (`kheo.claim_limited`):
        /// claim again at this instant, when a running job may have finished or a rate
        /// window admits the next start.
        var heldBackUntil: Instant?

        var headInterval: Duration { ClaimCursor.headInterval(afterHeadReadOf: headReadCost) }

        var canClaim: Bool { wantsClaim && !free.isEmpty }
        /// Enough free slots to claim without waiting for the batch window.
        var claimNow: Bool { wantsClaim && free.count >= batchThreshold }
        var batchThreshold: Int { max(1, concurrency / 2) }
    }

    /// A job running on this node.
    struct Run {
        let handle: Handle
        let id: Int64
        let attempt: Int
        let maxAttempts: Int
        let queue: String
        let slot: Int
        let started: Instant
        let deadline: Instant
        let retryDelay: @Sendable (Int) -> Duration?
        /// Set once the handler was told to stop.
        var stopReason: JobContext.StopReason?
    }

    enum Step: Int, Comparable {
        case timeouts, handBack, connection, promote, poll, refreshDue, roundTrip, lease, rescue, finish, sleep

        static func < (lhs: Step, rhs: Step) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// A reconnect's first wait; it doubles up to `maximumReconnectBackoff`.
    static var firstReconnectBackoff: Duration { .milliseconds(100) }
    static var maximumReconnectBackoff: Duration { .seconds(5) }
    /// How long a stopping node waits for an unreachable database before giving up.
    static var unreachableGrace: Duration { .seconds(5) }
    /// How often an idle node with `stopWhenEmpty` asks whether the queues are empty.
    static var emptinessCheckInterval: Duration { .milliseconds(100) }
    /// However fast notifications come, the next due time is asked at most this often.
    static var dueRefreshDebounce: Duration { .milliseconds(50) }

    let settings: Settings
    let queueNames: [String]
    /// Outcomes that are worth a round trip of their own without waiting.
    let writeBatchThreshold: Int

    var slots: [String: Slots] = [:]
    var running: [Int64: Run] = [:]
    var pending: [PendingWrite] = []
    var isConnected = false
    var stopDeadline: Instant?

    var nextPoll: Instant
    var nextLeaseExtension: Instant
    var nextRescue: Instant
    var nextDue: Instant?
    var dueRefreshAt: Instant?
    var reconnectAt: Instant?
    var reconnectBackoff = Self.firstReconnectBackoff
    var nextEmptinessCheck: Instant
    /// When the last finish-and-claim round trip went (see `batchWindow`).
    var lastRoundTrip: Instant
    var step = Step.sleep
    var triedConnecting = false
    var drained = false

    init(settings: Settings, now: Instant) {
        self.settings = settings
        queueNames = settings.queues.map(\.name)
        writeBatchThreshold = max(1, settings.queues.reduce(0) { $0 + $1.concurrency } / 2)
        for queue in settings.queues {
            slots[queue.name] = Slots(concurrency: queue.concurrency, free: Array((0..<queue.concurrency).reversed()), headReadAt: now)
        }
        nextPoll = now + settings.pollInterval
        nextLeaseExtension = now + settings.leaseDuration / 3
        nextRescue = now
        nextEmptinessCheck = now
        dueRefreshAt = now
        lastRoundTrip = now - settings.batchWindow
    }

    // MARK: - Turns

    /// Starts a turn: the mail has been read.
    mutating func beginTurn() {
        step = .timeouts
        triedConnecting = false
    }

    /// What to do next in this turn.
    mutating func nextAction(now: Instant) -> Action {
        while true {
            switch step {
            case .timeouts:
                if let run = running.values.first(where: { $0.deadline <= now }) { return expire(run, now: now) }
            case .handBack:
                if let stopDeadline, now >= stopDeadline, let run = running.values.first { return handBack(run) }
            case .connection:
                if !isConnected {
                    if !triedConnecting, reconnectAt.map({ now >= $0 }) ?? true {
                        triedConnecting = true
                        return .connect
                    }
                    if let stopDeadline, now >= stopDeadline + Self.unreachableGrace { return .giveUp }
                    step = .sleep
                    continue
                }
            case .promote:
                if let nextDue, nextDue <= now {
                    step = .poll
                    return .promoteDue
                }
            case .poll:
                if now >= nextPoll {
                    nextPoll = now + settings.pollInterval
                    wantEverything()
                    dueRefreshAt = now
                }
                for name in queueNames {
                    if let until = slots[name]?.heldBackUntil, until <= now {
                        slots[name]?.heldBackUntil = nil
                        slots[name]?.wantsClaim = true
                    }
                }
            case .refreshDue:
                if let dueRefreshAt, dueRefreshAt <= now {
                    step = .roundTrip
                    return .refreshNextDue
                }
            case .roundTrip:
                if roundTripDue(now) {
                    step = .lease
                    lastRoundTrip = now
                    return .finishAndClaim(writes: pending, claims: stopDeadline == nil ? wantedClaims(now) : [])
                }
            case .lease:
                if now >= nextLeaseExtension {
                    step = .rescue
                    nextLeaseExtension = now + settings.leaseDuration / 3
                    // In id order, so concurrent statements lock rows in one order.
                    let leases = running.values.map { LeaseHolder(id: $0.id, attempt: Int32($0.attempt)) }
                    return .extendLeases(leases.sorted { $0.id < $1.id })
                }
            case .rescue:
                if now >= nextRescue {
                    step = .finish
                    nextRescue = now + settings.rescueInterval
                    return .rescue
                }
            case .finish:
                if drained { return .exit(drained: true) }
                if stopDeadline != nil, running.isEmpty, pending.isEmpty { return .exit(drained: false) }
                if settings.stopWhenEmpty, stopDeadline == nil, mayBeDrained, now >= nextEmptinessCheck {
                    // The step stays: the answer may make the exit due in this turn.
                    nextEmptinessCheck = now + Self.emptinessCheckInterval
                    return .checkDrained
                }
            case .sleep:
                return .sleep(sleepTime(now), finishedRuns: finishedRunsWorthWaking())
            }
            step = Step(rawValue: step.rawValue + 1)!
        }
    }

    /// A run past its kind's timeout: its handler is told to stop and the attempt is
    /// recorded as failed; its slot is free at once (the next job gets a runner of its
    /// own while the runaway handler keeps the old one busy).
    mutating func expire(_ run: Run, now: Instant) -> Action {
        abandon(run.id)
        let limit = run.started.duration(to: run.deadline)
        let verdict = decide(.failed(message: "the attempt ran past its timeout of \(limit)", type: "timeout"), of: run, now: now)
        return .expire(run.handle, verdict: verdict, limit: limit)
    }

    /// The grace period is over: the job goes back as available, to run elsewhere.
    mutating func handBack(_ run: Run) -> Action {
        abandon(run.id)
        pending.append(PendingWrite(id: run.id, attempt: Int32(run.attempt), state: .available, delayMicroseconds: 0, errorJSON: ""))
        return .handBack(run.handle)
    }

    /// Whether to write outcomes and claim now, or let more gather first. Only a busy
    /// node waits: one running fewer jobs than `writeBatchThreshold` writes each
    /// outcome at once, so a lone completion never rides on (and slows) the next
    /// claim. Stopping nodes write at once too: their outcomes are all that is left.
    func roundTripDue(_ now: Instant) -> Bool {
        let claiming = stopDeadline == nil
        let windowPassed = now >= lastRoundTrip + settings.batchWindow || !claiming
        if !pending.isEmpty, windowPassed || pending.count >= writeBatchThreshold || running.count < writeBatchThreshold {
            return true
        }
        guard claiming else { return false }
        return slots.values.contains { $0.claimNow || ($0.canClaim && windowPassed) }
    }

    /// How many more finished runs would make a round trip due before the window ends.
    func finishedRunsWorthWaking() -> Int {
        var wanted = min(writeBatchThreshold - pending.count, running.count - writeBatchThreshold + 1)
        if stopDeadline == nil {
            for queue in slots.values where queue.wantsClaim {
                wanted = min(wanted, queue.batchThreshold - queue.free.count)
            }
        }
        return max(1, wanted)
    }

    /// How long to sleep: until the earliest thing that needs a turn.
    func sleepTime(_ now: Instant) -> Duration {
        var wake = nextPoll
        if isConnected {
            if roundTripDue(now) { return .zero }
            let waiting = !pending.isEmpty || (stopDeadline == nil && slots.values.contains(where: \.canClaim))
            if waiting { wake = min(wake, lastRoundTrip + settings.batchWindow) }
        } else if let reconnectAt {
            wake = min(wake, reconnectAt)
        }
        if let nextDue { wake = min(wake, nextDue) }
        if stopDeadline == nil {
            for queue in slots.values where !queue.free.isEmpty {
                if let until = queue.heldBackUntil { wake = min(wake, until) }
            }
        }
        if let dueRefreshAt { wake = min(wake, dueRefreshAt) }
        if !running.isEmpty { wake = min(wake, nextLeaseExtension) }
        wake = min(wake, nextRescue)
        if let stopDeadline { wake = min(wake, stopDeadline) }
        // Only when the check could pass: a busy node that woke for it would spin.
        if settings.stopWhenEmpty, mayBeDrained { wake = min(wake, nextEmptinessCheck) }
        for run in running.values { wake = min(wake, run.deadline) }
        return max(.zero, now.duration(to: wake))
    }

    /// The queues to claim from, each with its number of free slots and its cursor.
    /// A claim reads from the head once the last read from there is `headInterval` old;
    /// the cursor itself stays, for when that read finds nothing.
    func wantedClaims(_ now: Instant) -> [Claim] {
        var claims: [Claim] = []
        for name in queueNames {
            guard let queue = slots[name], queue.canClaim else { continue }
            let headDue = queue.headReadAt.duration(to: now) >= queue.headInterval
            claims.append(Claim(queue: name, slots: queue.free.count, after: headDue ? .head : queue.cursor))
        }
        return claims
    }

    /// Every queue may have jobs (the poll): claim from each, from its cursor. A job
    /// that sorts before a cursor is found when the cursor goes back to the head.
    mutating func wantEverything() {
        for name in queueNames {
            slots[name]?.wantsClaim = true
        }
    }

    /// Every queue may have jobs that sort anywhere, before any cursor (jobs this node
    /// made available, notifications that may have been missed): claim from the head.
    mutating func wantEverythingFromTheHead() {
        for name in queueNames {
            slots[name]?.wantsClaim = true
            slots[name]?.cursor = .head
        }
    }

    /// Nothing runs, waits to be written or to be claimed here: only the database can
    /// tell whether the queues are empty.
    var mayBeDrained: Bool {
        running.isEmpty && pending.isEmpty && !queueNames.contains(where: { slots[$0]?.wantsClaim == true })
    }

    /// Forgets a run whose handler may still be going and frees its slot.
    mutating func abandon(_ id: Int64) {
        guard let run = running.removeValue(forKey: id) else { return }
        slots[run.queue]?.free.append(run.slot)
    }
}
