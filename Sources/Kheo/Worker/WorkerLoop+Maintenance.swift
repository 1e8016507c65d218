import Foundation
import Logging
import PostgresClient

extension WorkerLoop {
    static let registerNode = PreparedStatement(
        name: "kheo.nodes.register",
        sql: """
            WITH node AS (
                INSERT INTO kheo.nodes (id, hostname, pid, queues, version, slots)
                VALUES ($1::uuid, $2, $3, $4::text[], $5, $6::jsonb)
                ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()
            )
            INSERT INTO kheo.queues (name) SELECT unnest($4::text[]) ON CONFLICT (name) DO NOTHING
            """
    )

    /// The heartbeat, and which of the node's queues have limits (`limitedQueues`).
    static let heartbeat = PreparedStatement(
        name: "kheo.nodes.heartbeat",
        sql: """
            WITH beat AS (UPDATE kheo.nodes SET heartbeat_at = now() WHERE id = $1::uuid)
            SELECT coalesce(array_agg(name), '{}') AS limited FROM kheo.queues WHERE name = ANY ($2::text[]) AND limited
            """
    )

    static let version = "0.3.0"

    func register(on connection: PostgresConnection) throws {
        try connection.query(
            Self.registerNode, nodeIDString, ProcessInfo.processInfo.hostName, Int32(getpid()), machine.queueNames, Self.version, slotsJSON
        )
        for queue in configuration.queues {
            guard let limits = queue.limits, try limits.apply(to: queue.name, on: connection) else { continue }
            // Every node claims by the limits in kheo.queues: say so when this node changed them.
            logger.notice("queue limits set", metadata: ["queue": "\(queue.name)", "limits": "\(limits.summary)"])
        }
        try heartbeat(on: connection)
    }

    /// Sends the heartbeat and learns which of this node's queues have limits now (an
    /// operator may set them at any time with `kheo queues limit`). A queue that just
    /// became limited is claimed again at once, through `kheo.claim_limited`.
    func heartbeat(on connection: PostgresConnection) throws {
        let limited = Set(try connection.query(Self.heartbeat, nodeIDString, machine.queueNames).single().decode("limited", as: [String].self))
        guard limited != limitedQueues else { return }
        let added = limited.subtracting(limitedQueues)
        limitedQueues = limited
        machine.queuesWoken(added, now: clock.now)
    }

    /// `{"queue": concurrency, …}` for `kheo.nodes.slots`.
    var slotsJSON: String {
        let pairs = configuration.queues.map { queue in
            // Queue names are validated to letters, digits and . _ - : nothing to escape.
            "\"\(queue.name)\": \(queue.concurrency)"
        }
        return "{" + pairs.joined(separator: ", ") + "}"
    }

    func unregister() {
        guard let connection, connection.isOpen else { return }
        do {
            try connection.query("DELETE FROM kheo.nodes WHERE id = $1::uuid", nodeIDString)
        } catch {
            logger.warning("could not remove this node's row; it is forgotten after an hour", metadata: ["error": "\(error)"])
        }
    }

    /// Sends the node's heartbeat and extends the leases of its running jobs.
    func extendLeases(_ leases: [Machine.LeaseHolder]) throws {
        try heartbeat(on: live)
        guard !leases.isEmpty else { return }
        let result = try live.query(
            JobSQL.extendLeases, leases.map(\.id), leases.map(\.attempt), configuration.leaseDuration.inMilliseconds, nodeIDString
        )
        var held: [(id: Int64, cancelRequested: Bool)] = []
        held.reserveCapacity(result.count)
        for row in result {
            // The cancel notification may have been missed (the listener was reconnecting).
            held.append((try row.decode("id"), try row.decode("cancel_requested")))
        }
        let report = machine.leasesExtended(sent: leases, held: held)
        for run in report.cancelled { stopCancelled(run) }
        // A job whose handler completes it in its own transaction (`JobContext.transaction`)
        // leaves `kheo.jobs` before its run returns: not lost, only done.
        for run in report.lost where !run.context.completingInTransaction {
            run.context.requestStop(.leaseLost)
            run.context.logger.warning("lost the job's lease (this worker was frozen or cut off); another worker may run it, and this run's outcome will not be written")
        }
    }

    /// Makes scheduled and retryable jobs whose time came available (`Promoter`).
    func promoteDueJobs() throws {
        let (promoted, batchFull) = try promoter.promote(on: live)
        if promoted > 0 { logger.debug("due jobs made available", metadata: ["count": "\(promoted)"]) }
        machine.promoted(promoted, batchFull: batchFull, now: clock.now)
    }

    /// Asks when the next scheduled or retryable job is due, in the server's clock.
    func refreshNextDue() throws {
        machine.learnedNextDue(in: try promoter.nextDue(on: live), now: clock.now)
    }

    /// Gives the jobs of dead workers another attempt after the retry policy's backoff
    /// (see `Rescuer`).
    func rescueExpiredJobs() throws {
        let since = rescueWindow.since(now: clock.now)
        let (rescued, checkedAt) = try rescuer.runOnce(on: live, since: since)
        rescueWindow.record(rescued, checkedAt: checkedAt, since: since, now: clock.now)
        if rescued.total > 0 { logger.notice(Rescuer.message, metadata: rescued.metadata) }
        machine.rescued(rescued.total, batchFull: rescued.batchFull, now: clock.now)
    }

    /// Asks whether these queues hold anything available, running or due.
    func checkDrained() throws {
        let row = try live.query(JobSQL.hasPendingWork, machine.queueNames).single()
        machine.drainChecked(pending: try row.decode("pending", as: Bool.self))
    }
}
