import ArgumentParser
import Kheo

/// `--queue NAME=CONCURRENCY[,OPTION…]` as `kheo work` and `kheo serve --workers` read
/// it, and the limits of `kheo queues limit`. Options set the queue's limits for every
/// node (`QueueLimits`):
///
///     reports=20,limit=2/key,fair     at most 2 running per key, keys in turn
///     webhooks=10,rate=60/1m/key      at most 60 starts a minute per key
///     exports=4,limit=1               one at a time in the whole queue
enum QueueSpec {
    static func parse(_ queues: [String]) throws -> [WorkerConfiguration.Queue] {
        if queues.isEmpty { return [.init(EnqueueOptions.defaultQueue, concurrency: 10)] }
        return try queues.map { spec in
            var options = spec.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let head = options.removeFirst()
            let parts = head.split(separator: "=", maxSplits: 1).map(String.init)
            guard let name = parts.first, !name.isEmpty else {
                throw ValidationError("--queue \(spec): give NAME=CONCURRENCY, e.g. default=20")
            }
            var concurrency = 10
            if parts.count == 2 {
                guard let value = Int(parts[1]), value >= 1 else {
                    throw ValidationError("--queue \(spec): the concurrency must be a whole number of at least 1")
                }
                concurrency = value
            }
            let limits = try options.isEmpty ? nil : self.limits(options, in: "--queue \(spec)")
            return .init(name, concurrency: concurrency, limits: limits)
        }
    }

    /// The options after the name, as `QueueLimits(options:)` reads them.
    static func limits(_ options: [String], in context: String) throws -> QueueLimits {
        do {
            return try QueueLimits(options: options)
        } catch {
            throw ValidationError("\(context): \(error)")
        }
    }
}
