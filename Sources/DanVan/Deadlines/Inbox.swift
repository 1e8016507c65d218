public import Foundation
public import PostgresClient

/// A notification in a unit's inbox (reminders, escalations, notices).
public struct InboxNotification: Sendable, Equatable {
    public let id: Int64
    public let unitID: Int64
    public let kind: String
    public let title: String
    public let body: String
    public let deadlineID: Int64?
    public let createdAt: Date
    public let readAt: Date?

    static let columns = "id, unit_id, kind, title, body, deadline_id, created_at, read_at"

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        unitID = try row.decode("unit_id")
        kind = try row.decode("kind")
        title = try row.decode("title")
        body = try row.decode("body")
        deadlineID = try row.decode("deadline_id")
        createdAt = try row.decode("created_at")
        readAt = try row.decode("read_at")
    }
}

/// Reads units' inboxes and marks notifications read. What lands there is written by
/// the jobs and producer calls that post notifications.
public struct Inbox: Sendable {
    public init() {}

    /// A unit's own notifications, newest first; `before` pages by id.
    public func list(
        unit: Int64, unreadOnly: Bool = false, before: Int64? = nil, limit: Int = 50, on executor: some PostgresExecutor
    ) throws -> [InboxNotification] {
        try executor.query(
            """
            SELECT \(InboxNotification.columns) FROM danvan.notifications
            WHERE unit_id = $1 AND (NOT $2 OR read_at IS NULL) AND ($3::bigint IS NULL OR id < $3)
            ORDER BY id DESC LIMIT $4
            """,
            unit, unreadOnly, before, Int32(min(max(limit, 1), 1000))
        ).map(InboxNotification.init(row:))
    }

    public func find(_ id: Int64, on executor: some PostgresExecutor) throws -> InboxNotification? {
        try executor.query("SELECT \(InboxNotification.columns) FROM danvan.notifications WHERE id = $1", id)
            .first.map(InboxNotification.init(row:))
    }

    /// Marks a notification read (once: a second call keeps the first time).
    public func markRead(_ id: Int64, on executor: some PostgresExecutor) throws -> InboxNotification? {
        try executor.query(
            "UPDATE danvan.notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 RETURNING \(InboxNotification.columns)", id
        ).first.map(InboxNotification.init(row:))
    }
}
