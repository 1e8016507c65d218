import Foundation

extension WorkerStateMachine {
    // MARK: - Mail

    /// The owner asked the node to stop: no new claims; running jobs have `grace` to
    /// finish. Returns false if a stop was already under way.
    mutating func stopRequested(grace: Duration, now: Instant) -> Bool {
        guard stopDeadline == nil else { return false }
        stopDeadline = now + grace
        return true
    }

    /// Notifications named these queues: they have jobs to claim. A notification may
    /// announce a job scheduled for later, so the next due time is asked again soon.
    mutating func queuesWoken(_ names: Set<String>, now: Instant) {
        guard !names.isEmpty else { return }
        for name in names {
            slots[name]?.wantsClaim = true
        }
        if dueRefreshAt == nil { dueRefreshAt = now + Self.dueRefreshDebounce }
    }

    /// The listener reconnected and may have missed notifications: look everywhere.
    mutating func everyQueueWoken() {
        wantEverythingFromTheHead()
    }

    /// An operator cancelled job `id`. Returns the run to tell to stop, if it runs here
    /// and was not told already; unless it completes anyway, it ends cancelled.
    mutating func cancelRequested(_ id: Int64) -> Handle? {
        guard var run = running[id], run.stopReason == nil else { return nil }
        run.stopReason = .cancelled
        running[id] = run
        return run.handle
    }

    /// A handler returned. Returns its verdict (whose write is now pending), or nil for
    /// the result of a run this node already gave up on (timed out, lease lost, handed
    /// back, or an older attempt of a job it runs again): that result is not written.
    mutating func runFinished(id: Int64, attempt: Int, outcome: RunOutcome, now: Instant) -> (Handle, Verdict)? {
        guard let run = running[id], run.attempt == attempt else { return nil }
        abandon(id)
        // Its finish may be what a job held back by the queue's limits waits for.
        if slots[run.queue]?.heldBackUntil != nil { slots[run.queue]?.wantsClaim = true }
        return (run.handle, decide(outcome, of: run, now: now))
    }

    // MARK: - Answers to actions

    /// `.connect` succeeded. Returns true when this was a reconnection.
    mutating func connected(now: Instant) -> Bool {
        let reconnected = reconnectAt != nil
        isConnected = true
        reconnectAt = nil
        reconnectBackoff = Self.firstReconnectBackoff
        wantEverythingFromTheHead()
        dueRefreshAt = now
        return reconnected
    }

    /// `.connect` failed. Returns how long until the next try; the wait doubles each time.
    mutating func connectFailed(now: Instant) -> Duration {
        isConnected = false
        let wait = reconnectBackoff
        reconnectAt = now + wait
        reconnectBackoff = min(reconnectBackoff * 2, Self.maximumReconnectBackoff)
        return wait
    }

    /// A database action threw. With the connection broken, the pending writes are kept
    /// and sent again after reconnecting. With it open, the statement itself is at fault:
    /// its writes are dropped, their jobs rescued when their leases expire.
    mutating func databaseFailed(connectionOpen: Bool, now: Instant) -> FailureResponse {
        isConnected = false
        step = .sleep
        if connectionOpen {
            let dropped = pending.count
            pending.removeAll()
            reconnectAt = now + .seconds(1)
            return .replaceConnection(droppedWrites: dropped)
        }
        reconnectAt = now + reconnectBackoff
        return .reconnect(after: reconnectBackoff)
    }

    /// `.finishAndClaim(writes, claims)` returned after `roundTrip`: `finished` lists
    /// the written ids the server accepted, `jobs` the claimed ones in claim order.
    /// Claimed jobs take slots; a job of an unknown kind is discarded at once.
    ///
    /// Each claim's cursor moves past its last job. A claim that comes back short found
    /// nothing more past its cursor. While reads from the head are cheap, the cursor
    /// goes back to the head at once, so a retry that came due before it is found by
    /// the next round trip. While they are slow (`ClaimCursor.headReadsAreSlow`: a long
    /// transaction elsewhere keeps the head's dead entries), the cursor stays and the
    /// next wake claims from it: new jobs sort after it (they are scheduled at their
    /// insert), jobs of higher priority are read before it in the same claim, and the
    /// head is read again once `headInterval` has passed since the last read there or
    /// when this node makes jobs available. Only a job of the cursor's priority that
    /// sorts before it (a retry another node promoted, an insert whose transaction
    /// began before the cursor's job was scheduled) waits that long, ten seconds at most.
    ///
    /// `heldBack` names the queues whose limits held jobs back, each with how long until
    /// a rate limit admits the next start (`nil`: until a running job finishes, which
    /// is looked for every `limitRecheckInterval`).
    mutating func claimReturned(
        writes: [PendingWrite], claims: [Claim], finished: [Int64], jobs: [ClaimedJob], roundTrip: Duration, now: Instant,
        heldBack: [String: Duration?] = [:]
    ) -> ClaimReport {
        var report = ClaimReport()
        pending.removeFirst(min(writes.count, pending.count))
        if finished.count < writes.count {
            let applied = Set(finished)
            report.fenced = writes.filter { !applied.contains($0.id) }
        }
        var claimed: [String: (count: Int, last: ClaimCursor)] = [:]
        report.started.reserveCapacity(jobs.count)
        for job in jobs {
            let sofar = claimed[job.queue] ?? (0, job.position)
            claimed[job.queue] = (sofar.count + 1, max(sofar.last, job.position))
            switch job.handler {
            case .unknown(let message):
                pending.append(PendingWrite(
                    id: job.id, attempt: Int32(job.attempt), state: .discarded, delayMicroseconds: 0,
                    errorJSON: Self.errorJSON(attempt: job.attempt, type: "unknown_kind", message: message, node: settings.nodeID)
                ))
            case .known(let timeout, let retryDelay, let handle):
                guard let slot = slots[job.queue]?.free.popLast() else {
                    preconditionFailure("claimed more jobs for \(job.queue) than it has free slots")
                }
                running[job.id] = Run(
                    handle: handle, id: job.id, attempt: job.attempt, maxAttempts: job.maxAttempts, queue: job.queue, slot: slot,
                    started: now, deadline: now + timeout, retryDelay: retryDelay
                )
                report.started.append(handle)
            }
        }
        for claim in claims {
            guard var queue = slots[claim.queue] else { continue }
            if claim.after.isHead {
                queue.headReadAt = now
                queue.headReadCost = roundTrip
            }
            let got = claimed[claim.queue]
            if let got { queue.cursor = got.last }
            if let got, got.count >= claim.slots {
                // Every free slot filled: more is probably waiting, past the last job.
                queue.wantsClaim = true
            } else if ClaimCursor.headReadsAreSlow(queue.headReadCost) {
                // Nothing more past the cursor; it stays for the next wake.
                queue.wantsClaim = false
            } else {
                // Short past the cursor: look again from the head. Short from the head:
                // the queue is empty until a notification or the poll.
                queue.wantsClaim = !claim.after.isHead
                queue.cursor = .head
            }
            if let wait = heldBack[claim.queue] {
                // Limited: more is waiting, but only time or a finish lets it run.
                queue.wantsClaim = (got?.count ?? 0) >= claim.slots
                queue.cursor = .head
                queue.heldBackUntil = now + (wait.map { min($0, .seconds(60)) } ?? settings.limitRecheckInterval)
            } else {
                queue.heldBackUntil = nil
            }
            slots[claim.queue] = queue
        }
        return report
    }

    /// `.extendLeases(sent)` returned the runs whose leases were extended, each with
    /// whether an operator asked to cancel it. A run missing from them lost its lease
    /// (this node was frozen or cut off): it is abandoned and its outcome never written.
    mutating func leasesExtended(sent: [LeaseHolder], held: [(id: Int64, cancelRequested: Bool)]) -> LeaseReport {
        var report = LeaseReport()
        var kept = Set<Int64>()
        for lease in held {
            kept.insert(lease.id)
            if lease.cancelRequested, let handle = cancelRequested(lease.id) { report.cancelled.append(handle) }
        }
        for lease in sent where !kept.contains(lease.id) {
            guard let run = running[lease.id], run.attempt == Int(lease.attempt) else { continue }
            abandon(lease.id)
            report.lost.append(run.handle)
        }
        return report
    }

    /// `.promoteDue` made `count` jobs available. A full batch means more are due now.
    mutating func promoted(_ count: Int, batchFull: Bool, now: Instant) {
        // Promoted jobs keep their scheduled times, which sort before any cursor.
        if count > 0 { wantEverythingFromTheHead() }
        if batchFull {
            nextDue = now
        } else {
            dueRefreshAt = now
        }
    }

    /// `.refreshNextDue` answered: the next job is due in `dueIn` by the server's clock
    /// (nil: none is). Converting by the difference keeps clock skew out of it.
    mutating func learnedNextDue(in dueIn: Duration?, now: Instant) {
        dueRefreshAt = nil
        nextDue = dueIn.map { now + max(.zero, $0) }
    }

    /// `.rescue` gave `count` jobs another attempt; their backoff makes them due later.
    mutating func rescued(_ count: Int, batchFull: Bool, now: Instant) {
        guard count > 0 else { return }
        if batchFull { nextRescue = now }
        dueRefreshAt = now
    }

    /// `.checkDrained` answered whether anything is left in the queues.
    mutating func drainChecked(pending: Bool) {
        if !pending { drained = true }
    }

    // MARK: - Outcomes

    /// Turns a run's outcome into its verdict and queues the write it implies. A run an
    /// operator cancelled ends cancelled unless its handler completed it anyway.
    mutating func decide(_ outcome: RunOutcome, of run: Run, now: Instant) -> Verdict {
        var outcome = outcome
        if run.stopReason == .cancelled {
            switch outcome {
            case .completed, .completedInTransaction, .cancelled: break
            default: outcome = .cancelled(reason: "cancelled by an operator while it ran")
            }
        }
        func write(_ state: JobState, delay: Duration = .zero, error: (type: String, message: String)? = nil) {
            pending.append(PendingWrite(
                id: run.id,
                attempt: Int32(run.attempt),
                state: state,
                delayMicroseconds: delay.inMicroseconds,
                errorJSON: error.map { Self.errorJSON(attempt: run.attempt, type: $0.type, message: $0.message, node: settings.nodeID) } ?? ""
            ))
        }
        switch outcome {
        case .completed:
            write(.completed)
            return .completed
        case .completedInTransaction:
            return .completedInTransaction
        case .failed(let message, let type):
            if run.attempt >= run.maxAttempts {
                write(.discarded, error: (type, message))
                return .discardedAfterLastAttempt(message: message)
            }
            let delay = run.retryDelay(run.attempt) ?? settings.retryPolicy.delay(afterAttempt: run.attempt)
            write(.retryable, delay: delay, error: (type, message))
            noteDue(after: delay, now: now)
            return .retry(after: delay, message: message)
        case .snoozed(let delay):
            write(.scheduled, delay: delay)
            noteDue(after: delay, now: now)
            return .snoozed(delay)
        case .cancelled(let reason):
            write(.cancelled, error: ("cancelled", reason))
            return .cancelled(reason: reason)
        case .discarded(let reason, let type):
            write(.discarded, error: (type, reason))
            return .discarded(reason: reason)
        }
    }

    /// Remembers that a job becomes due after `delay`, so an idle loop wakes for it.
    mutating func noteDue(after delay: Duration, now: Instant) {
        let due = now + delay
        nextDue = nextDue.map { min($0, due) } ?? due
    }

    /// One entry of a job's `errors` column; the server adds the time.
    static func errorJSON(attempt: Int, type: String, message: String, node: String) -> String {
        let object: [String: Any] = ["attempt": attempt, "type": type, "error": message, "node": node]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return #"{"error":"(the error message could not be encoded)"}"#
        }
        return String(decoding: data, as: UTF8.self)
    }
}
