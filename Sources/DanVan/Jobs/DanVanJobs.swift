public import Kheo

/// Every job of the domain, for a worker to register, and its periodic entries.
/// Domain jobs run in the `danvan` queue.
public enum DanVanJobs {
    public static let queue = "danvan"

    public static func register(in registry: inout JobRegistry) {
        DeadlineJobs.register(in: &registry)
        StatisticsJobs.register(in: &registry)
        InspectionJobs.register(in: &registry)
        ReportJobs.register(in: &registry)
        WebhookJobs.register(in: &registry)
    }

    /// The hourly deadline scan and the nightly statistics (02:00 Asia/Ho_Chi_Minh).
    public static func periodicJobs() throws -> [PeriodicJob] {
        [try DeadlineJobs.hourlyScan(), try StatisticsJobs.nightly()]
    }
}
