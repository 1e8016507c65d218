import CoreMetrics
import Dispatch
import Foundation
import Logging
import PostgresClient

extension WorkerLoop {
    /// Writes pending outcomes and claims for free slots in one round trip.
    func finishAndClaim(_ claims: [Claim]) throws {
        let writes = pending
        let result = try connection!.query(
            JobSQL.finishAndClaim,
            writes.map(\.id), writes.map(\.attempt), writes.map(\.state.rawValue),
            writes.map(\.delayMicroseconds), writes.map(\.errorJSON), nodeIDString,
            claims.map(\.queue), claims.map { Int32($0.slots) }, configuration.leaseDuration.inMilliseconds,
            claims.map(\.after.priority), claims.map(\.after.scheduledMicroseconds), claims.map(\.after.id)
        )
        pending.removeAll(keepingCapacity: true)
        // The statement always returns at least one row, each carrying the same list of written ids.
        if !writes.isEmpty, let first = result.first {
            let finished: [Int64] = try first.decode("finished")
            if finished.count < writes.count { reportFencedWrites(writes, finished: finished) }
        }
        var claimed: [String: (count: Int, last: ClaimCursor)] = [:]
        var jobs: [@Sendable () -> Void] = []
        jobs.reserveCapacity(result.count)
        // Whatever happens to the rest of the result, jobs already given a slot run.
        defer { runners.submit(jobs) }
        for row in result {
            guard let id = try row.decode("id", as: Int64?.self) else { continue }
            let info = JobInfo(
                id: id,
                queue: try row.decode("queue"),
                kind: try row.decode("kind"),
                attempt: Int(try row.decode("attempt", as: Int32.self)),
                maxAttempts: Int(try row.decode("max_attempts", as: Int32.self)),
                priority: Int(try row.decode("priority", as: Int32.self)),
                scheduledAt: try row.decode("scheduled_at"),
                insertedAt: try row.decode("inserted_at"),
                tags: try row.decode("tags")
            )
            let position = ClaimCursor(
                priority: Int32(info.priority), scheduledMicroseconds: try row.decode("scheduled_us"), id: id
            )
            let sofar = claimed[info.queue] ?? (0, position)
            claimed[info.queue] = (sofar.count + 1, max(sofar.last, position))
            if let job = start(info, argsJSON: try row.decode("args")) { jobs.append(job) }
        }
        let now = clock.now
        for claim in claims {
            guard let got = claimed[claim.queue], got.count >= claim.slots else {
                // A short claim: nothing more past the cursor. If it started past the head,
                // look again from the head; if it started there, the queue is empty for now.
                slots[claim.queue]?.wantsClaim = !claim.after.isHead
                slots[claim.queue]?.cursor = .head
                continue
            }
            // A claim that filled every free slot suggests more is waiting, past its last job.
            slots[claim.queue]?.wantsClaim = true
            if claim.after.isHead { slots[claim.queue]?.cursorSince = now }
            slots[claim.queue]?.cursor = got.last
        }
    }

    /// Takes a free slot for a claimed job and returns the work that runs it, or
    /// discards the job at once if no handler knows its kind.
    private func start(_ info: JobInfo, argsJSON: String) -> (@Sendable () -> Void)? {
        guard let entry = registry.entry(for: info.kind) else {
            let known = registry.kinds.joined(separator: ", ")
            let message = "no handler for kind \(info.kind) on this worker (it knows: \(known.isEmpty ? "nothing" : known))"
            Self.jobLogger(logger, info).error("job discarded: unknown kind", metadata: ["error": "\(message)"])
            metrics.get(queue: info.queue, kind: info.kind).discarded.increment()
            pending.append(PendingWrite(
                id: info.id, attempt: Int32(info.attempt), state: .discarded, delayMicroseconds: 0,
                errorJSON: Self.errorJSON(attempt: info.attempt, type: "unknown_kind", message: message, node: nodeIDString)
            ))
            return nil
        }
        guard let slot = slots[info.queue]?.free.popLast() else {
            preconditionFailure("claimed more jobs for \(info.queue) than it has free slots")
        }
        let context = JobContext(job: info, nodeID: nodeIDString, pool: handlerPool, logger: logger)
        let kindMetrics = metrics.get(queue: info.queue, kind: info.kind)
        kindMetrics.started.increment()
        // The server's scheduled time against this host's clock: skew between them shows here.
        kindMetrics.pickup.recordNanoseconds(max(0, Int64(Date().timeIntervalSince(info.scheduledAt) * 1e9)))
        let now = clock.now
        running[info.id] = RunningJob(
            info: info, context: context, slot: slot, started: now, deadline: now + entry.timeout, retryDelay: entry.retryDelay,
            metrics: kindMetrics
        )
        if logger.logLevel <= .debug {
            context.logger.debug("job started", metadata: ["scheduled_at": "\(info.scheduledAt)"])
        }
        let mailbox = self.mailbox
        return {
            let clock = ContinuousClock()
            let started = clock.now
            let outcome = Self.execute(entry, argsJSON: argsJSON, context: context)
            let duration = started.duration(to: clock.now)
            mailbox.post { $0.finished.append(FinishedRun(jobID: info.id, attempt: info.attempt, outcome: outcome, duration: duration)) }
        }
    }

    /// Runs a handler and turns whatever it does into an outcome; nothing it throws escapes.
    private static func execute(_ entry: JobRegistry.Entry, argsJSON: String, context: JobContext) -> RunOutcome {
        do {
            let result = try entry.run(argsJSON, context)
            if context.completedInTransaction { return .completedInTransaction }
            switch result {
            case .completed: return .completed
            case .snooze(let delay): return .snoozed(delay)
            case .cancel(let reason): return .cancelled(reason: reason)
            case .discard(let reason): return .discarded(reason: reason, type: "discarded")
            }
        } catch let error as UndecodableArgs {
            return .discarded(reason: error.description, type: "undecodable_args")
        } catch {
            if context.completedInTransaction { return .completedInTransaction }
            return .failed(message: describe(error), type: error is JobStopped ? "stopped" : "error")
        }
    }

    /// Names the error's type as well, so an operator can find where it is thrown.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        let type = String(reflecting: Swift.type(of: error))
        return text.hasPrefix(type.split(separator: ".").last.map(String.init) ?? type) ? text : "\(type): \(text)"
    }

    private func reportFencedWrites(_ writes: [PendingWrite], finished: [Int64]) {
        let applied = Set(finished)
        for write in writes where !applied.contains(write.id) {
            logger.warning("a job's outcome was not written: this worker no longer holds its lease (another worker rescued it)", metadata: [
                "job_id": "\(write.id)", "attempt": "\(write.attempt)", "state": "\(write.state.rawValue)",
            ])
        }
    }

    static func jobLogger(_ base: Logger, _ info: JobInfo) -> Logger {
        var logger = base
        logger[metadataKey: "job_id"] = "\(info.id)"
        logger[metadataKey: "job_kind"] = "\(info.kind)"
        logger[metadataKey: "queue"] = "\(info.queue)"
        logger[metadataKey: "attempt"] = "\(info.attempt)"
        return logger
    }
}
