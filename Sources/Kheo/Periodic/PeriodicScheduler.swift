import Foundation
import Logging
import PostgresClient

/// Inserts the fires of a node's periodic jobs. Every node runs one, with the same
/// entries; the database decides which node inserts each fire time (see
/// `kheo.periodic_jobs`), so nodes need no leader and no clock agreement beyond a
/// second or so.
struct PeriodicScheduler: Sendable {
    let entries: [PeriodicJob]
    let pool: PostgresConnectionPool
    let logger: Logger
    let producer = Producer()

    /// Moves an entry's last fire forward to `$4` if it is behind; no row back when
    /// another node got there first.
    static let advance = PreparedStatement(
        name: "kheo.periodic.advance",
        sql: """
            INSERT INTO kheo.periodic_jobs AS p (name, schedule, time_zone, last_fire_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (name) DO UPDATE
                SET last_fire_at = excluded.last_fire_at, schedule = excluded.schedule,
                    time_zone = excluded.time_zone, updated_at = now()
                WHERE p.last_fire_at < excluded.last_fire_at
            RETURNING p.name
            """
    )

    func run(on thread: ChoreThread) {
        guard !entries.isEmpty else { return }
        var caughtUp = false
        var next: [String: Date] = [:]
        let start = Date()
        for entry in entries { next[entry.name] = entry.nextFire(after: start) }
        while !thread.isStopped {
            if !caughtUp { caughtUp = catchUp() }
            let now = Date()
            for entry in entries {
                guard let due = next[entry.name], due <= now else { continue }
                // Late (the node was frozen or busy): only the latest due fire, never a backlog.
                let fire = entry.schedule.latest(atOrBefore: now, in: entry.timeZone) ?? due
                if insert(entry, firingAt: max(fire, due)) {
                    next[entry.name] = entry.nextFire(after: now)
                } else {
                    next[entry.name] = now.addingTimeInterval(1)
                }
            }
            let soonest = next.values.min() ?? now.addingTimeInterval(60)
            guard thread.sleep(for: soonest.timeIntervalSince(Date())) else { return }
        }
    }

    /// On start: for each entry that has fired before (on any node), insert the latest
    /// fire time missed since, once. Returns false if the database could not be asked.
    private func catchUp() -> Bool {
        let now = Date()
        for entry in entries where entry.catchUpMissed {
            let last: Date?
            do {
                let rows = try pool.query("SELECT last_fire_at FROM kheo.periodic_jobs WHERE name = $1", entry.name)
                last = try rows.first?.decode("last_fire_at", as: Date.self)
            } catch {
                logger.warning("periodic jobs: could not read the last fires; retrying", metadata: ["error": "\(error)"])
                return false
            }
            guard let last, let missed = entry.schedule.latest(atOrBefore: now, in: entry.timeZone), missed > last else { continue }
            logger.notice("periodic job missed a fire while no node ran; inserting the latest one", metadata: [
                "periodic": "\(entry.name)", "fire_at": "\(missed)", "last_fire_at": "\(last)",
            ])
            guard insert(entry, firingAt: missed) else { return false }
        }
        return true
    }

    /// Inserts one fire unless another node did. Returns false on a database error.
    private func insert(_ entry: PeriodicJob, firingAt fire: Date) -> Bool {
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
