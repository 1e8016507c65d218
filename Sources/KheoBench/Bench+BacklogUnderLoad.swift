import Foundation
import KheoCLIKit
import Kheo
import PostgresClient
import Synchronization

extension Bench {
    /// (issue 21, item 4) Pickup of urgent jobs behind a large backlog while producers
    /// keep adding to it: a backlog of `sizes.backlogUnderLoadJobs` priority-5 jobs,
    /// 2 workers of 50 slots draining it, a producer inserting 5,000 priority-5 jobs a
    /// second (50 every 10 ms, on its own connection), and priority-0 probes at 20 a
    /// second for `sizes.backlogUnderLoadSeconds`. The figure is each probe's wait from
    /// its insert to its claim, both on the server's clock.
    func backlogUnderLoad() throws -> BenchReport.BacklogUnderLoad {
        try withScratch("backlog_load") { scratch in
            let queue = Self.queuePrefix + "backlog"
            progress("backlog under load: \(sizes.backlogUnderLoadJobs) priority-5 jobs waiting")
            try fillBacklog(queue: queue, count: sizes.backlogUnderLoadJobs, priority: 5, on: scratch.connection)
            try scratch.connection.execute(script: "VACUUM ANALYZE kheo.jobs")
            try scratch.connection.execute(script: "CHECKPOINT")
            let workers = try (0..<2).map { _ in
                try WorkerProcess.start(queue: queue, concurrency: 50, url: scratch.url, untilEmpty: false, extra: ["--no-prune"])
            }
            defer { for worker in workers { worker.stop() } }
            Thread.sleep(forTimeInterval: 2)
            progress("backlog under load: 2 workers draining, 5,000 jobs/s inserted, priority-0 probes at \(sizes.burstProbeRate)/s for \(sizes.backlogUnderLoadSeconds) s")
            let stop = Atomic<Bool>(false)
            let inserted = Atomic<Int>(0)
            let producerFailure = Mutex<String?>(nil)
            let configuration = scratch.configuration
            let logger = self.logger
            let producerDone = DispatchSemaphore(value: 0)
            let batch = try JobRequest(BuiltinJobs.Noop(), options: EnqueueOptions(queue: queue, priority: 5))
            Thread.detachNewThread {
                defer { producerDone.signal() }
                do {
                    let connection = try PostgresConnection.connect(to: configuration, logger: logger)
                    var next = Date()
                    while !stop.load(ordering: .relaxed) {
                        _ = try Producer().enqueueMany(Array(repeating: batch, count: 50), on: connection)
                        inserted.add(50, ordering: .relaxed)
                        next += 0.01
                        if next > Date() { Thread.sleep(until: next) }
                    }
                } catch {
                    producerFailure.withLock { $0 = "\(error)" }
                }
            }
            let probe = try JobRequest(BuiltinJobs.Noop(), options: EnqueueOptions(queue: queue, priority: 0))
            let started = Date()
            let end = started.addingTimeInterval(Double(sizes.backlogUnderLoadSeconds))
            var nextProbe = started
            while Date() < end {
                _ = try Producer().enqueue(probe, on: scratch.connection)
                nextProbe += 1.0 / Double(sizes.burstProbeRate)
                Thread.sleep(until: nextProbe)
            }
            stop.store(true, ordering: .relaxed)
            producerDone.wait()
            if let failure = producerFailure.withLock({ $0 }) { throw BenchError("the producer failed: \(failure)") }
            let seconds = Date().timeIntervalSince(started)
            Thread.sleep(forTimeInterval: 0.5)
            let waits = try scratch.connection.query(
                """
                SELECT extract(epoch FROM attempted_at - inserted_at)::float8 * 1000 AS ms FROM kheo.all_jobs
                WHERE queue = $1 AND priority = 0 AND attempted_at IS NOT NULL ORDER BY 1
                """,
                queue
            ).map { try $0.decode("ms", as: Double.self) }
            let probes = try scratch.connection.query(
                "SELECT count(*) AS n FROM kheo.all_jobs WHERE queue = $1 AND priority = 0", queue
            ).single().decode("n", as: Int64.self)
            guard waits.count == Int(probes) else { throw BenchError("\(Int(probes) - waits.count) of \(probes) probes never started") }
            let left = try scratch.connection.query(
                "SELECT coalesce(sum(jobs), 0)::int8 AS n FROM kheo.job_counts WHERE queue = $1 AND state = 'available'", queue
            ).single().decode("n", as: Int64.self)
            return BenchReport.BacklogUnderLoad(
                backlog: sizes.backlogUnderLoadJobs, insertedPerSecond: Double(inserted.load(ordering: .relaxed)) / seconds,
                stillWaiting: Int(left),
                probes: BenchReport.BacklogLatency(
                    jobs: waits.count, ratePerSecond: Double(sizes.burstProbeRate),
                    p50Milliseconds: Self.percentile(waits, 0.5), p99Milliseconds: Self.percentile(waits, 0.99)
                )
            )
        }
    }
}
