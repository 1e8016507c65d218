import PostgresClient
import Kheo

/// Units' inboxes: one row per notification, landing once per key. A notification for
/// a unit with an active webhook also gets a `notification.deliver` job, in the same
/// transaction.
enum Notifications {
    /// Puts a notification in a unit's inbox unless one with the same key is there
    /// already; returns whether it was added. Texts are stored in NFC.
    @discardableResult
    static func post(
        to unit: Int64, kind: String, title: String, body: String, deadline: Int64?, key: String,
        on connection: PostgresConnection
    ) throws -> Bool {
        // One round trip: the notification, and a pending delivery per active webhook of
        // the unit. `inserted` tells a duplicate key (nothing added) from a unit without
        // a webhook (no delivery).
        let result = try connection.query(
            """
            WITH added AS (
                INSERT INTO danvan.notifications (unit_id, kind, title, body, deadline_id, dedupe_key)
                VALUES ($1, $2, normalize($3, NFC), normalize($4, NFC), $5, $6)
                ON CONFLICT (dedupe_key) DO NOTHING
                RETURNING id, unit_id
            ), deliveries AS (
                INSERT INTO danvan.webhook_deliveries (notification_id, webhook_id)
                SELECT a.id, w.id FROM added AS a JOIN danvan.webhooks AS w ON w.unit_id = a.unit_id AND w.active
                RETURNING notification_id, webhook_id
            )
            SELECT EXISTS (SELECT 1 FROM added) AS inserted, d.notification_id, d.webhook_id
            FROM (SELECT 1) AS one LEFT JOIN deliveries AS d ON true
            """,
            unit, kind, title, body, deadline, key
        )
        guard let first = result.first, try first.decode("inserted", as: Bool.self) else { return false }
        var hooks: [(notification: Int64, webhook: Int64)] = []
        for row in result {
            guard let notification = try row.decode("notification_id", as: Int64?.self) else { continue }
            hooks.append((notification, try row.decode("webhook_id")))
        }
        for hook in hooks {
            try Producer().enqueue(
                WebhookJobs.Deliver(notificationID: hook.notification, webhookID: hook.webhook),
                options: EnqueueOptions(queue: DanVanJobs.webhookQueue, maxAttempts: WebhookJobs.maxAttempts),
                on: connection
            )
        }
        return true
    }
}
