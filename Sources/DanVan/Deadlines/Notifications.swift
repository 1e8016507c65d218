import PostgresClient

/// Units' inboxes: one row per notification, landing once per key.
public enum Notifications {
    /// Puts a notification in a unit's inbox unless one with the same key is there
    /// already; returns whether it was added. Texts are stored in NFC.
    @discardableResult
    static func post(
        to unit: Int64, kind: String, title: String, body: String, deadline: Int64?, key: String,
        on connection: PostgresConnection
    ) throws -> Bool {
        try connection.query(
            """
            INSERT INTO danvan.notifications (unit_id, kind, title, body, deadline_id, dedupe_key)
            VALUES ($1, $2, normalize($3, NFC), normalize($4, NFC), $5, $6)
            ON CONFLICT (dedupe_key) DO NOTHING
            """,
            unit, kind, title, body, deadline, key
        ).affectedRows == 1
    }
}
