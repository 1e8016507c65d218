import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import Kheo
import Logging
import PostgresClient
import Synchronization

/// `notification.deliver`: POSTs one notification to its unit's webhook; and
/// `webhook.ping`, which a unit may ask for to try its endpoint.
///
/// The body is JSON; `X-Kheo-Signature: sha256=<hex>` is the HMAC-SHA256 of its exact
/// bytes under the endpoint's secret, `X-Kheo-Delivery` the notification id (receivers
/// use it to drop repeats: delivery is at least once). A 2xx answer is delivered; any
/// other answer, a timeout or a refused connection fails the attempt and the job
/// retries with backoff. After `maxAttempts` the delivery is recorded as given up.
///
/// Before each attempt `WebhookEgress` checks where the URL leads now; an address
/// inside the network is refused (recorded as `refused`, never retried), and a
/// redirect is not followed (refused too: the signature must not travel on). What the
/// unit sees of an attempt is only "failed" or why it was refused, never what answered
/// or how, so deliveries cannot map a network; the job's own error, which operators
/// alone see, keeps the detail.
public enum WebhookJobs {
    public struct Deliver: JobArgs {
        public static let kind = "notification.deliver"
        public var notificationID: Int64
        public var webhookID: Int64

        public init(notificationID: Int64, webhookID: Int64) {
            self.notificationID = notificationID
            self.webhookID = webhookID
        }

        /// The receiving endpoint: `danvan.webhooks` limits deliveries per receiver.
        public var partitionKey: String? { "webhook:\(webhookID)" }
    }

    /// `webhook.ping {"unitID": 12}`: puts a test notice in the unit's inbox, and so
    /// sends it to the unit's webhook like any other. Public: a unit's editor may ask
    /// for it over HTTP, for a unit of its subtree.
    public struct Ping: JobArgs {
        public static let kind = "webhook.ping"
        public static let exposure = JobExposure.public(queue: DanVanJobs.queue, scopeArguments: ["unitID"])
        public var unitID: Int64

        public init(unitID: Int64) { self.unitID = unitID }

        public var partitionKey: String? { DanVanJobs.unitKey(unitID) }
    }

    /// Attempts before a delivery is given up.
    public static let maxAttempts = 8

    public static func register(in registry: inout JobRegistry, egress: WebhookEgress) {
        registry.register(DeliverHandler(egress: egress))
        registry.register(PingHandler())
    }

    struct PingHandler: JobHandler {
        func run(_ args: Ping, context: JobContext) throws -> JobResult {
            let posted = try context.transaction { connection -> Bool in
                guard try connection.query("SELECT 1 FROM danvan.units WHERE id = $1", args.unitID).first != nil else { return false }
                try Notifications.post(
                    to: args.unitID, kind: "webhook.ping", title: "Kiểm tra kết nối",
                    body: "Thông báo thử do đơn vị yêu cầu để kiểm tra địa chỉ nhận thông báo.",
                    deadline: nil, key: "ping:\(context.job.id)", on: connection
                )
                return true
            }
            return posted ? .completed : .discard(reason: "unit \(args.unitID) does not exist")
        }
    }

    struct DeliveryFailed: Error, CustomStringConvertible {
        let description: String
    }

    struct DeliverHandler: JobHandler {
        let egress: WebhookEgress
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
            do throws(WebhookEgress.Refusal) {
                try egress.check(request.url)
            } catch .unresolvable {
                // Perhaps the name service is down: worth another attempt.
                let outcome = Outcome(delivered: false, status: nil, error: "the host could not be resolved")
                try context.withConnection { connection in
                    try record(args, outcome, status: context.job.isLastAttempt ? "given_up" : "pending", on: connection)
                }
                throw DeliveryFailed(description: outcome.error ?? "")
            } catch {
                try context.withConnection { connection in
                    try record(args, Outcome(delivered: false, status: nil, error: error.description), status: "refused", on: connection)
                }
                return .discard(reason: error.description)
            }
            let outcome = Self.post(request.body, to: request.url, signature: request.signature, delivery: args.notificationID)
            if outcome.redirected {
                let refusal = "refused: the endpoint redirected, and deliveries are not redirected"
                try context.withConnection { connection in
                    try record(args, Outcome(delivered: false, status: nil, error: refusal), status: "refused", on: connection)
                }
                return .discard(reason: "\(refusal) (it answered \(outcome.status ?? 0))")
            }
            if outcome.delivered {
                try context.transaction { connection in try record(args, outcome, status: "delivered", on: connection) }
                return .completed
            }
            // Kept whatever happens next, so the delivery's history shows every failure.
            let givingUp = context.job.isLastAttempt
            try context.withConnection { connection in try record(args, outcome, status: givingUp ? "given_up" : "pending", on: connection) }
            throw DeliveryFailed(description: outcome.error ?? "not delivered")
        }

        /// Keeps the attempt for the unit to see: delivered, or "failed" / why it was
        /// refused, and nothing of what answered (no status, no error text).
        private func record(_ args: Deliver, _ outcome: Outcome, status: String, on connection: PostgresConnection) throws {
            let shown: String? = switch status {
            case "delivered": nil
            case "refused": outcome.error
            default: "failed"
            }
            try connection.query(
                """
                UPDATE danvan.webhook_deliveries SET attempts = attempts + 1, last_attempt_at = now(), last_status = $3,
                    last_error = $4, status = $5::danvan.delivery_status,
                    delivered_at = CASE WHEN $5 = 'delivered' THEN now() END
                WHERE notification_id = $1 AND webhook_id = $2
                """,
                args.notificationID, args.webhookID, status == "delivered" ? outcome.status.map(Int32.init) : nil, shown, status
            )
        }

        struct Outcome {
            var delivered: Bool
            var status: Int?
            var error: String?
            var redirected: Bool { status.map { (300..<400).contains($0) } ?? false }
        }

        /// Answers every redirect with "do not follow", so the 3xx itself comes back.
        final class NoRedirects: NSObject, URLSessionTaskDelegate {
            func urlSession(
                _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
            ) {
                completionHandler(nil)
            }
        }

        /// No cookies, no cache, no redirects.
        static let session: URLSession = {
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpShouldSetCookies = false
            configuration.urlCache = nil
            return URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
        }()

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
            Self.session.dataTask(with: request) { _, response, error in
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
