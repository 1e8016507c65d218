public import Foundation
public import PostgresClient

/// A job as stored, for operators and APIs: everything but the lease internals.
public struct JobRecord: Sendable, Equatable, Codable {
    /// One failed attempt, as recorded in the job's `errors`.
    public struct AttemptError: Sendable, Equatable, Codable {
        public var attempt: Int?
        public var at: String?
        public var type: String?
        public var error: String?
    }

    public var id: Int64
    public var queue: String
    public var kind: String
    public var state: JobState
    public var priority: Int
    public var attempt: Int
    public var maxAttempts: Int
    public var scheduledAt: Date
    public var insertedAt: Date
    public var attemptedAt: Date?
    public var finalizedAt: Date?
    public var cancelRequestedAt: Date?
    public var tags: [String]
    /// The args as JSON text.
    public var args: String
    public var errors: [AttemptError]
    public var isUnique: Bool

    /// The columns `init(row:)` reads, for SELECT lists.
    static let columns = """
        id, queue, kind, state::text AS state, priority::int AS priority, attempt, max_attempts, scheduled_at,
        inserted_at, attempted_at, finalized_at, cancel_requested_at, tags, args::text AS args,
        errors::text AS errors, unique_key IS NOT NULL AS is_unique
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        queue = try row.decode("queue")
        kind = try row.decode("kind")
        let stateName: String = try row.decode("state")
        state = JobState(rawValue: stateName) ?? .discarded
        priority = Int(try row.decode("priority", as: Int32.self))
        attempt = Int(try row.decode("attempt", as: Int32.self))
        maxAttempts = Int(try row.decode("max_attempts", as: Int32.self))
        scheduledAt = try row.decode("scheduled_at")
        insertedAt = try row.decode("inserted_at")
        attemptedAt = try row.decode("attempted_at")
        finalizedAt = try row.decode("finalized_at")
        cancelRequestedAt = try row.decode("cancel_requested_at")
        tags = try row.decode("tags")
        args = try row.decode("args")
        let errorsJSON: String = try row.decode("errors")
        errors = (try? JSONDecoder().decode([AttemptError].self, from: Data(errorsJSON.utf8))) ?? []
        isUnique = try row.decode("is_unique")
    }
}

/// Which jobs to list, newest first, a page at a time.
public struct JobFilter: Sendable, Equatable {
    public var states: [JobState]
    public var queues: [String]
    public var kinds: [String]
    /// At most this many jobs per page (1…1000).
    public var limit: Int
    /// The page after this job id: pass the last id of the previous page. Ids only
    /// grow, so pages stay stable while new jobs arrive.
    public var before: Int64?
    /// Only jobs carrying at least one of these tags (none: no restriction).
    public var tags: [String]
    /// Only jobs inserted at or after this instant.
    public var insertedSince: Date?
    /// Only jobs inserted before this instant.
    public var insertedUntil: Date?

    public init(
        states: [JobState] = [], queues: [String] = [], kinds: [String] = [], limit: Int = 50, before: Int64? = nil,
        tags: [String] = [], insertedSince: Date? = nil, insertedUntil: Date? = nil
    ) {
        self.states = states
        self.queues = queues
        self.kinds = kinds
        self.limit = limit
        self.before = before
        self.tags = tags
        self.insertedSince = insertedSince
        self.insertedUntil = insertedUntil
    }
}

extension JobRecord {
    /// One job by id, or `nil`.
    public static func find(_ id: Int64, on executor: some PostgresExecutor) throws -> JobRecord? {
        try executor.query("SELECT \(columns) FROM kheo.all_jobs WHERE id = $1", id).first.map(JobRecord.init(row:))
    }

    /// A page of jobs matching `filter`, newest first (by id, through the primary key).
    public static func list(_ filter: JobFilter, on executor: some PostgresExecutor) throws -> [JobRecord] {
        let limit = Int32(min(max(filter.limit, 1), 1000))
        // Failed or cancelled jobs only: say so in the statement's own words, so the
        // planner can read them from `jobs_failed` (the parameters alone cannot prove
        // that partial index's condition).
        let failedOnly = !filter.states.isEmpty && filter.states.allSatisfy { $0 == .discarded || $0 == .cancelled }
        let rows = try executor.query(
            """
            SELECT \(columns) FROM kheo.all_jobs
            WHERE ($1::bigint IS NULL OR id < $1)
              AND (cardinality($2::text[]) = 0 OR state::text = ANY ($2))
              AND (cardinality($3::text[]) = 0 OR queue = ANY ($3))
              AND (cardinality($4::text[]) = 0 OR kind = ANY ($4))
              AND (cardinality($6::text[]) = 0 OR (cardinality(tags) > 0 AND tags && $6))
              AND ($7::timestamptz IS NULL OR inserted_at >= $7)
              AND ($8::timestamptz IS NULL OR inserted_at < $8)
              \(failedOnly ? "AND state IN ('discarded', 'cancelled')" : "")
            ORDER BY id DESC
            LIMIT $5
            """,
            filter.before, filter.states.map(\.rawValue), filter.queues, filter.kinds, limit, filter.tags, filter.insertedSince, filter.insertedUntil
        )
        return try rows.map(JobRecord.init(row:))
    }
}
