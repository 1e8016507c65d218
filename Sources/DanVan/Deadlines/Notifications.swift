import PostgresClient
import Kheo

/// Units' inboxes: one row per notification, landing once per key. A notification for
/// a unit with an active webhook also gets a `notification.deliver` job, in the same
/// transaction.
public enum Notifications {
    /// Puts a notification in a unit's inbox unless one with the same key is there
    /// already; returns whether it was added. Texts are stored in NFC.
    @discardableResult
    static func post(
        to unit: Int64, kind: String, title: String, body: String, deadline: Int64?, key: String,
        on connection: PostgresConnection
    ) throws -> Bool {
        guard let row = try connection.query(
            """
            INSERT INTO danvan.notifications (unit_id, kind, title, body, deadline_id, dedupe_key)
            VALUES ($1, $2, normalize($3, NFC), normalize($4, NFC), $5, $6)
            ON CONFLICT (dedupe_key) DO NOTHING
            RETURNING id
            """,
            unit, kind, title, body, deadline, key
        ).first else { return false }
        let notification: Int64 = try row.decode("id")
        let hooks = try connection.query(
            """
            INSERT INTO danvan.webhook_deliveries (notification_id, webhook_id)
            SELECT $1, w.id FROM danvan.webhooks AS w WHERE w.unit_id = $2 AND w.active
            RETURNING webhook_id
            """,
            notification, unit
        )
        for hook in hooks {
            try Producer().enqueue(
                WebhookJobs.Deliver(notificationID: notification, webhookID: try hook.decode("webhook_id")),
                options: EnqueueOptions(queue: DanVanJobs.queue, maxAttempts: WebhookJobs.maxAttempts),
                on: connection
            )
        }
        return true
    }
}
