public import Kheo
import Logging

/// `statistics.regenerate`: nightly at 02:00 Vietnam time, and on demand. The new
/// snapshot commits with the job's completion (see `StatisticsBuilder`).
public enum StatisticsJobs {
    public struct Regenerate: JobArgs {
        public static let kind = "statistics.regenerate"
        public init() {}

        /// Province-wide: its own key in the fair queue.
        public var partitionKey: String? { Self.kind }
    }

    public static func register(in registry: inout JobRegistry) {
        registry.register(RegenerateHandler())
    }

    /// The nightly run, for `WorkerConfiguration.periodicJobs`.
    public static func nightly() throws -> PeriodicJob {
        try PeriodicJob(
            name: "danvan.statistics-nightly", schedule: "0 2 * * *", timeZone: PeriodicJob.vietnam,
            job: JobRequest(Regenerate(), options: EnqueueOptions(queue: DanVanJobs.queue))
        )
    }

    struct RegenerateHandler: JobHandler {
        var timeout: Duration { .seconds(1800) }

        func run(_ args: Regenerate, context: JobContext) throws -> JobResult {
            let outcome = try context.transaction { connection in try StatisticsBuilder.regenerate(in: connection) }
            context.logger.info(
                outcome.unchanged ? "statistics unchanged" : outcome.rebuilt ? "statistics rebuilt" : "statistics updated",
                metadata: [
                    "snapshot": "\(outcome.snapshot)", "changed": "\(outcome.changed)", "written": "\(outcome.written)",
                    "removed": "\(outcome.removed)",
                ]
            )
            return .completed
        }
    }
}
