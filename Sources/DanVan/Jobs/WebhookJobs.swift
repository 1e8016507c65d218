import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import Kheo
import Logging
import PostgresClient
import Synchronization

/// `notification.deliver`: POSTs one notification to its unit's webhook.
///
/// The body is JSON; `X-Kheo-Signature: sha256=<hex>` is the HMAC-SHA256 of its exact
/// bytes under the endpoint's secret, `X-Kheo-Delivery` the notification id (receivers
/// use it to drop repeats: delivery is at least once). A 2xx answer is delivered; any
/// other answer, a timeout or a refused connection fails the attempt and the job
/// retries with backoff. After `maxAttempts` the delivery is recorded as given up.
public enum WebhookJobs {
    public struct Deliver: JobArgs {
        public static let kind = "notification.deliver"
        public var notificationID: Int64
        public var webhookID: Int64

        public init(notificationID: Int64, webhookID: Int64) {
            self.notificationID = notificationID
            self.webhookID = webhookID
        }
    }

    /// Attempts before a delivery is given up.
    public static let maxAttempts = 8

    public static func register(in registry: inout JobRegistry) {
        registry.register(DeliverHandler())
    }

    struct DeliveryFailed: Error, CustomStringConvertible {
        let description: String
    }

    struct DeliverHandler: JobHandler {
        var timeout: Duration { .seconds(30) }

        func run(_ args: Deliver, context: JobContext) throws -> JobResult {
            let found = try context.withConnection { connection -> (url: String, body: String, signature: String)? in
                guard let row = try connection.query(
                    """
                    SELECT w.url, p.body, danvan.webhook_signature(p.body, w.secret) AS signature
                    FROM danvan.webhooks AS w,
                         LATERAL (
                             SELECT json_build_object('id', n.id, 'unit_id', n.unit_id, 'kind', n.kind, 'title', n.title,
                                                      'body', n.body, 'deadline_id', n.deadline_id, 'created_at', n.created_at)::text AS body
                             FROM danvan.notifications AS n WHERE n.id = $1
                         ) AS p
                    WHERE w.id = $2 AND w.active
                    """,
                    args.notificationID, args.webhookID
                ).first else { return nil }
                return (try row.decode("url"), try row.decode("body"), try row.decode("signature"))
            }
            guard let request = found else { return .discard(reason: "the webhook or the notification no longer exists") }
            let outcome = Self.post(request.body, to: request.url, signature: request.signature, delivery: args.notificationID)
            if outcome.delivered {
                try context.transaction { connection in try record(args, outcome, status: "delivered", on: connection) }
                return .completed
            }
            // Kept whatever happens next, so the delivery's history shows every failure.
            let givingUp = context.job.isLastAttempt
            try context.withConnection { connection in try record(args, outcome, status: givingUp ? "given_up" : "pending", on: connection) }
            throw DeliveryFailed(description: outcome.error ?? "not delivered")
        }

        private func record(_ args: Deliver, _ outcome: Outcome, status: String, on connection: PostgresConnection) throws {
            try connection.query(
                """
                UPDATE danvan.webhook_deliveries SET attempts = attempts + 1, last_attempt_at = now(), last_status = $3,
                    last_error = $4, status = $5::danvan.delivery_status,
                    delivered_at = CASE WHEN $5 = 'delivered' THEN now() END
                WHERE notification_id = $1 AND webhook_id = $2
                """,
                args.notificationID, args.webhookID, outcome.status.map(Int32.init), outcome.error, status
            )
        }

        struct Outcome {
            var delivered: Bool
            var status: Int?
            var error: String?
        }

        static func post(_ body: String, to url: String, signature: String, delivery: Int64) -> Outcome {
            guard let target = URL(string: url) else { return Outcome(delivered: false, status: nil, error: "invalid URL") }
            var request = URLRequest(url: target, timeoutInterval: 10)
            request.httpMethod = "POST"
            request.httpBody = Data(body.utf8)
            request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
            request.setValue(signature, forHTTPHeaderField: "X-Kheo-Signature")
            request.setValue(String(delivery), forHTTPHeaderField: "X-Kheo-Delivery")
            let result = Mutex<Outcome>(Outcome(delivered: false, status: nil, error: "no answer"))
            let done = DispatchSemaphore(value: 0)
            URLSession.shared.dataTask(with: request) { _, response, error in
                let status = (response as? HTTPURLResponse)?.statusCode
                result.withLock {
                    $0 = Outcome(
                        delivered: status.map { (200..<300).contains($0) } ?? false, status: status,
                        error: error.map { "\($0.localizedDescription)" } ?? status.flatMap { (200..<300).contains($0) ? nil : "the endpoint answered \($0)" }
                    )
                }
                done.signal()
            }.resume()
            if done.wait(timeout: .now() + 15) == .timedOut { return Outcome(delivered: false, status: nil, error: "timed out") }
            return result.withLock { $0 }
        }
    }
}
