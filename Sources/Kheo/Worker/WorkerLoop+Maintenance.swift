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

    static let heartbeat = PreparedStatement(
        name: "kheo.nodes.heartbeat",
        sql: "UPDATE kheo.nodes SET heartbeat_at = now() WHERE id = $1::uuid"
    )

    static let version = "0.2.0"

    func register(on connection: PostgresConnection) throws {
        try connection.query(
            Self.registerNode, nodeIDString, ProcessInfo.processInfo.hostName, Int32(getpid()), queueNames, Self.version, slotsJSON
        )
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

    /// Extends the lease of every running job; a job whose lease is gone is abandoned.
    func extendLeases() throws {
        nextLeaseExtension = clock.now + configuration.leaseDuration / 3
        try connection!.query(Self.heartbeat, nodeIDString)
        guard !running.isEmpty else { return }
        let jobs = Array(running.values)
        let result = try connection!.query(
            JobSQL.extendLeases,
            jobs.map(\.info.id), jobs.map { Int32($0.info.attempt) }, configuration.leaseDuration.inMilliseconds, nodeIDString
        )
        var held = Set<Int64>()
        for row in result {
            let id: Int64 = try row.decode("id")
            held.insert(id)
            // The notification may have been missed (the listener was reconnecting).
            if try row.decode("cancel_requested", as: Bool.self) { requestCancel(of: id) }
        }
        for job in jobs where !held.contains(job.info.id) && running[job.info.id] != nil {
            job.context.requestStop(.leaseLost)
            abandon(job.info.id)
            job.context.logger.warning("lost the job's lease (this worker was frozen or cut off); another worker may run it, and this run's outcome will not be written")
        }
    }

    /// Makes scheduled and retryable jobs whose time came available, and claims at once.
    func promoteDueJobs() throws {
        let row = try connection!.query(JobSQL.promoteDue, Int32(1000)).single()
        let promoted: Int32 = try row.decode("promoted")
        if promoted > 0 {
            logger.debug("due jobs made available", metadata: ["count": "\(promoted)"])
            wantEverything()
        }
        if promoted >= 1000 {
            nextDue = clock.now
        } else {
            try refreshNextDue()
        }
    }

    /// Asks when the next scheduled or retryable job is due, in the server's clock, and
    /// converts to ours by the difference, so clock skew between hosts does not matter.
    func refreshNextDue() throws {
        dueRefreshAt = nil
        let row = try connection!.query(JobSQL.nextDue).single()
        guard let dueIn = try row.decode("due_in_us", as: Int64?.self) else {
            nextDue = nil
            return
        }
        nextDue = clock.now + .microseconds(max(0, dueIn))
    }

    /// Gives the jobs of dead workers another attempt after the retry policy's backoff
    /// (see `Rescuer`), then learns when the first of them is due.
    func rescueExpiredJobs() throws {
        nextRescue = clock.now + configuration.rescueInterval
        let rescued = try rescuer.runOnce(on: connection!)
        if rescued.total > 0 {
            logger.notice(Rescuer.message, metadata: rescued.metadata)
            if rescued.batchFull { nextRescue = clock.now }
            try refreshNextDue()
        }
    }
}
