public import Foundation
public import PostgresClient
import Logging

/// Keeps `kheo.job_history`'s day partitions (migration 0013): creates each finished
/// state's partitions for today and the days ahead, and drops whole partitions once
/// every job in them is past its state's retention, so forgetting a day of jobs
/// leaves no dead rows behind. Only the leading node does it.
///
/// Both are DDL on the tables the finishing statements insert into, so both run under
/// a short `lock_timeout` and give way rather than queue: a reader holding the history
/// open (a long report) would otherwise make every finish wait behind the DDL's lock.
/// A round that gives way leaves the work to the next one; partitions are made days
/// ahead, so there is time.
/// - Creating attaches a table made beside the history, which locks the state's
///   partitioned table only in SHARE UPDATE EXCLUSIVE mode (finishes go on), and its
///   default partition briefly (PostgreSQL checks that no row there belongs to the day).
/// - Dropping locks the state's partitioned table for a moment, once a day.
public struct HistoryPartitions: MaintenanceService {
    public struct Configuration: Sendable, Equatable {
        /// How long each finished state is kept (`nil`: forever). A day partition is
        /// dropped when its whole day is older than this, so a job stays between the
        /// retention and one day more.
        public var retention: PruneConfiguration
        /// Days after today whose partitions exist ahead of need.
        public var daysAhead: Int
        /// How long the DDL waits for a lock before giving way to the next round.
        public var lockTimeout: Duration
        /// How often the leader looks.
        public var interval: Duration

        public init(
            retention: PruneConfiguration = PruneConfiguration(), daysAhead: Int = 3,
            lockTimeout: Duration = .milliseconds(200), interval: Duration = .seconds(60)
        ) {
            self.retention = retention
            self.daysAhead = daysAhead
            self.lockTimeout = lockTimeout
            self.interval = interval
        }
    }

    /// What a round did.
    public struct Report: Sendable, Equatable {
        public var created: [String] = []
        public var dropped: [String] = []
        /// Partitions left for a later round because a lock was not granted in time.
        public var deferred: [String] = []
        /// Jobs in the dropped partitions, by state.
        public var droppedJobs: [JobState: Int] = [:]
    }

    public let configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public var name: String { "history partitions" }
    public var leaderOnly: Bool { true }

    /// Creates what is missing; dropping is the pruner's (`Pruner.prune`), so a node
    /// that keeps finished jobs forever (`pruning: nil`) never drops a partition.
    public func round(now: Date, pool: PostgresConnectionPool) throws -> MaintenanceRound {
        let report = try create(days: Self.days(from: now, ahead: configuration.daysAhead), on: pool)
        let next = now.addingTimeInterval(configuration.interval.inSeconds)
        guard !(report.created.isEmpty && report.deferred.isEmpty) else { return MaintenanceRound(nextRun: next) }
        return MaintenanceRound(nextRun: next, message: "created the job history's day partitions ahead", metadata: [
            "created": "\(report.created.joined(separator: ","))",
            "deferred": "\(report.deferred.joined(separator: ","))",
        ])
    }

    /// Today (UTC) and the `ahead` days after it.
    public static func days(from now: Date, ahead: Int) -> [HistoryDay] {
        let today = HistoryDay(containing: now)
        return (0...max(ahead, 0)).map { today.adding(days: $0) }
    }

    /// Creates every finished state's partition for each of `days` that is missing.
    /// A day some of whose jobs already went to the default partition (nobody created
    /// it in time) is skipped: its jobs stay in the default partition, which the
    /// pruner empties.
    public func create(days: [HistoryDay], on pool: PostgresConnectionPool) throws -> Report {
        var report = Report()
        for state in JobState.finished {
            let existing = try Set(partitions(of: state, on: pool).map(\.name))
            for day in days where !existing.contains(day.partitionName(state)) {
                let name = day.partitionName(state)
                do {
                    // Names and bounds come from the closed set of states and a date
                    // formatted here, never from input; DDL takes no parameters.
                    try Self.runAlone(on: pool, """
                        SET LOCAL lock_timeout = '\(configuration.lockTimeout.inMilliseconds)ms';
                        CREATE TABLE kheo.\(name) (LIKE kheo.job_history_\(state.rawValue) INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
                        ALTER TABLE kheo.\(name) ADD CONSTRAINT \(name)_bounds
                            CHECK (state = '\(state.rawValue)' AND finalized_at >= '\(day.start)' AND finalized_at < '\(day.end)');
                        ALTER TABLE kheo.job_history_\(state.rawValue) ATTACH PARTITION kheo.\(name)
                            FOR VALUES FROM ('\(day.start)') TO ('\(day.end)');
                        """)
                    report.created.append(name)
                } catch let error as PostgresError where error.sqlState == "55P03" {
                    report.deferred.append(name)
                } catch let error as PostgresError where error.sqlState == "23514" {
                    // The default partition already holds jobs of that day: leave them there.
                    continue
                }
            }
        }
        return report
    }

    /// Drops the day partitions whose whole day is past its state's retention
    /// (`configuration.retention`).
    public func dropExpired(on pool: PostgresConnectionPool) throws -> Report {
        var report = Report()
        for (state, retention) in configuration.retention.retentions {
            let cutoff = try pool.query("SELECT now() - $1::bigint * interval '1 microsecond' AS cutoff", retention.inMicroseconds)
                .single().decode("cutoff", as: Date.self)
            for partition in try partitions(of: state, on: pool) where partition.day.endDate <= cutoff {
                do {
                    // Nothing finishes into a day past its retention, so the count read
                    // just before the drop is what the drop forgets.
                    let jobs = try pool.query("SELECT count(*) AS jobs FROM kheo.\(partition.name)").single().decode("jobs", as: Int64.self)
                    try Self.runAlone(on: pool, """
                        SET LOCAL lock_timeout = '\(configuration.lockTimeout.inMilliseconds)ms';
                        DROP TABLE kheo.\(partition.name);
                        """)
                    report.droppedJobs[state, default: 0] += Int(jobs)
                    report.dropped.append(partition.name)
                } catch let error as PostgresError where error.sqlState == "55P03" {
                    report.deferred.append(partition.name)
                }
            }
        }
        return report
    }

    /// Runs `script` as one message: PostgreSQL runs its statements as one transaction
    /// and commits it without waiting for the client. The DDL's locks (ACCESS
    /// EXCLUSIVE on a default partition while attaching, on a state's table while
    /// dropping) so last only as long as the server's own work: a leader frozen or cut
    /// off between statements (SIGSTOP, a lost link) cannot leave them held, with
    /// every reader of the history and every finish queued behind them. An error
    /// rolls the whole script back.
    static func runAlone(on pool: PostgresConnectionPool, _ script: String) throws {
        try pool.withConnection { connection in try connection.execute(script: script) }
    }

    /// The day partitions of one finished state, oldest first.
    public func partitions(of state: JobState, on executor: some PostgresExecutor) throws -> [(name: String, day: HistoryDay)] {
        try executor.query(
            """
            SELECT c.relname::text AS name FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
            WHERE i.inhparent = to_regclass($1) ORDER BY c.relname
            """,
            "kheo.job_history_\(state.rawValue)"
        ).compactMap { row in
            let name: String = try row.decode("name")
            return HistoryDay(partitionName: name, state: state).map { (name, $0) }
        }
    }
}

/// A UTC day of `kheo.job_history`, and the name of its partitions.
public struct HistoryDay: Sendable, Hashable, Comparable {
    /// The day as yyyyMMdd, e.g. 20261203.
    public let number: Int

    public init(containing date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        number = parts.year! * 10_000 + parts.month! * 100 + parts.day!
    }

    /// The day a partition's name ends with, or `nil` for a name that is not a day
    /// partition of `state` (the default partition).
    init?(partitionName: String, state: JobState) {
        let prefix = "job_history_\(state.rawValue)_p"
        guard partitionName.hasPrefix(prefix) else { return nil }
        let digits = partitionName.dropFirst(prefix.count)
        guard digits.count == 8, digits.allSatisfy(\.isASCII), let number = Int(digits) else { return nil }
        self.number = number
    }

    public var startDate: Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: number / 10_000, month: number / 100 % 100, day: number % 100))!
    }

    public var endDate: Date { adding(days: 1).startDate }

    func adding(days: Int) -> HistoryDay { HistoryDay(containing: startDate.addingTimeInterval(Double(days) * 86_400 + 3_600)) }

    /// Bounds as SQL literals in UTC.
    var start: String { Self.literal(startDate) }
    var end: String { Self.literal(endDate) }

    func partitionName(_ state: JobState) -> String { "job_history_\(state.rawValue)_p\(number)" }

    private static func literal(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    public static func < (a: HistoryDay, b: HistoryDay) -> Bool { a.number < b.number }
}
