import ArgumentParser
import Foundation
import KheoCLIKit
import Kheo
import PostgresClient

/// `kheo jobs …`: look at the jobs in the queue.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Inspect, cancel, retry and prune jobs.",
        subcommands: [
            JobsStatsCommand.self, JobsListCommand.self, JobsShowCommand.self, JobsCancelCommand.self,
            JobsRetryCommand.self, JobsPruneCommand.self,
        ]
    )
}

/// `kheo jobs stats`: counts by queue and state.
struct JobsStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count jobs by queue and state, with the age of the oldest available job.",
        discussion: """
            Unfinished jobs are counted as they are now; completed, cancelled and
            discarded jobs as they finished in the last --finished-hours (24 by
            default). Both come from counters kept as jobs change, so the answer is
            as fast with millions of jobs as with none.

            Examples:
              kheo jobs stats
              kheo jobs stats --json | jq '.[] | select(.queue == "default")'
            """
    )

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "Count the jobs that finished in this many last hours (1 to 192).")
    var finishedHours = 24

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (1...192).contains(finishedHours) else { throw ValidationError("--finished-hours must be 1 to 192 (eight days of counts are kept)") }
    }

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.jobs")
        let statistics = try QueueStatistics.read(on: connection, finishedWithin: .seconds(finishedHours * 3600))
        if json {
            print(try Output.json(statistics))
        } else {
            print(Self.table(statistics))
        }
    }

    static func table(_ statistics: [QueueStatistics]) -> String {
        if statistics.isEmpty { return "No jobs." }
        let states = JobState.allCases
        var lines = [(["queue"] + states.map(\.rawValue) + ["oldest available"])]
        for queue in statistics {
            let age = queue.oldestAvailableAgeSeconds.map { String(format: "%.1f s", $0) } ?? "-"
            lines.append([queue.queue] + states.map { String(queue.count($0)) } + [age])
        }
        return Output.table(lines)
    }
}
