public import Foundation
public import PostgresClient

/// A periodic entry as the nodes registered it in `kheo.periodic_jobs`: what
/// `kheo cron list` and the console show, without the nodes' cron file.
public struct PeriodicEntryRecord: Sendable, Equatable {
    public var name: String
    public var schedule: String
    public var timeZone: String
    /// The job's kind and queue; nil for an entry last written by a node from before
    /// entries were registered (`sql/kheo/0011_periodic_entries_registered.sql`).
    public var kind: String?
    public var queue: String?
    /// The latest fire any node inserted, and the job it became; nil until it fires.
    public var lastFireAt: Date?
    public var lastJobID: Int64?
    /// When a node last started with this entry: an old one means no node runs it now.
    public var registeredAt: Date?

    /// `entry` as a node declares it, with what the database recorded of its fires.
    public init(declared entry: PeriodicJob, stored: PeriodicEntryRecord?) {
        self.init(
            name: entry.name, schedule: entry.schedule.expression, timeZone: entry.timeZone.identifier, kind: entry.job.kind,
            queue: entry.job.options.queue, lastFireAt: stored?.lastFireAt, lastJobID: stored?.lastJobID, registeredAt: stored?.registeredAt
        )
    }

    public init(
        name: String, schedule: String, timeZone: String, kind: String?, queue: String?, lastFireAt: Date?, lastJobID: Int64?,
        registeredAt: Date?
    ) {
        self.name = name
        self.schedule = schedule
        self.timeZone = timeZone
        self.kind = kind
        self.queue = queue
        self.lastFireAt = lastFireAt
        self.lastJobID = lastJobID
        self.registeredAt = registeredAt
    }

    /// The next fire time after `now` (and after the last fire), or nil if the stored
    /// schedule or time zone no longer parses or it never fires again.
    public func nextFire(after now: Date) -> Date? {
        guard let schedule = try? CronSchedule(schedule), let zone = TimeZone(identifier: timeZone) else { return nil }
        return schedule.next(after: max(now, lastFireAt ?? now), in: zone)
    }

    /// Every registered entry, by name.
    public static func list(on executor: some PostgresExecutor) throws -> [PeriodicEntryRecord] {
        try executor.query(
            """
            SELECT name, schedule, time_zone, kind, queue, last_fire_at, last_job_id, registered_at
            FROM kheo.periodic_jobs ORDER BY name
            """
        ).map { row in
            PeriodicEntryRecord(
                name: try row.decode("name"), schedule: try row.decode("schedule"), timeZone: try row.decode("time_zone"),
                kind: try row.decode("kind"), queue: try row.decode("queue"), lastFireAt: try row.decode("last_fire_at"),
                lastJobID: try row.decode("last_job_id"), registeredAt: try row.decode("registered_at")
            )
        }
    }
}
