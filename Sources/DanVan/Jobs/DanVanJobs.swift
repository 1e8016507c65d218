public import Kheo

/// Every job of the domain, for a worker to register, and its periodic entries.
/// Domain jobs run in the `danvan` queue.
public enum DanVanJobs {
    public static let queue = "danvan"

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
