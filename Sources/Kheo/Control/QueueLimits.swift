public import PostgresClient

/// How many of a queue's jobs may run at once, how many may start in a window, and
/// whether claims take its keys in turn. Enforced where jobs are claimed
/// (`kheo.claim_limited`, migration 0015), so a limit holds exactly however many
/// nodes serve the queue, and nothing is held while a job runs.
///
/// The limits live with the queue in `kheo.queues`, so every node claims by the same
/// ones: a node configured with limits (`WorkerConfiguration.Queue.limits`, `kheo work
/// --queue NAME=20,limit=2/key`) writes them when it starts, and `kheo queues limit`
/// changes them for all nodes at once.
///
/// ```swift
/// // At most 2 report generations at a time per unit, the units taken in turn:
/// QueueLimits(concurrency: .init(2, per: .key), fairByKey: true)
/// // At most 60 webhook deliveries a minute per receiver:
/// QueueLimits(rate: .init(60, per: .seconds(60), by: .key))
/// ```
public struct QueueLimits: Sendable, Equatable, Codable {
    /// What a limit counts by: the whole queue, each kind, or each key (a job's
    /// `partitionKey`: the unit it works for, the webhook it delivers to). Jobs without
    /// a key count together under one key.
    public enum Scope: String, Sendable, Codable, CaseIterable {
        case queue, kind, key
    }

    /// At most `jobs` running at once per scope.
    public struct Concurrency: Sendable, Equatable, Codable {
        public var jobs: Int
        public var by: Scope

        public init(_ jobs: Int, per by: Scope = .queue) {
            self.jobs = jobs
            self.by = by
        }
    }

    /// At most `starts` in any window of `windowMilliseconds` per scope (a sliding
    /// window: each start counts until it is that old). A retry is a new start.
    public struct Rate: Sendable, Equatable, Codable {
        public var starts: Int
        public var windowMilliseconds: Int64
        public var by: Scope

        public init(_ starts: Int, per window: Duration, by: Scope = .queue) {
            self.starts = starts
            self.windowMilliseconds = window.inMilliseconds
            self.by = by
        }

        public var window: Duration { .milliseconds(windowMilliseconds) }
    }

    public var concurrency: Concurrency?
    public var rate: Rate?
    /// Claims take one job from each key in turn (after the key the last claim ended
    /// on), so a key with a large backlog delays another key's job by at most one claim.
    public var fairByKey: Bool

    public init(concurrency: Concurrency? = nil, rate: Rate? = nil, fairByKey: Bool = false) {
        self.concurrency = concurrency
        self.rate = rate
        self.fairByKey = fairByKey
    }

    /// No limit and no fairness: the queue is claimed by the ordinary, fastest path.
    public static let none = QueueLimits()

    public var isNone: Bool { self == .none }

    /// Refuses limits the claim could not keep, naming the fault.
    public func validate() throws(QueueLimitsError) {
        if let concurrency, !(1...100_000).contains(concurrency.jobs) {
            throw QueueLimitsError("a concurrency limit of \(concurrency.jobs) is out of range 1…100000")
        }
        if let rate {
            guard (1...1_000_000).contains(rate.starts) else {
                throw QueueLimitsError("a rate limit of \(rate.starts) starts is out of range 1…1000000")
            }
            guard (1...86_400_000).contains(rate.windowMilliseconds) else {
                throw QueueLimitsError("a rate window of \(rate.window) is out of range 1 ms…24 h")
            }
        }
    }

    /// One line for tables: `2 running per key · 100 per 10 s · fair by key`, or `-`.
    public var summary: String {
        var parts: [String] = []
        if let concurrency { parts.append("\(concurrency.jobs) running\(Self.per(concurrency.by))") }
        if let rate { parts.append("\(rate.starts) per \(Self.window(rate.windowMilliseconds))\(Self.per(rate.by))") }
        if fairByKey { parts.append("fair by key") }
        return parts.isEmpty ? "-" : parts.joined(separator: " · ")
    }

    private static func per(_ scope: Scope) -> String {
        scope == .queue ? "" : " per \(scope.rawValue)"
    }

    private static func window(_ milliseconds: Int64) -> String {
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000) h" }
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000) min" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
        return "\(milliseconds) ms"
    }

    /// Sets a queue's limits for every node (creating the queue's row if need be).
    /// Returns whether they changed.
    @discardableResult
    public func apply(to queue: String, on executor: some PostgresExecutor) throws -> Bool {
        do {
            try validate()
            try JobValidation.checkQueue(queue)
        } catch {
            throw QueueLimitsError(String(describing: error))
        }
        let row = try executor.query(
            Self.applyStatement, queue,
            concurrency.map { Int32($0.jobs) }, (concurrency?.by ?? .queue).rawValue,
            rate.map { Int32($0.starts) }, rate?.windowMilliseconds, (rate?.by ?? .queue).rawValue, fairByKey
        ).single()
        return try row.decode("changed")
    }

    /// The limits of a queue, `.none` when it has none or no row yet.
    public static func read(queue: String, on executor: some PostgresExecutor) throws -> QueueLimits {
        let rows = try executor.query(
            "SELECT concurrency_limit, concurrency_by, rate_limit, rate_window_ms, rate_by, fair FROM kheo.queues WHERE name = $1",
            queue
        )
        guard let row = rows.first else { return .none }
        return try QueueLimits(row: row)
    }

    /// From a row with the columns of `kheo.queues` that hold limits.
    package init(row: PostgresRow) throws {
        let concurrencyLimit = try row.decode("concurrency_limit", as: Int32?.self)
        let rateLimit = try row.decode("rate_limit", as: Int32?.self)
        let concurrencyBy = Scope(rawValue: try row.decode("concurrency_by", as: String?.self) ?? "queue") ?? .queue
        let rateBy = Scope(rawValue: try row.decode("rate_by", as: String?.self) ?? "queue") ?? .queue
        self.init(
            concurrency: concurrencyLimit.map { Concurrency(Int($0), per: concurrencyBy) },
            rate: try rateLimit.map {
                Rate(Int($0), per: .milliseconds(try row.decode("rate_window_ms", as: Int64?.self) ?? 1000), by: rateBy)
            },
            fairByKey: try row.decode("fair", as: Bool?.self) ?? false
        )
    }

    static let applyStatement = PreparedStatement(
        name: "kheo.queues.set_limits",
        sql: """
            WITH before AS (
                SELECT concurrency_limit, concurrency_by, rate_limit, rate_window_ms, rate_by, fair
                FROM kheo.queues WHERE name = $1
            ), written AS (
                INSERT INTO kheo.queues AS q (name, concurrency_limit, concurrency_by, rate_limit, rate_window_ms, rate_by, fair)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (name) DO UPDATE SET
                    concurrency_limit = excluded.concurrency_limit, concurrency_by = excluded.concurrency_by,
                    rate_limit = excluded.rate_limit, rate_window_ms = excluded.rate_window_ms, rate_by = excluded.rate_by,
                    fair = excluded.fair, updated_at = now()
                WHERE (q.concurrency_limit, q.concurrency_by, q.rate_limit, q.rate_window_ms, q.rate_by, q.fair)
                      IS DISTINCT FROM (excluded.concurrency_limit, excluded.concurrency_by, excluded.rate_limit,
                                        excluded.rate_window_ms, excluded.rate_by, excluded.fair)
                RETURNING 1
            )
            SELECT EXISTS (SELECT 1 FROM written) AS changed
            """
    )
}

/// Limits that cannot be kept, with what to change.
public struct QueueLimitsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
