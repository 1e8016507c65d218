package import Foundation
package import Logging
package import PostgresClient

/// Runs a node's maintenance services on one thread. Each runs when its last round
/// said; a leader-only one runs only while this node holds the `maintenance`
/// leadership, which it asks for (and so renews) whenever one is due. A leader that
/// dies loses it when its term ends; one that stops hands it over at once.
package struct Maintainer: Sendable {
    package static let leadership = "maintenance"

    let services: [any MaintenanceService]
    let nodeID: String
    let pool: PostgresConnectionPool
    let logger: Logger
    /// Long enough to survive a slow round, short enough that a dead leader is
    /// replaced soon: three times the longest wait between leader-only rounds.
    let term: Duration
    let clock: @Sendable () -> Date

    package init(
        services: [any MaintenanceService], nodeID: String, pool: PostgresConnectionPool, logger: Logger, term: Duration = .seconds(180),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.services = services
        self.nodeID = nodeID
        self.pool = pool
        self.logger = logger
        self.term = term
        self.clock = clock
    }

    package func run(on thread: ChoreThread) {
        var services = self.services
        var due = services.map { _ in clock() }
        var led = false
        while !thread.isStopped {
            let now = clock()
            var leads: Bool?
            for index in services.indices where due[index] <= now {
                if services[index].leaderOnly {
                    if leads == nil { leads = claimLeadership() }
                    guard leads == true else {
                        // Another node leads; look again when the term could have ended.
                        due[index] = now.addingTimeInterval(min(term.inSeconds / 3, 60))
                        continue
                    }
                    led = true
                }
                do {
                    let round = try services[index].round(now: now, pool: pool)
                    due[index] = round.nextRun
                    if let message = round.message {
                        var metadata = round.metadata
                        metadata["service"] = "\(services[index].name)"
                        logger.info(message, metadata: metadata)
                    }
                } catch {
                    logger.warning("maintenance failed; trying again shortly", metadata: [
                        "service": "\(services[index].name)", "error": "\(error)",
                    ])
                    due[index] = now.addingTimeInterval(5)
                }
            }
            guard let soonest = due.min(), thread.sleep(for: soonest.timeIntervalSince(clock())) else { break }
        }
        if led { _ = try? pool.query(Self.resign, Self.leadership, nodeID) }
    }

    /// Asks for (or renews) the leadership; false if another node holds it or the
    /// database cannot be asked.
    private func claimLeadership() -> Bool {
        do {
            return try pool.query(Self.claim, Self.leadership, nodeID, term.inMilliseconds).count == 1
        } catch {
            logger.warning("could not ask for the maintenance leadership; trying again shortly", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Takes or keeps the leadership `$1` for node `$2` for `$3` milliseconds: a row
    /// comes back when the node leads (it did already, or the last leader's term ran
    /// out because it stopped, froze or died), none when another node holds it.
    package static let claim = PreparedStatement(
        name: "kheo.leaders.claim",
        sql: """
            INSERT INTO kheo.leaders AS l (name, node, expires_at) VALUES ($1, $2::uuid, now() + $3::bigint * interval '1 millisecond')
            ON CONFLICT ON CONSTRAINT leaders_pkey DO UPDATE
                SET node = excluded.node,
                    elected_at = CASE WHEN l.node = excluded.node THEN l.elected_at ELSE now() END,
                    expires_at = excluded.expires_at
                WHERE l.node = excluded.node OR l.expires_at < now()
            RETURNING true AS leads
            """
    )

    /// Gives up the leadership `$1` held by node `$2` at once, so another node takes
    /// over without waiting for the term to end.
    package static let resign = PreparedStatement(
        name: "kheo.leaders.resign",
        sql: "DELETE FROM kheo.leaders WHERE name = $1 AND node = $2::uuid"
    )
}
