/// The limits as operators write them, on `kheo work --queue NAME=N,…` and `kheo queues
/// limit NAME …`: `limit=N[/queue|kind|key]`, `rate=N/WINDOW[/queue|kind|key]`
/// (WINDOW as `500ms`, `10s`, `1m`, `1h`), `fair`, and `none`.
extension QueueLimits {
    public init(options: [String]) throws(QueueLimitsError) {
        self.init()
        for option in options {
            let pair = option.split(separator: "=", maxSplits: 1).map(String.init)
            switch (pair.first ?? "", pair.count) {
            case ("fair", 1):
                fairByKey = true
            case ("none", 1):
                self = .none
            case ("limit", 2):
                let fields = pair[1].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                guard (1...2).contains(fields.count), let jobs = Int(fields[0]) else {
                    throw QueueLimitsError("\"\(option)\": write limit=N or limit=N/key (also /kind, /queue)")
                }
                concurrency = .init(jobs, per: try Self.scope(fields.count == 2 ? fields[1] : "queue"))
            case ("rate", 2):
                let fields = pair[1].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                guard (2...3).contains(fields.count), let starts = Int(fields[0]), let window = Self.window(fields[1]) else {
                    throw QueueLimitsError("\"\(option)\": write rate=N/WINDOW, e.g. rate=60/1m or rate=100/10s/key")
                }
                rate = .init(starts, per: window, by: try Self.scope(fields.count == 3 ? fields[2] : "queue"))
            default:
                throw QueueLimitsError("unknown option \"\(option)\" (use limit=N/key, rate=N/WINDOW/key, fair or none)")
            }
        }
        try validate()
    }

    static func scope(_ text: String) throws(QueueLimitsError) -> Scope {
        guard let scope = Scope(rawValue: text) else {
            throw QueueLimitsError("\"\(text)\" is not a scope: use queue, kind or key")
        }
        return scope
    }

    /// `500ms`, `10s`, `1m`, `1h` (a bare number is seconds).
    static func window(_ text: String) -> Duration? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, milliseconds) in units where text.hasSuffix(suffix) {
            guard let value = Int64(text.dropLast(suffix.count)), value > 0 else { return nil }
            return .milliseconds(value * milliseconds)
        }
        return Int64(text).flatMap { $0 > 0 ? .seconds($0) : nil }
    }
}
