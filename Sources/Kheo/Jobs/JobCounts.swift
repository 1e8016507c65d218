public import Foundation
public import PostgresClient

/// How many jobs each queue holds in each state, and how many finished per minute,
/// read from the counters of migration 0014 instead of by counting jobs: the cost
/// grows with the number of queues, not with the backlog or the history.
///
/// Exact: every write to `kheo.jobs` and `kheo.job_history` appends its differences
/// in its own transaction, so a reader sees the counts of its snapshot, no more and
/// no less. The leader folds the appended rows every second (`JobCountsFolder`).
public enum JobCounts {
    /// Jobs in `kheo.jobs` by queue and state: every unfinished job, and the finished
    /// unique jobs that still block duplicates there.
    public static func current(on executor: some PostgresExecutor) throws -> [String: [JobState: Int]] {
        var counts: [String: [JobState: Int]] = [:]
        for row in try executor.query(current) {
            guard let state = JobState(rawValue: try row.decode("state")) else { continue }
            counts[try row.decode("queue"), default: [:]][state] = Int(try row.decode("jobs", as: Int64.self))
        }
        return counts
    }

    /// Jobs that finished since `since`, by queue and final state.
    public static func finished(since: Date, on executor: some PostgresExecutor) throws -> [String: [JobState: Int]] {
        var counts: [String: [JobState: Int]] = [:]
        for row in try executor.query(finishedSince, since) {
            guard let state = JobState(rawValue: try row.decode("state")) else { continue }
            counts[try row.decode("queue"), default: [:]][state] = Int(try row.decode("jobs", as: Int64.self))
        }
        return counts
    }

    static let current = PreparedStatement(
        name: "kheo.job_counts.current",
        sql: """
            SELECT queue, state::text AS state, sum(jobs)::int8 AS jobs FROM kheo.job_counts
            GROUP BY queue, state HAVING sum(jobs) <> 0
            """
    )

    /// Whole hours from `kheo.job_hours`, and the minutes before the first whole hour
    /// from `kheo.job_minutes`: a day is 24 rows per queue and state, plus at most 59.
    static let finishedSince = PreparedStatement(
        name: "kheo.job_minutes.since",
        sql: """
            WITH edge AS (
                SELECT date_trunc('minute', $1::timestamptz, 'UTC') AS first_minute,
                       date_trunc('hour', $1::timestamptz + interval '59 minutes', 'UTC') AS first_hour
            )
            SELECT queue, state::text AS state, sum(jobs)::int8 AS jobs FROM (
                SELECT h.queue, h.state, h.jobs FROM kheo.job_hours AS h, edge WHERE h.hour >= edge.first_hour
                UNION ALL
                SELECT m.queue, m.state, m.jobs FROM kheo.job_minutes AS m, edge
                WHERE m.minute >= edge.first_minute AND m.minute < edge.first_hour
            ) AS f
            GROUP BY queue, state HAVING sum(jobs) <> 0
            """
    )

    /// Folds the appended differences into one row per queue and state (per minute
    /// and per hour for the finished), and forgets minutes and hours older than
    /// `keepMinutes`. Rows
    /// appended meanwhile are not in the fold's snapshot and stay as they are.
    package static let fold = """
        WITH gone AS (DELETE FROM kheo.job_counts RETURNING queue, state, jobs)
        INSERT INTO kheo.job_counts (queue, state, jobs)
        SELECT queue, state, sum(jobs) FROM gone GROUP BY queue, state HAVING sum(jobs) <> 0;
        WITH gone AS (DELETE FROM kheo.job_minutes RETURNING queue, minute, state, jobs)
        INSERT INTO kheo.job_minutes (queue, minute, state, jobs)
        SELECT queue, minute, state, sum(jobs) FROM gone
        WHERE minute >= now() - current_setting('kheo.keep_minutes')::interval
        GROUP BY queue, minute, state HAVING sum(jobs) <> 0;
        WITH gone AS (DELETE FROM kheo.job_hours RETURNING queue, hour, state, jobs)
        INSERT INTO kheo.job_hours (queue, hour, state, jobs)
        SELECT queue, hour, state, sum(jobs) FROM gone
        WHERE hour >= now() - current_setting('kheo.keep_minutes')::interval
        GROUP BY queue, hour, state HAVING sum(jobs) <> 0;
        """
}
