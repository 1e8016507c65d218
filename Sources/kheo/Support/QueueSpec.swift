import ArgumentParser
import Kheo

/// `--queue NAME=CONCURRENCY` as `kheo work` and `kheo serve --workers` read it.
enum QueueSpec {
    static func parse(_ queues: [String]) throws -> [WorkerConfiguration.Queue] {
        if queues.isEmpty { return [.init(EnqueueOptions.defaultQueue, concurrency: 10)] }
        return try queues.map { spec in
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard let name = parts.first, !name.isEmpty else { throw ValidationError("--queue \(spec): give NAME=CONCURRENCY, e.g. default=20") }
            guard parts.count == 2 else { return .init(name, concurrency: 10) }
            guard let concurrency = Int(parts[1]), concurrency >= 1 else {
                throw ValidationError("--queue \(spec): the concurrency must be a whole number of at least 1")
            }
            return .init(name, concurrency: concurrency)
        }
    }
}
