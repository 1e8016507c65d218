import Foundation

/// What `kheo bench` measured, as printed with `--json`.
package struct BenchReport: Encodable {
    struct Throughput: Codable {
        var jobs: Int
        var jobsPerSecond: Double
        var ceilingPerSecond: Double
        var ratio: Double
        var target: Double
        var met: Bool { ratio >= target }

        init(jobs: Int, jobsPerSecond: Double, ceilingPerSecond: Double, target: Double) {
            self.jobs = jobs
            self.jobsPerSecond = jobsPerSecond
            self.ceilingPerSecond = ceilingPerSecond
            self.ratio = ceilingPerSecond > 0 ? jobsPerSecond / ceilingPerSecond : 0
            self.target = target
        }

        enum CodingKeys: String, CodingKey {
            case jobs, jobsPerSecond = "jobs_per_second", ceilingPerSecond = "ceiling_per_second", ratio, target
        }
    }

    /// A drain by worker nodes on separate hosts (network namespaces) through PgBouncer,
    /// against pgbench with as many clients.
    struct HostsDrain: Codable {
        var nodes: Int
        /// Against pgbench on the server's own socket with prepared statements.
        var drain: Throughput
        /// pgbench's same round trip through the same PgBouncer, unnamed statements
        /// planned on every call as the workers' are there: the like-for-like ceiling.
        var pooledCeilingPerSecond: Double?

        enum CodingKeys: String, CodingKey {
            case nodes, drain, pooledCeilingPerSecond = "pooled_ceiling_per_second"
        }
    }

    /// Pickup latency of a node behind PgBouncer in transaction mode.
    struct PooledLatency: Codable {
        var withListener: Latency
        var polling: Latency

        enum CodingKeys: String, CodingKey {
            case withListener = "with_direct_listener", polling
        }
    }

    struct Latency: Codable {
        var jobs: Int
        var ratePerSecond: Double
        /// From the enqueue's commit (the producer's call returned) to the handler's start.
        var p50Milliseconds: Double
        var p95Milliseconds: Double
        var p99Milliseconds: Double
        /// From just before the INSERT was sent, for scale: this adds the commit itself.
        var fromSendP50Milliseconds: Double
        var fromSendP99Milliseconds: Double

        enum CodingKeys: String, CodingKey {
            case jobs, ratePerSecond = "rate_per_second"
            case p50Milliseconds = "p50_ms", p95Milliseconds = "p95_ms", p99Milliseconds = "p99_ms"
            case fromSendP50Milliseconds = "from_send_p50_ms", fromSendP99Milliseconds = "from_send_p99_ms"
        }
    }

    struct Memory: Codable {
        var backlog: Int
        var peakRSSMegabytes: Double
        /// Median RSS over the second quarter of the drain, and over the last quarter.
        var earlyRSSMegabytes: Double
        var lateRSSMegabytes: Double

        enum CodingKeys: String, CodingKey {
            case backlog, peakRSSMegabytes = "peak_rss_mb", earlyRSSMegabytes = "early_rss_mb", lateRSSMegabytes = "late_rss_mb"
        }
    }

    struct ClaimHistory: Codable {
        var finishedJobs: Int
        /// Jobs claimed and completed per second with no finished job in the table.
        var emptyPerSecond: Double
        /// The same beside `finishedJobs` finished ones.
        var withHistoryPerSecond: Double
        var ratio: Double
        var target: Double
        var met: Bool { ratio >= target }

        init(finishedJobs: Int, emptyPerSecond: Double, withHistoryPerSecond: Double, target: Double) {
            self.finishedJobs = finishedJobs
            self.emptyPerSecond = emptyPerSecond
            self.withHistoryPerSecond = withHistoryPerSecond
            self.ratio = emptyPerSecond > 0 ? withHistoryPerSecond / emptyPerSecond : 0
            self.target = target
        }

        enum CodingKeys: String, CodingKey {
            case finishedJobs = "finished_jobs", emptyPerSecond = "empty_per_second"
            case withHistoryPerSecond = "with_history_per_second", ratio, target
        }
    }

    /// Priority-0 jobs' pickup while a burst drains, by the server's clock.
    struct BacklogLatency: Codable {
        var jobs: Int
        var ratePerSecond: Double
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var met: Bool { p99Milliseconds <= 10 }

        enum CodingKeys: String, CodingKey {
            case jobs, ratePerSecond = "rate_per_second", p50Milliseconds = "p50_ms", p99Milliseconds = "p99_ms"
        }
    }

    /// One order's drain, every round in the order run (so that a reader can tell a
    /// steady figure from a noisy one); the report compares medians.
    struct Rounds: Encodable {
        let seconds: [Double]
        var median: Double { Bench.median(seconds) }

        init(_ seconds: [Double]) { self.seconds = seconds }

        enum CodingKeys: String, CodingKey { case seconds, median = "median_seconds" }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(seconds, forKey: .seconds)
            try container.encode(median, forKey: .median)
        }
    }

    /// The same drain in four orders: filled before the workers started, a burst to
    /// idle workers, a burst after a prune emptied the table, and after the prune's
    /// VACUUM too (nil when not run).
    /// Urgent jobs behind a large backlog that producers keep adding to (issue 21, item 4).
    struct BacklogUnderLoad: Codable {
        var backlog: Int
        var insertedPerSecond: Double
        /// Available jobs left when the probes stopped: the backlog was still there.
        var stillWaiting: Int
        var probes: BacklogLatency

        enum CodingKeys: String, CodingKey {
            case backlog, insertedPerSecond = "inserted_per_second", stillWaiting = "still_waiting", probes
        }
    }

    struct Burst: Encodable {
        var jobs: Int
        var filledFirst: Rounds?
        var burst: Rounds
        var afterPrune: Rounds?
        var afterVacuum: Rounds?
        var probes: BacklogLatency?
        static let target = 0.9

        /// An order's rate over the filled-first rate (1 is as fast), by medians.
        func ratio(_ order: Rounds) -> Double? { filledFirst.map { $0.median / order.median } }

        enum CodingKeys: String, CodingKey {
            case jobs, filledFirst = "filled_first", burst, afterPrune = "after_prune", afterVacuum = "after_prune_and_vacuum"
            case probes = "backlog_pickup"
        }
    }

    /// Each figure is nil when `--only` left its part out.
    var database: String
    var singleEnqueue: Throughput?
    var bulkEnqueue: Throughput?
    var drain: Throughput?
    var drainSeconds: Double?
    var pickupLatency: Latency?
    var pickupBehindPgBouncer: PooledLatency?
    var hosts: [HostsDrain]?
    var workerMemory: Memory?
    var claimHistory: ClaimHistory?
    /// Claim-and-complete beside a transaction held open; its ceiling is the same
    /// without one.
    var readerDrain: Throughput?
    var burst: Burst?
    var backlogUnderLoad: BacklogUnderLoad?
    var console: ConsolePages?

    /// How long each console page takes beside a million finished jobs.
    struct ConsolePages: Codable {
        struct Page: Codable {
            var page: String
            var path: String
            var p50Milliseconds: Double
            var p95Milliseconds: Double
            var maxMilliseconds: Double

            enum CodingKeys: String, CodingKey {
                case page, path, p50Milliseconds = "p50_ms", p95Milliseconds = "p95_ms", maxMilliseconds = "max_ms"
            }
        }

        var finishedJobs: Int
        var requestsPerPage: Int
        var pages: [Page]
        var target: Double
        /// Seconds until the operators' charts had their first count of the day.
        var countsReadySeconds: Double?
        var worstP95: Double { pages.map(\.p95Milliseconds).max() ?? 0 }
        var met: Bool { worstP95 <= target }

        enum CodingKeys: String, CodingKey {
            case finishedJobs = "finished_jobs", requestsPerPage = "requests_per_page", pages, target = "target_p95_ms"
            case countsReadySeconds = "charts_first_count_s"
        }
    }

    enum CodingKeys: String, CodingKey {
        case database, singleEnqueue = "single_enqueue", bulkEnqueue = "bulk_enqueue", drain, drainSeconds = "drain_seconds"
        case pickupLatency = "pickup_latency", pickupBehindPgBouncer = "pickup_latency_behind_pgbouncer", workerMemory = "worker_memory", claimHistory = "claim_with_history", readerDrain = "drain_beside_reader", burst
        case backlogUnderLoad = "backlog_under_load", hosts = "drain_across_hosts"
    }

    /// The table people read.
    package var text: String {
        func row(_ name: String, _ value: Throughput) -> String {
            let mark = value.met ? "ok" : "BELOW TARGET"
            return "\(name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(format(value.jobsPerSecond)) jobs/s   ceiling \(format(value.ceilingPerSecond)) jobs/s   ratio \(String(format: "%.2f", value.ratio)) (target ≥ \(value.target)) \(mark)"
        }
        func format(_ value: Double) -> String { String(format: "%9.0f", value) }
        func decimals(_ value: Double) -> String { String(format: "%.2f", value) }
        var lines = ["Database: \(database)"]
        if let singleEnqueue { lines.append(row("single enqueue", singleEnqueue)) }
        if let bulkEnqueue { lines.append(row("bulk enqueue", bulkEnqueue)) }
        if let drain, let drainSeconds {
            lines.append(row("drain (2 workers)", drain) + "   over \(String(format: "%.1f", drainSeconds)) s")
        }
        if let latency = pickupLatency {
            let met = latency.p50Milliseconds <= 1 && latency.p99Milliseconds <= 2
            lines.append("pickup latency     p50 \(decimals(latency.p50Milliseconds)) ms  p95 \(decimals(latency.p95Milliseconds)) ms  p99 \(decimals(latency.p99Milliseconds)) ms at \(Int(latency.ratePerSecond)) jobs/s (from commit; targets p50 ≤ 1, p99 ≤ 2) \(met ? "ok" : "ABOVE TARGET")")
            lines.append("                   from send: p50 \(decimals(latency.fromSendP50Milliseconds)) ms  p99 \(decimals(latency.fromSendP99Milliseconds)) ms")
        }
        if let pooled = pickupBehindPgBouncer {
            func figures(_ latency: Latency) -> String {
                "p50 \(decimals(latency.p50Milliseconds)) ms  p95 \(decimals(latency.p95Milliseconds)) ms  p99 \(decimals(latency.p99Milliseconds)) ms"
            }
            lines.append("  behind PgBouncer  \(figures(pooled.withListener)) (transaction mode, direct listener)")
            lines.append("                   \(figures(pooled.polling)) (transaction mode, polling every 0.2 s)")
        }
        for host in hosts ?? [] {
            lines.append(row("hosts: \(host.nodes) node\(host.nodes == 1 ? "" : "s")", host.drain) + "   (pgbench: \(host.nodes) client\(host.nodes == 1 ? "" : "s"), prepared, server socket)")
            if let pooled = host.pooledCeilingPerSecond, pooled > 0 {
                lines.append(String(
                    format: "                       through PgBouncer: ceiling %9.0f jobs/s   ratio %.2f (pgbench's same round trip, unnamed statements)",
                    pooled, host.drain.jobsPerSecond / pooled
                ))
            }
        }
        if let memory = workerMemory {
            let met = memory.peakRSSMegabytes <= 100
            lines.append("worker memory      peak RSS \(String(format: "%.1f", memory.peakRSSMegabytes)) MB draining \(memory.backlog) jobs; early \(String(format: "%.1f", memory.earlyRSSMegabytes)) MB, late \(String(format: "%.1f", memory.lateRSSMegabytes)) MB (target ≤ 100) \(met ? "ok" : "ABOVE TARGET")")
        }
        if let history = claimHistory {
            lines.append("claim vs history   \(format(history.withHistoryPerSecond)) jobs/s beside \(history.finishedJobs) finished jobs   empty table \(format(history.emptyPerSecond)) jobs/s   ratio \(decimals(history.ratio)) (target ≥ \(history.target)) \(history.met ? "ok" : "BELOW TARGET")")
        }
        if let reader = readerDrain {
            lines.append("drain vs reader    \(format(reader.jobsPerSecond)) jobs/s with a transaction open throughout   alone \(format(reader.ceilingPerSecond)) jobs/s   ratio \(decimals(reader.ratio)) (target ≥ \(reader.target)) \(reader.met ? "ok" : "BELOW TARGET")")
        }
        if let load = backlogUnderLoad {
            let probes = load.probes
            lines.append("pickup behind load  p50 \(decimals(probes.p50Milliseconds)) ms  p99 \(decimals(probes.p99Milliseconds)) ms, \(probes.jobs) priority-0 jobs at \(Int(probes.ratePerSecond))/s behind \(load.backlog) waiting, \(Int(load.insertedPerSecond)) more inserted a second, \(load.stillWaiting) still waiting at the end (target p99 ≤ 10) \(probes.met ? "ok" : "ABOVE TARGET")")
        }
        if let burst {
            func rate(_ seconds: Double) -> String { format(Double(burst.jobs) / seconds) }
            /// A line per order: its median rate, what it is, and its ratio to filled first.
            func line(_ name: String, _ order: Rounds, _ what: String) -> String {
                let ratio = burst.ratio(order).map { "   ratio \(decimals($0)) (target ≥ \(Burst.target)) \($0 >= Burst.target ? "ok" : "BELOW TARGET")" } ?? ""
                return "\(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(rate(order.median)) jobs/s   \(what.padding(toLength: 46, withPad: " ", startingAt: 0))\(ratio)"
            }
            let orders: [(String, Rounds?)] = [
                ("filled first", burst.filledFirst), ("burst", burst.burst), ("after prune", burst.afterPrune), ("and vacuumed", burst.afterVacuum),
            ]
            if let filled = burst.filledFirst {
                lines.append("drain, filled first  \(rate(filled.median)) jobs/s   \(burst.jobs) jobs in \(decimals(filled.median)) s (2 workers × 50; medians of \(filled.seconds.count) rounds)")
            }
            lines.append(line("drain, burst", burst.burst, "from the enqueue's commit, workers idle before"))
            if let pruned = burst.afterPrune { lines.append(line("drain, after prune", pruned, "finished jobs pruned first")) }
            if let vacuumed = burst.afterVacuum { lines.append(line("  and vacuumed", vacuumed, "statistics that say empty")) }
            if burst.burst.seconds.count > 1 {
                let each = orders.compactMap { name, order in
                    order.map { "\(name) " + $0.seconds.map { rate($0).trimmingCharacters(in: .whitespaces) }.joined(separator: ", ") }
                }
                lines.append("  each round, jobs/s: " + each.joined(separator: "; "))
            }
            if let probes = burst.probes {
                lines.append("pickup in a burst    p50 \(decimals(probes.p50Milliseconds)) ms  p99 \(decimals(probes.p99Milliseconds)) ms, \(probes.jobs) priority-0 jobs at \(Int(probes.ratePerSecond))/s (server clock; target p99 ≤ 10) \(probes.met ? "ok" : "ABOVE TARGET")")
            }
        }
        if let console {
            lines.append("console pages        beside \(console.finishedJobs) finished jobs, \(console.requestsPerPage) requests each (target p95 ≤ \(Int(console.target)) ms): worst p95 \(decimals(console.worstP95)) ms \(console.met ? "ok" : "ABOVE TARGET")")
            if let ready = console.countsReadySeconds {
                lines.append("  the operators' charts had their first count of the day after \(String(format: "%.1f", ready)) s (once per server)")
            }
            for page in console.pages {
                lines.append("  \(page.page.padding(toLength: 20, withPad: " ", startingAt: 0)) p50 \(decimals(page.p50Milliseconds)) ms  p95 \(decimals(page.p95Milliseconds)) ms  max \(decimals(page.maxMilliseconds)) ms")
            }
        }
        return lines.joined(separator: "\n")
    }
}
