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

    /// `limit=N[/queue|kind|key]`, `rate=N/WINDOW[/queue|kind|key]`, `fair`, `none`.
    static func limits(_ options: [String], in context: String) throws -> QueueLimits {
        var limits = QueueLimits()
        for option in options {
            let pair = option.split(separator: "=", maxSplits: 1).map(String.init)
            switch (pair.first ?? "", pair.count) {
            case ("fair", 1):
                limits.fairByKey = true
            case ("none", 1):
                limits = .none
            case ("limit", 2):
                let fields = pair[1].split(separator: "/").map(String.init)
                guard (1...2).contains(fields.count), let jobs = Int(fields[0]) else {
                    throw ValidationError("\(context): write limit=N or limit=N/key (also /kind, /queue)")
                }
                limits.concurrency = .init(jobs, per: try scope(fields.count == 2 ? fields[1] : "queue", in: context))
            case ("rate", 2):
                let fields = pair[1].split(separator: "/").map(String.init)
                guard (2...3).contains(fields.count), let starts = Int(fields[0]), let window = duration(fields[1]) else {
                    throw ValidationError("\(context): write rate=N/WINDOW, e.g. rate=60/1m or rate=100/10s/key")
                }
                limits.rate = .init(starts, per: window, by: try scope(fields.count == 3 ? fields[2] : "queue", in: context))
            default:
                throw ValidationError("\(context): unknown option \"\(option)\" (use limit=N/key, rate=N/WINDOW/key, fair or none)")
            }
        }
        do {
            try limits.validate()
        } catch {
            throw ValidationError("\(context): \(error)")
        }
        return limits
    }

    static func scope(_ text: String, in context: String) throws -> QueueLimits.Scope {
        guard let scope = QueueLimits.Scope(rawValue: text) else {
            throw ValidationError("\(context): \"\(text)\" is not a scope: use queue, kind or key")
        }
        return scope
    }

    /// `500ms`, `10s`, `1m`, `1h` (a bare number is seconds).
    static func duration(_ text: String) -> Duration? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, milliseconds) in units where text.hasSuffix(suffix) {
            guard let value = Int64(text.dropLast(suffix.count)), value > 0 else { return nil }
            return .milliseconds(value * milliseconds)
        }
        return Int64(text).flatMap { $0 > 0 ? .seconds($0) : nil }
    }
}
