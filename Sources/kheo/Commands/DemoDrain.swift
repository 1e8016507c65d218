import Foundation
import Kheo
import PostgresClient

/// The part of `kheo demo` that shows the queue at work: a few thousand mixed jobs
/// (quick, slow, failing then succeeding, always failing, of an unknown kind) drained
/// by two `kheo work` processes, with progress and the final count by state.
struct DemoDrain {
    let connection: PostgresConnection
    let url: String
    static let queue = "demo"

    func run() throws {
        try connection.query("DELETE FROM kheo.jobs WHERE queue = $1", Self.queue)
        let options = EnqueueOptions(queue: Self.queue)
        var requests: [JobRequest] = []
        requests += Array(repeating: try JobRequest(BuiltinJobs.Noop(), options: options), count: 3000)
        requests += Array(repeating: try JobRequest(BuiltinJobs.Sleep(ms: 20), options: options), count: 400)
        requests += Array(repeating: try JobRequest(BuiltinJobs.Fail(times: 2), options: options), count: 100)
        var hopeless = options
        hopeless.maxAttempts = 2
        requests += Array(repeating: try JobRequest(BuiltinJobs.Fail(times: 99), options: hopeless), count: 20)
        requests += Array(repeating: JobRequest(kind: "demo.unknown", options: options), count: 5)
        requests.shuffle()
        let clock = ContinuousClock()
        let start = clock.now
        try connection.transaction { connection in
            for batch in stride(from: 0, to: requests.count, by: 1000) {
                try Producer().enqueueMany(Array(requests[batch..<min(batch + 1000, requests.count)]), on: connection)
            }
        }
        print("Enqueued:   \(requests.count) jobs in queue \(Self.queue) (3000 no-op, 400 sleeping 20 ms, 100 failing twice then succeeding, 20 always failing, 5 of an unknown kind) in \(Self.format(start.duration(to: clock.now)))")
        print("Draining:   2 worker processes × 20 slots, retries after 0.2 s, 0.4 s, …")
        let drainStart = clock.now
        let workers = try (0..<2).map { _ in
            try WorkerProcess.start(queue: Self.queue, concurrency: 20, url: url, extra: ["--retry-base", "0.2"])
        }
        while workers.contains(where: \.isRunning) {
            Thread.sleep(forTimeInterval: 0.5)
            let counts = try counts()
            let finished = counts.filter { JobState(rawValue: $0.key)?.isFinal == true }.values.reduce(0, +)
            print("  \(Self.format(drainStart.duration(to: clock.now)))  finished \(finished)/\(requests.count)  running \(counts["running"] ?? 0)  waiting to retry \(counts["retryable"] ?? 0)")
        }
        for worker in workers { try worker.finish() }
        print("Drained in \(Self.format(drainStart.duration(to: clock.now))). Jobs by state:")
        for (state, count) in try counts().sorted(by: { $0.key < $1.key }) {
            print("  \(state.padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(repeating: " ", count: max(0, 5 - String(count).count)))\(count)")
        }
        print("Look closer:  kheo jobs list --state discarded   then   kheo jobs show ID   (or kheo jobs retry ID)")
    }

    private func counts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try connection.query("SELECT state::text AS state, count(*) AS n FROM kheo.jobs WHERE queue = $1 GROUP BY state", Self.queue) {
            counts[try row.decode("state")] = Int(try row.decode("n", as: Int64.self))
        }
        return counts
    }

    static func format(_ duration: Duration) -> String {
        String(format: "%.1f s", duration.inSeconds)
    }
}
