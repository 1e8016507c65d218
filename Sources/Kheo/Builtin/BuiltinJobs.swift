import Foundation
import Logging
import PostgresClient

/// Kinds built into the engine. They do nothing useful on purpose: each exercises one
/// path of the engine.
///
/// Only `kheo.noop` is registered everywhere. The others hold a worker's slot for as
/// long as their args say, fail on request or write rows, which is what tests and the
/// bench need and what no production node should let a producer ask for: they are
/// registered only when asked (`kheo work --test-kinds`), and a production node
/// discards them as unknown kinds.
public enum BuiltinJobs {
    /// Adds `kheo.noop` to `registry`.
    public static func register(in registry: inout JobRegistry) {
        registry.register(NoopHandler())
    }

    /// Adds the kinds for tests and the bench: `kheo.sleep`, `kheo.fail`, `kheo.record`,
    /// `kheo.crash`.
    public static func registerTestKinds(in registry: inout JobRegistry) {
        registry.register(SleepHandler())
        registry.register(FailHandler())
        registry.register(RecordHandler())
        registry.register(CrashHandler())
    }

    /// `kheo.noop {}`: completes at once. Measures the engine's own cost per job, and
    /// lets a producer check its path to the queue end to end.
    public struct Noop: JobArgs {
        public static let kind = "kheo.noop"
        public static let exposure = JobExposure.public(queue: EnqueueOptions.defaultQueue, scopeArguments: [])
        public init() {}
    }

    /// `kheo.sleep {"ms": 2000}`: blocks its slot for `ms`, stopping early when asked.
    public struct Sleep: JobArgs {
        public static let kind = "kheo.sleep"
        public var ms: Int
        public init(ms: Int) { self.ms = ms }
    }

    /// `kheo.fail {"times": 2}`: fails its first `times` attempts, then completes.
    public struct Fail: JobArgs {
        public static let kind = "kheo.fail"
        public var times: Int
        public init(times: Int) { self.times = times }
    }

    /// `kheo.record {"ms": 0, "key": "u1"}`: waits `ms`, then writes a row to
    /// `kheo.recorded_effects` in the transaction that completes the job, so each job's
    /// effect lands exactly once. The row says when the handler started and finished
    /// (this host's clock) and the job's key (`key` is its partition key), so a test
    /// can count how many of one key ran at once.
    public struct Record: JobArgs {
        public static let kind = "kheo.record"
        public var ms: Int?
        public var key: String?
        public init(ms: Int? = nil, key: String? = nil) {
            self.ms = ms
            self.key = key
        }

        public var partitionKey: String? { key }
    }

    /// `kheo.crash {}`: kills the process running it (SIGKILL), as the kernel's
    /// out-of-memory killer or a crash in native code would. It shows what the engine
    /// does with a job that takes its worker down on every attempt.
    public struct Crash: JobArgs {
        public static let kind = "kheo.crash"
        public init() {}
    }

    struct NoopHandler: JobHandler {
        func run(_ args: Noop, context: JobContext) throws -> JobResult { .completed }
    }

    struct SleepHandler: JobHandler {
        var timeout: Duration { .seconds(3600) }

        func run(_ args: Sleep, context: JobContext) throws -> JobResult {
            try BuiltinJobs.sleep(milliseconds: args.ms, context: context)
            return .completed
        }
    }

    struct FailHandler: JobHandler {
        struct IntendedFailure: Error, CustomStringConvertible {
            let attempt: Int
            let times: Int
            var description: String { "kheo.fail fails its first \(times) attempts; this was attempt \(attempt)" }
        }

        func run(_ args: Fail, context: JobContext) throws -> JobResult {
            if context.job.attempt <= args.times {
                throw IntendedFailure(attempt: context.job.attempt, times: args.times)
            }
            return .completed
        }
    }

    struct CrashHandler: JobHandler {
        func run(_ args: Crash, context: JobContext) throws -> JobResult {
            context.logger.notice("kheo.crash kills this worker process")
            kill(getpid(), SIGKILL)
            // SIGKILL cannot be caught; the process ends before this returns.
            return .completed
        }
    }

    struct RecordHandler: JobHandler {
        var timeout: Duration { .seconds(3600) }

        func run(_ args: Record, context: JobContext) throws -> JobResult {
            let started = Date()
            try BuiltinJobs.sleep(milliseconds: args.ms ?? 0, context: context)
            try context.transaction { connection in
                try connection.query(
                    """
                    INSERT INTO kheo.recorded_effects (job_id, attempt, node, partition_key, started_at, finished_at)
                    VALUES ($1, $2, $3::uuid, $4, $5, $6)
                    """,
                    context.job.id, Int32(context.job.attempt), context.nodeID, args.key, started, Date()
                )
            }
            return .completed
        }
    }

    /// Sleeps in steps of at most 50 ms so a stop request ends the wait promptly.
    static func sleep(milliseconds: Int, context: JobContext) throws {
        let deadline = ContinuousClock.now + .milliseconds(max(0, milliseconds))
        while ContinuousClock.now < deadline {
            try context.checkStop()
            let left = ContinuousClock.now.duration(to: deadline)
            Thread.sleep(forTimeInterval: min(0.05, left.inSeconds))
        }
    }
}
