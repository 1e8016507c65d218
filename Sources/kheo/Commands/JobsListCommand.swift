public import ArgumentParser
import Foundation
import KheoCLIKit
import Kheo

/// `kheo jobs list`: the newest jobs, filtered.
struct JobsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List jobs, newest first.",
        discussion: """
            Examples:
              kheo jobs list --state discarded
              kheo jobs list --queue reports --kind report.generate --limit 10 --json
              kheo jobs list --before 120345        the page after job 120345
            """
    )

    @Option(help: "Only jobs in this state (repeatable): \(JobState.allCases.map(\.rawValue).joined(separator: ", ")).")
    var state: [JobState] = []

    @Option(help: "Only jobs of this queue (repeatable).")
    var queue: [String] = []

    @Option(help: "Only jobs of this kind (repeatable).")
    var kind: [String] = []

    @Option(help: "At most this many jobs (1–1000).")
    var limit = 50

    @Option(help: "Only jobs older than this id: the last id of the previous page.")
    var before: Int64?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000") }
    }

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.jobs")
        let jobs = try JobRecord.list(
            JobFilter(states: state, queues: queue, kinds: kind, limit: limit, before: before), on: connection
        )
        if json {
            print(try Output.json(jobs))
            return
        }
        guard !jobs.isEmpty else {
            print("No jobs match.")
            return
        }
        var lines = [["id", "queue", "kind", "state", "attempt", "scheduled at", "finalized at"]]
        for job in jobs {
            lines.append([
                String(job.id), job.queue, job.kind, job.state.rawValue, "\(job.attempt)/\(job.maxAttempts)",
                Output.time(job.scheduledAt), Output.time(job.finalizedAt),
            ])
        }
        print(Output.table(lines))
        if jobs.count == limit, let last = jobs.last {
            print("More may follow: kheo jobs list --before \(last.id) with the same filters.")
        }
    }
}

extension JobState: ExpressibleByArgument {}
