import CoreMetrics
import Dispatch
import Foundation
import Logging
import PostgresClient

extension WorkerLoop {
    /// Writes pending outcomes and claims for free slots in one round trip, then starts
    /// the claimed jobs the machine gave slots to.
    func finishAndClaim(_ writes: [Machine.PendingWrite], _ claims: [Machine.Claim]) throws {
        let sent = clock.now
        let statement = claims.contains { limitedQueues.contains($0.queue) } ? JobSQL.finishAndClaimLimited : JobSQL.finishAndClaim
        let result = try live.query(
            statement,
            writes.map(\.id), writes.map(\.attempt), writes.map(\.state.rawValue),
            writes.map(\.delayMicroseconds), writes.map(\.errorJSON), nodeIDString,
            claims.map(\.queue), claims.map { Int32($0.slots) }, configuration.leaseDuration.inMilliseconds,
            claims.map(\.after.priority), claims.map(\.after.scheduledMicroseconds), claims.map(\.after.id)
        )
        // How long reads from the head take decides how long cursors stand (`ClaimCursor.headInterval`).
        let roundTrip = sent.duration(to: clock.now)
        // The statement always returns at least one row, each carrying the same list of written ids.
        let finished: [Int64] = writes.isEmpty ? [] : try result.first?.decode("finished") ?? []
        var jobs: [Machine.ClaimedJob] = []
        var work: [@Sendable () -> Void] = []
        var heldBack: [String: Duration?] = [:]
        jobs.reserveCapacity(result.count)
        work.reserveCapacity(result.count)
        for row in result {
            guard let id = try row.decode("id", as: Int64?.self) else {
                // A queue whose limits held jobs back (`kheo.claim_limited`): -1 while they wait for a finish.
                if let wait = try row.decode("held_back_ms", as: Int64?.self), let queue = try row.decode("queue", as: String?.self) {
                    heldBack[queue] = wait < 0 ? Duration?.none : .milliseconds(wait)
                }
                continue
            }
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
            let position = ClaimCursor(priority: Int32(info.priority), scheduledMicroseconds: try row.decode("scheduled_us"), id: id)
            let handler: Machine.HandlerFacts
            if let entry = registry.entry(for: info.kind) {
                let run = ActiveRun(
                    context: JobContext(job: info, nodeID: nodeIDString, pool: handlerPool, logger: logger),
                    metrics: metrics.get(queue: info.queue, kind: info.kind)
                )
                handler = .known(timeout: entry.timeout, retryDelay: entry.retryDelay, handle: run)
                work.append(Self.work(entry, run: run, argsJSON: try row.decode("args"), mailbox: mailbox))
            } else {
                let known = registry.kinds.joined(separator: ", ")
                let message = "no handler for kind \(info.kind) on this worker (it knows: \(known.isEmpty ? "nothing" : known))"
                Self.jobLogger(logger, info).error("job discarded: unknown kind", metadata: ["error": "\(message)"])
                metrics.get(queue: info.queue, kind: info.kind).discarded.increment()
                handler = .unknown(message: message)
            }
            jobs.append(Machine.ClaimedJob(
                id: id, queue: info.queue, attempt: info.attempt, maxAttempts: info.maxAttempts, position: position, handler: handler
            ))
        }
        let report = machine.claimReturned(
            writes: writes, claims: claims, finished: finished, jobs: jobs, roundTrip: roundTrip, now: clock.now,
            heldBack: heldBack
        )
        if !report.fenced.isEmpty { reportFencedWrites(report.fenced) }
        let now = Date()
        for run in report.started {
            run.metrics.started.increment()
            // The server's scheduled time against this host's clock: skew between them shows here.
            run.metrics.pickup.recordNanoseconds(max(0, Int64(now.timeIntervalSince(run.info.scheduledAt) * 1e9)))
            if logger.logLevel <= .debug {
                run.context.logger.debug("job started", metadata: ["scheduled_at": "\(run.info.scheduledAt)"])
            }
        }
        runners.submit(work)
    }

    /// The work that runs one claimed job's handler and posts its outcome back.
    private static func work(
        _ entry: JobRegistry.Entry, run: ActiveRun, argsJSON: String, mailbox: Mailbox
    ) -> @Sendable () -> Void {
        let context = run.context
        return {
            let clock = ContinuousClock()
            let started = clock.now
            let outcome = Self.execute(entry, argsJSON: argsJSON, context: context)
            let duration = started.duration(to: clock.now)
            let info = context.job
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

    private func reportFencedWrites(_ writes: [Machine.PendingWrite]) {
        for write in writes {
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
