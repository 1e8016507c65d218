public import Kheo

/// Every job of the domain, for a worker to register, its periodic entries, and the
/// queues it runs in with their limits.
///
/// - `danvan`: the movement's work (reminders, statistics, inspections, documents,
///   pings), fair by unit: each claim takes one job per unit in turn, so a commune
///   that sends a thousand jobs at once delays another commune's job by one claim.
/// - `danvan.webhooks`: deliveries to units' webhooks, at most 2 at a time and 60 a
///   minute per receiving endpoint, so a slow or rate-limited receiver is not
///   flooded and never holds every slot.
/// - `danvan.reports`: report generation, at most 2 at a time per unit and fair by
///   unit. (The limit was asked for per district; since 01/07/2025 there is no
///   district level: communes and wards sit directly under the province, so the unit
///   itself is the key.)
///
/// Every domain job carries a key (`JobArgs.partitionKey`): its unit (`unit:ID`), its
/// webhook (`webhook:ID`), or, for province-wide work, its kind.
public enum DanVanJobs {
    public static let queue = "danvan"
    public static let webhookQueue = "danvan.webhooks"
    public static let reportQueue = "danvan.reports"

    /// The key of a unit's jobs.
    public static func unitKey(_ unitID: Int64) -> String { "unit:\(unitID)" }

    /// The domain's queues and their limits, for a node that gives `concurrency` slots
    /// to the main queue.
    public static func queues(concurrency: Int) -> [WorkerConfiguration.Queue] {
        [
            .init(queue, concurrency: concurrency, limits: QueueLimits(fairByKey: true)),
            .init(webhookQueue, concurrency: max(2, concurrency), limits: QueueLimits(
                concurrency: .init(2, per: .key), rate: .init(60, per: .seconds(60), by: .key)
            )),
            .init(reportQueue, concurrency: max(1, concurrency / 2), limits: QueueLimits(
                concurrency: .init(2, per: .key), fairByKey: true
            )),
        ]
    }

    /// `queues` with the domain's own filled in: a list that names `danvan` (as `kheo
    /// work --queue danvan=4` does) gets the domain's limits on it and the webhook and
    /// report queues beside it, unless it names them itself.
    public static func withDomainQueues(_ queues: [WorkerConfiguration.Queue]) -> [WorkerConfiguration.Queue] {
        guard let main = queues.first(where: { $0.name == queue }) else { return queues }
        var result = queues
        for domain in Self.queues(concurrency: main.concurrency) {
            if let index = result.firstIndex(where: { $0.name == domain.name }) {
                if result[index].limits == nil { result[index].limits = domain.limits }
            } else {
                result.append(domain)
            }
        }
        return result
    }

    /// `webhookEgress`: where webhook deliveries may go; a node reads the operator's
    /// allow-list with `WebhookEgress.fromEnvironment()`.
    public static func register(in registry: inout JobRegistry, webhookEgress: WebhookEgress = .publicOnly) {
        DeadlineJobs.register(in: &registry)
        StatisticsJobs.register(in: &registry)
        InspectionJobs.register(in: &registry)
        ReportJobs.register(in: &registry)
        DocumentJobs.register(in: &registry)
        WebhookJobs.register(in: &registry, egress: webhookEgress)
    }

    /// The hourly deadline scan and the nightly statistics (02:00 Asia/Ho_Chi_Minh).
    public static func periodicJobs() throws -> [PeriodicJob] {
        [try DeadlineJobs.hourlyScan(), try StatisticsJobs.nightly()]
    }
}
