/// How much work each part of the bench does: a full run, or `--quick` for a look.
package struct BenchSizes {
    var singleSeconds: Int
    var bulkBatches: Int
    var bulkBatchSize = 1000
    var drainBacklog: Int
    var latencyJobs: Int
    var latencyRate = 200
    /// Jobs claimed per round of the history part, and finished jobs beside them
    /// (issue 21: ten million, several days of a busy province).
    var historyBacklog: Int
    var historyFinished = 10_000_000
    /// Finished jobs beside the console's pages and the burst's prune.
    var finishedBeside = 1_000_000
    /// Jobs in a burst, and priority-0 probes per second sent while it drains.
    var burstJobs: Int
    var burstProbeRate = 20
    var burstRounds: Int
    /// Jobs waiting behind the probes of the backlog-under-load part, and its length.
    var backlogUnderLoadJobs: Int
    var backlogUnderLoadSeconds: Int
    /// Seconds the reader part holds its transaction open.
    var readerHoldSeconds: Int
    /// Requests timed per console page.
    var consoleRequests: Int
    /// Jobs drained at each node count of the hosts part.
    var hostsBacklog: Int

    package init(quick: Bool, backlog: Int?) {
        singleSeconds = quick ? 1 : 5
        bulkBatches = quick ? 10 : 100
        drainBacklog = backlog ?? (quick ? 20_000 : 1_000_000)
        latencyJobs = quick ? 200 : 1000
        historyBacklog = quick ? 20_000 : 100_000
        historyFinished = quick ? 200_000 : 10_000_000
        finishedBeside = quick ? 200_000 : 1_000_000
        burstJobs = quick ? 50_000 : 300_000
        burstRounds = quick ? 1 : 3
        consoleRequests = quick ? 20 : 100
        backlogUnderLoadJobs = quick ? 50_000 : 1_000_000
        backlogUnderLoadSeconds = quick ? 5 : 30
        readerHoldSeconds = quick ? 10 : 300
        hostsBacklog = quick ? 20_000 : 400_000
    }
}

/// The parts of the bench, for `--only`.
package enum BenchPart: String, CaseIterable, Sendable {
    case single, bulk, drain, latency, history, reader, burst, backlog, console, hosts
}
