public import Foundation
public import Logging
public import PostgresClient

/// Inserts the fires of a node's periodic jobs. Every node runs one, with the same
/// entries; the database decides which node inserts each fire time (see
/// `kheo.periodic_jobs`), so nodes need no leader and no clock agreement beyond a
/// second or so.
///
/// A value driven one round at a time: `runOnce()` registers the entries (once),
/// inserts the fires missed while no node ran (once), then every fire now due, and
/// says when it wants to run next. The clock is injected, so a test moves time on
/// instead of waiting for it.
public struct PeriodicEnqueuer: MaintenanceService {
    /// What one round did.
    public struct Result: Sendable, Equatable {
        /// The fires this node inserted, by entry name, with the job each became.
        public var fired: [Fire] = []
        /// When the next round is due: the soonest next fire, or sooner after an error.
        public var nextRun: Date
    }

    public struct Fire: Sendable, Equatable {
        public var entry: String
        public var fireAt: Date
        public var jobID: Int64
    }

    public let entries: [PeriodicJob]
    private let pool: PostgresConnectionPool
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let producer = Producer()
    private var registered = false
    private var caughtUp = false
    private var next: [String: Date] = [:]

    /// `clock` tells the time; the wall clock unless a test moves its own.
    public init(entries: [PeriodicJob], pool: PostgresConnectionPool, logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.entries = entries
        self.pool = pool
        self.logger = logger
        self.clock = clock
    }

    /// Upserts an entry as declared by a node starting now; its last fire stays.
    static let register = PreparedStatement(
        name: "kheo.periodic.register",
        sql: """
            INSERT INTO kheo.periodic_jobs AS p (name, schedule, time_zone, kind, queue, registered_at) VALUES ($1, $2, $3, $4, $5, now())
            ON CONFLICT (name) DO UPDATE
                SET schedule = excluded.schedule, time_zone = excluded.time_zone, kind = excluded.kind, queue = excluded.queue,
                    registered_at = excluded.registered_at, updated_at = now()
            """
    )

    /// Moves an entry's last fire forward to `$4` if it is behind; no row back when
    /// another node got there first.
    static let advance = PreparedStatement(
        name: "kheo.periodic.advance",
        sql: """
            INSERT INTO kheo.periodic_jobs AS p (name, schedule, time_zone, last_fire_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (name) DO UPDATE
                SET last_fire_at = excluded.last_fire_at, schedule = excluded.schedule,
                    time_zone = excluded.time_zone, updated_at = now()
                WHERE p.last_fire_at IS NULL OR p.last_fire_at < excluded.last_fire_at
            RETURNING p.name
            """
    )

    /// One round. Database errors are logged and retried a second later; a fire that
    /// could not be inserted stays due.
    public mutating func runOnce() -> Result {
        let now = clock()
        var result = Result(nextRun: now.addingTimeInterval(60))
        guard !entries.isEmpty else { return result }
        if next.isEmpty {
            for entry in entries { next[entry.name] = entry.nextFire(after: now) }
        }
        if !registered { registered = register() }
        if !caughtUp { caughtUp = catchUp(now: now, into: &result) }
        for entry in entries {
            guard let due = next[entry.name], due <= now else { continue }
            // Late (the node was frozen or busy): only the latest due fire, never a backlog.
            let fire = max(entry.schedule.latest(atOrBefore: now, in: entry.timeZone) ?? due, due)
            if insert(entry, firingAt: fire, into: &result) {
                next[entry.name] = entry.nextFire(after: now)
            } else {
                next[entry.name] = now.addingTimeInterval(1)
            }
        }
        result.nextRun = next.values.min() ?? now.addingTimeInterval(60)
        if !registered || !caughtUp { result.nextRun = min(result.nextRun, now.addingTimeInterval(1)) }
        return result
    }

    public var name: String { "periodic jobs" }
    public var leaderOnly: Bool { false }

    /// `runOnce` on this enqueuer's own pool and clock; each fire is logged as it is inserted.
    public mutating func round(now: Date, pool: PostgresConnectionPool) throws -> MaintenanceRound {
        MaintenanceRound(nextRun: runOnce().nextRun)
    }

    /// Records the entries as this node runs them. Returns false if the database could
    /// not be asked.
    private func register() -> Bool {
        do {
            try pool.transaction { connection in
                for entry in entries {
                    try connection.query(
                        Self.register, entry.name, entry.schedule.expression, entry.timeZone.identifier, entry.job.kind, entry.job.options.queue
                    )
                }
            }
            return true
        } catch {
            logger.warning("periodic jobs: could not register the entries; retrying", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// On start: for each entry that has fired before (on any node), insert the latest
    /// fire time missed since, once. Returns false if the database could not be asked.
    private func catchUp(now: Date, into result: inout Result) -> Bool {
        for entry in entries where entry.catchUpMissed {
            let last: Date?
            do {
                let rows = try pool.query("SELECT last_fire_at FROM kheo.periodic_jobs WHERE name = $1", entry.name)
                last = try rows.first?.decode("last_fire_at", as: Date?.self)
            } catch {
                logger.warning("periodic jobs: could not read the last fires; retrying", metadata: ["error": "\(error)"])
                return false
            }
            guard let last, let missed = entry.schedule.latest(atOrBefore: now, in: entry.timeZone), missed > last else { continue }
            logger.notice("periodic job missed a fire while no node ran; inserting the latest one", metadata: [
                "periodic": "\(entry.name)", "fire_at": "\(missed)", "last_fire_at": "\(last)",
            ])
            guard insert(entry, firingAt: missed, into: &result) else { return false }
        }
        return true
    }

    /// Inserts one fire unless another node did. Returns false on a database error.
    private func insert(_ entry: PeriodicJob, firingAt fire: Date, into result: inout Result) -> Bool {
        do {
            let inserted: EnqueuedJob? = try pool.transaction { connection in
                let advanced = try connection.query(
                    Self.advance, entry.name, entry.schedule.expression, entry.timeZone.identifier, fire
                )
                guard advanced.count == 1 else { return nil }
                let job = try producer.insert(entry.request(firingAt: fire), on: connection)
                try connection.query("UPDATE kheo.periodic_jobs SET last_job_id = $2 WHERE name = $1", entry.name, job.id)
                return job
            }
            if let inserted {
                result.fired.append(Fire(entry: entry.name, fireAt: fire, jobID: inserted.id))
                logger.info("periodic job fired", metadata: [
                    "periodic": "\(entry.name)", "fire_at": "\(fire)", "job_id": "\(inserted.id)", "job_kind": "\(entry.job.kind)",
                ])
            }
            return true
        } catch {
            logger.warning("periodic job could not be inserted; retrying", metadata: [
                "periodic": "\(entry.name)", "fire_at": "\(fire)", "error": "\(error)",
            ])
            return false
        }
    }
}
